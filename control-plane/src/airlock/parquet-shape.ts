/**
 * Row-level data in a Parquet output (issue 16 item 1). The file engine scans text and leaves
 * Parquet to a reviewer as "not checkable"; a Parquet file of person records is the commonest
 * way microdata leaves a TRE, so the airlock reads it with DuckDB (one thread, bounded memory,
 * from the staged private copy) and judges its shape as the engine judges a CSV's
 * (`disclosure/csv-shape.ts`): the first `SAMPLE_ROWS` rows as text, and the file's row count.
 * A row-level finding makes the file fail, as for a CSV (`file-requests.ts`).
 */
import { csvShape, rowLevelMessage } from '../disclosure/index.ts';
import { lit, openDuck } from '../data-copies/index.ts';
import type { AirlockFileCheck } from './file-requests.ts';

const SAMPLE_ROWS = 5_000;
const BUDGET_MS = 10_000;

/** Adds the row-level finding to a staged Parquet file's check when its rows are records. */
export async function checkParquetShape(check: AirlockFileCheck, stagedPath: string): Promise<AirlockFileCheck> {
  if (check.result.type.mime !== 'application/vnd.apache.parquet' || check.refusal) return check;
  const duck = await openDuck({ threads: 1, memoryLimit: '256MB' });
  const timer = setTimeout(() => duck.conn.interrupt(), BUDGET_MS);
  let header: string[];
  let body: string[][];
  let rows: number;
  try {
    const relation = `read_parquet(${lit(stagedPath)})`;
    header = (await duck.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowsJS().map((r) => String(r[0]));
    const cast = header.map((h) => `CAST("${h.replaceAll('"', '""')}" AS VARCHAR)`).join(', ');
    body = (await duck.conn.runAndReadAll(`SELECT ${cast} FROM ${relation} LIMIT ${SAMPLE_ROWS}`))
      .getRowsJS()
      .map((r) => r.map((v) => (v === null ? '' : String(v))));
    rows = Number((await duck.conn.runAndReadAll(`SELECT count(*) FROM ${relation}`)).getRowsJS()[0]?.[0] ?? 0);
  } catch {
    // Unreadable or over budget: it stays a file for a reviewer to judge, as the engine left it.
    return check;
  } finally {
    clearTimeout(timer);
    duck.close();
  }
  const shape = csvShape(header, body);
  if (!shape.rowLevel) return check;
  const rowLevel = { ...shape.rowLevel, rows };
  const finding = { check: 'row-level' as const, message: rowLevelMessage(rowLevel), rows };
  return { ...check, status: 'fail', result: { ...check.result, status: 'review', findings: [...check.result.findings, finding] } };
}
