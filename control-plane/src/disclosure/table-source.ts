/**
 * Where a table's records come from: a CSV or Parquet file (told apart by
 * content, not by name) or a table/view already in the DuckDB connection.
 */
import { open } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError, NotFoundError } from '../errors/index.ts';

export type TableSource = { file: string } | { table: string };

export interface ResolvedSource {
  /** A SQL relation usable after FROM. */
  relation: string;
  /** Column name → DuckDB type name. */
  columns: Map<string, string>;
  /** Whether a column-wide min/max costs next to nothing (Parquet statistics, tables), unlike a second CSV parse. */
  cheapColumnStats: boolean;
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** `quote`: whether a reading error may repeat DuckDB's message, which can quote the file's lines. */
export async function resolveSource(conn: DuckDBConnection, source: TableSource, quote = true): Promise<ResolvedSource> {
  let relation: string;
  let cheapColumnStats = true;
  if ('table' in source) {
    relation = quoteIdent(source.table);
  } else if ((await readHead(source.file)).subarray(0, 4).toString('latin1') === 'PAR1') {
    relation = `read_parquet(${quoteString(source.file)})`;
  } else {
    // No boolean detection: a column of country codes holding `NO` (Norway) must stay text.
    relation = `read_csv(${quoteString(source.file)}, auto_type_candidates = ['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR'])`;
    cheapColumnStats = false;
  }
  let rows: unknown[][];
  try {
    rows = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowsJS();
  } catch (err) {
    const why = quote ? `: ${(err as Error).message.split('\n')[0]}` : ' (not a CSV or Parquet file it can read)';
    throw new InputError(`cannot read the table data${why}`, { reason: 'unreadable_data', cause: quote ? err : undefined });
  }
  return { relation, columns: new Map(rows.map((r) => [String(r[0]), String(r[1])])), cheapColumnStats };
}

async function readHead(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no data file ${path}`, { details: { path } });
    throw err;
  }
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;
export const isNumericType = (type: string) => NUMERIC.test(type);

/**
 * A DuckDB value as JSON keeps it: numbers (integers, decimals) stay numbers,
 * dates and timestamps become their SQL text (`2020-01-02`, `2020-01-02 10:00:00`).
 */
export function toJsonValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof (v as { toDouble?: unknown }).toDouble === 'function') return (v as { toDouble(): number }).toDouble();
  return String(v);
}
