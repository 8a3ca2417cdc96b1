/**
 * Benchmark of the table checks (issue 5): 5 million records generated in
 * DuckDB and written to Parquet; a three-variable crosstab of mean(v) with
 * about 240 cells and one with about 24,000 cells, checked with every rule of
 * the default profile (missing-value check on), timed against DuckDB's bare
 * GROUP BY of the same table over the same file, in the same process; and an OLS with 10
 * covariates over as many records (issue 13): the regression check (design, cross-products in
 * one DuckDB pass, solve) against DuckDB's bare aggregate pass gathering the same cross-products
 * (Σxᵢxⱼ, Σxᵢy, Σy², n) over the same file.
 * Each figure is the best of several interleaved runs.
 * Last line: one JSON object with the figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkRegression, checkTable } from '../../control-plane/src/disclosure/index.ts';
import { loadPolicySet, resolvePolicy } from '../../control-plane/src/policies/index.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);

const dir = await mkdtemp(join(tmpdir(), 'bench-outputs-'));
const file = join(dir, 'records.parquet');
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
try {
  // 240 cells: a(4) × b(6) | c(10); 24,000 cells: d(40) × e(25) | f(24). 1% of v missing.
  await conn.run(`COPY (
    SELECT (hash(i) % 4)::INTEGER AS a, 'b' || (hash(i + 1) % 6)::VARCHAR AS b, (2010 + hash(i + 2) % 10)::INTEGER AS c,
           (hash(i + 3) % 40)::INTEGER AS d, 'e' || (hash(i + 4) % 25)::VARCHAR AS e, (hash(i + 5) % 24)::INTEGER AS f,
           CASE WHEN hash(i + 6) % 100 = 0 THEN NULL ELSE 20 + (hash(i + 7) % 10000) / 100.0 END AS v
    FROM range(${ROWS}) r(i)) TO '${file}' (FORMAT parquet)`);
  const rules = { ...resolvePolicy(await loadPolicySet()).tables, checkMissing: true };

  const cases = {
    '240': { index: ['a', 'b'], columns: ['c'] },
    '24k': { index: ['d', 'e'], columns: ['f'] },
  } as const;
  const figures: Record<string, number> = {};
  for (const [name, dims] of Object.entries(cases)) {
    const spec = { method: 'crosstab', ...dims, values: 'v', aggfunc: 'mean', margins: false };
    const groupBy = `SELECT ${[...dims.index, ...dims.columns].join(', ')}, avg(v) FROM read_parquet('${file}') GROUP BY ALL`;
    let check = Infinity;
    let bare = Infinity;
    let cells = 0;
    let status = '';
    for (let i = 0; i < REPEATS; i++) {
      let t = performance.now();
      const groups = (await conn.runAndReadAll(groupBy)).currentRowCount;
      bare = Math.min(bare, (performance.now() - t) / 1000);
      t = performance.now();
      const result = await checkTable(conn, { source: { file }, spec, rules });
      check = Math.min(check, (performance.now() - t) / 1000);
      cells = result.table.values.length * (result.table.values[0]?.length ?? 0);
      status = `${result.status} (${groups} groups)`;
    }
    const withMargins = performance.now();
    await checkTable(conn, { source: { file }, spec: { ...spec, margins: true }, rules });
    const marginsS = (performance.now() - withMargins) / 1000;
    console.log(
      `${name}: ${cells} cells, status ${status}: check ${check.toFixed(3)} s, bare GROUP BY ${bare.toFixed(3)} s, ratio ${(check / bare).toFixed(2)}; with margins ${marginsS.toFixed(3)} s`,
    );
    figures[`check_s_${name}`] = Number(check.toFixed(3));
    figures[`groupby_s_${name}`] = Number(bare.toFixed(3));
  }
  const ratio = Math.max(figures.check_s_240! / figures.groupby_s_240!, figures['check_s_24k']! / figures['groupby_s_24k']!);
  const ols = await olsFigures();
  console.log(JSON.stringify({ bench: 'outputs', rows: ROWS, ...figures, ratio: Number(ratio.toFixed(2)), ...ols }));
} finally {
  conn.closeSync();
  await rm(dir, { recursive: true, force: true });
}

/** The OLS figure: 10 covariates, a constant; `ols_s` the check, `ols_ratio` against the bare pass. */
async function olsFigures(): Promise<{ ols_s: number; ols_bare_s: number; ols_ratio: number }> {
  const olsFile = join(dir, 'ols.parquet');
  const xs = Array.from({ length: 10 }, (_, j) => `x${j + 1}`);
  await conn.run(`COPY (
    SELECT ${xs.map((x, j) => `(hash(i + ${j * 7 + 11}) % 10000) / 1000.0 AS ${x}`).join(', ')},
           1 + ${xs.map((_, j) => `${(j + 1) / 10} * ((hash(i + ${j * 7 + 11}) % 10000) / 1000.0)`).join(' + ')} + (hash(i + 3) % 1000) / 100.0 AS y
    FROM range(${ROWS}) r(i)) TO '${olsFile}' (FORMAT parquet)`);
  const cols = ['y', ...xs];
  const products: string[] = ['count(*)'];
  for (let a = 0; a < cols.length; a++) {
    products.push(`sum(${cols[a]})`);
    for (let b = a; b < cols.length; b++) products.push(`sum(${cols[a]} * ${cols[b]})`);
  }
  const bareSql = `SELECT ${products.join(', ')} FROM read_parquet('${olsFile}')`;
  const spec = { method: 'ols', dependent: 'y', independent: xs, constant: true };
  const rules = resolvePolicy(await loadPolicySet()).tables;
  let check = Infinity;
  let bare = Infinity;
  let status = '';
  for (let i = 0; i < REPEATS; i++) {
    let t = performance.now();
    await conn.runAndReadAll(bareSql);
    bare = Math.min(bare, (performance.now() - t) / 1000);
    t = performance.now();
    const report = await checkRegression(conn, { source: { file: olsFile }, spec, rules });
    check = Math.min(check, (performance.now() - t) / 1000);
    status = `${report.status}, dof ${report.dof}, x10 ${report.params.x10?.coef.toFixed(3)}`;
  }
  console.log(`ols: 10 covariates, ${status}: check ${check.toFixed(3)} s, bare cross-products ${bare.toFixed(3)} s, ratio ${(check / bare).toFixed(2)}`);
  return { ols_s: Number(check.toFixed(3)), ols_bare_s: Number(bare.toFixed(3)), ols_ratio: Number((check / bare).toFixed(2)) };
}
