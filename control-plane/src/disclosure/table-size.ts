/**
 * The size a table would have, counted before it is built: the product of the distinct
 * levels of every index and column variable, times the aggfunc blocks (plus a margin row and
 * column when asked). The grid holds every combination of observed levels, so twenty records
 * over three index columns of twenty levels each is 8 000 rows; one cheap query of
 * `count(DISTINCT …)` per variable tells, and a table past the policy's limit is refused
 * before anything is grouped or laid out.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors/index.ts';
import { quoteIdent } from './table-source.ts';
import type { NormalizedSpec } from './table-spec.ts';

export async function tableCells(conn: DuckDBConnection, relation: string, spec: NormalizedSpec): Promise<number> {
  const dims = [...spec.index, ...spec.columns];
  const sql = `SELECT ${dims.map((d) => `count(DISTINCT ${quoteIdent(d)})::DOUBLE`).join(', ')} FROM ${relation}`;
  const [row] = (await conn.runAndReadAll(sql)).getRows();
  const levels = dims.map((_, i) => Number(row?.[i] ?? 0));
  const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
  const margin = spec.margins ? 1 : 0;
  const rows = product(levels.slice(0, spec.index.length)) + margin;
  const cols = (spec.columns.length === 0 ? 1 : product(levels.slice(spec.index.length)) + margin) * spec.aggfuncs.length;
  return rows * cols;
}

/** Refuses (400, `table_too_large`) a table with more cells than `maxCells`. */
export async function refuseOversizedTable(conn: DuckDBConnection, relation: string, spec: NormalizedSpec, maxCells: number): Promise<void> {
  const cells = await tableCells(conn, relation, spec);
  if (cells > maxCells) {
    throw new InputError(`the table would have ${cells} cells, more than the policy's limit of ${maxCells} (tables.maxCells)`, {
      reason: 'table_too_large',
      details: { field: 'spec', cells, limit: maxCells },
    });
  }
}
