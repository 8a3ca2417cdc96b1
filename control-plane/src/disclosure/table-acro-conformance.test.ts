/**
 * Conformance with ACRO itself: the profile `acro` against ACRO 1.0.1's own verdicts and
 * `acro-0.4` against ACRO 0.4.12's, cell by cell, on the tables of `test/fixtures/acro-1.0`
 * and `test/fixtures/acro-0.4` (made by `test/fixtures/acro-1.0/make.py`, which ran ACRO's
 * own rule code on them). Where a profile file says it does not copy one of ACRO's bugs,
 * the expectation is ACRO's verdict with that bug undone, each in `undoBugs10` / `undoBugs04`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet, resolvePolicy, type TableRules } from '../policies/index.ts';
import { checkTable, type TableCheckResult } from './index.ts';

type Label = string | number;
interface FixtureCell {
  row: Label[];
  col: Label[];
  rules: string[];
}
interface FixtureCase {
  name: string;
  spec: { aggfunc: string | null; margins: boolean };
  /** ACRO's risk appetite beyond its defaults: `check_missing_values`. */
  options: { checkMissing?: boolean };
  csv: string;
  acroStatus: string;
  rows: Label[][];
  cols: Label[][];
  cells: FixtureCell[];
}
interface Fixture {
  acro: string;
  commit: string;
  cases: FixtureCase[];
}

const fixtureDir = new URL('../../../test/fixtures/', import.meta.url);
const load = async (name: string): Promise<Fixture> => JSON.parse(await readFile(new URL(`${name}/cases.json`, fixtureDir), 'utf8'));

let conn: DuckDBConnection;
let dir: string;
const rules: Record<string, TableRules> = {};
const fixtures: Record<string, Fixture> = {};

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await mkdtemp(join(tmpdir(), 'acro-conformance-'));
  const set = await loadPolicySet();
  for (const profile of ['acro', 'acro-0.4']) rules[profile] = resolvePolicy(set, { profile }).tables;
  fixtures['acro-1.0'] = await load('acro-1.0');
  fixtures['acro-0.4'] = await load('acro-0.4');
});

/** Our verdict per cell, keyed like the fixture's: the rules that list the cell. */
function ourCells(result: TableCheckResult): Map<string, string[]> {
  const out = new Map<string, string[]>();
  result.table.rowLabels.forEach((row) => {
    for (const col of result.table.colLabels) out.set(JSON.stringify([row, col]), []);
  });
  for (const [rule, refs] of Object.entries(result.rules)) {
    if (rule === 'suppressed' || rule === 'differencing') continue;
    for (const ref of refs as Array<{ row: Label[]; col: Label[] }>) out.get(JSON.stringify([ref.row, ref.col]))!.push(rule);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** A cell's records and non-missing values, from the fixture's CSV (row variables, `c`, `v`). */
function cellCounts(testCase: FixtureCase, row: Label[], col: Label[]): { n: number; nn: number } {
  const [header, ...lines] = testCase.csv.trim().split('\n');
  const names = header!.split(',');
  const rowVars = names.filter((name) => name !== 'c' && name !== 'v');
  let n = 0;
  let nn = 0;
  for (const line of lines) {
    const field = Object.fromEntries(line.split(',').map((value, i) => [names[i], value]));
    const inRow = row[0] === 'All' || rowVars.every((name, i) => String(row[i]) === field[name]);
    const inCol = col[0] === 'All' || String(col[0]) === field.c;
    if (inRow && inCol) {
      n++;
      if (field.v !== '') nn++;
    }
  }
  return { n, nn };
}

const isMargin = (cell: FixtureCell) => cell.row[0] === 'All' || cell.col[0] === 'All';

/**
 * ACRO 1.0.1's verdicts with the bug `policies/acro.yaml` does not copy undone: the margin of
 * a row combination never observed is NaN in pandas' count table (not 0), so `NaN < threshold`
 * and `NaN == 0` pass it; we judge it as the row's empty inner cells, which ACRO fails.
 */
function undoBugs10(testCase: FixtureCase, cell: FixtureCell): string[] {
  if (isMargin(cell) && cellCounts(testCase, cell.row, cell.col).n === 0) {
    const inner = testCase.cells.find((c) => !isMargin(c) && JSON.stringify(c.row) === JSON.stringify(cell.row));
    if (inner) return [...inner.rules].sort();
  }
  return [...cell.rules].sort();
}

/**
 * ACRO 0.4.12's verdicts with the bugs `policies/acro-0.4.yaml` does not copy undone:
 * an empty cell of a values table fails the threshold (ACRO: `NaN < THRESHOLD` is false);
 * a cell of one value among missing ones fails p-ratio (ACRO: `vals.size <= 1` counts the
 * missing, and the NaN ratio passes); with negatives, ACRO's outcome is the negative cells
 * alone (apply_suppression: `if "negative" in masks`), nk and p-ratio are not applied, and
 * threshold failures still count here; the missing-value check never flags a margin (pandas
 * drops the records with a missing value before it computes the margins of `agg_missing`).
 */
function undoBugs04(testCase: FixtureCase, cell: FixtureCell): string[] {
  const rules = new Set(cell.rules);
  const hasNegative = testCase.cells.some((c) => c.rules.includes('negative'));
  if (testCase.spec.aggfunc !== null && testCase.spec.aggfunc !== 'mode') {
    const { n, nn } = cellCounts(testCase, cell.row, cell.col);
    if (n === 0) rules.add('threshold');
    if (nn === 1 && n > 1 && !hasNegative) rules.add('p-ratio');
    if (testCase.options.checkMissing && isMargin(cell) && (n === 0 || nn < n)) rules.add('missing');
  }
  if (hasNegative) {
    rules.delete('nk');
    rules.delete('p-ratio');
  }
  return [...rules].sort();
}

const cases = [
  { profile: 'acro', fixture: 'acro-1.0', expected: undoBugs10 },
  { profile: 'acro-0.4', fixture: 'acro-0.4', expected: undoBugs04 },
] as const;

describe.each(cases)('the $profile profile against $fixture', ({ profile, fixture, expected }) => {
  it('agrees with ACRO cell by cell on every table of the conformance set', async () => {
    const { cases: tables } = fixtures[fixture]!;
    expect(tables.length).toBeGreaterThanOrEqual(36);
    const disagreements: string[] = [];
    for (const [i, testCase] of tables.entries()) {
      const file = join(dir, `${fixture}-${i}.csv`);
      await writeFile(file, testCase.csv);
      const result = await checkTable(conn, { source: { file }, spec: testCase.spec, rules: { ...rules[profile]!, ...testCase.options } });
      expect(result.table.rowLabels, testCase.name).toEqual(testCase.rows);
      expect(result.table.colLabels, testCase.name).toEqual(testCase.cols);
      const ours = ourCells(result);
      for (const cell of testCase.cells) {
        const want = expected(testCase, cell);
        const got = ours.get(JSON.stringify([cell.row, cell.col]));
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          disagreements.push(`${testCase.name} [${cell.row}] [${cell.col}]: ACRO ${JSON.stringify(want)}, ours ${JSON.stringify(got)}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});

it("the acro profile gives each table ACRO 1.0.1's own status", async () => {
  for (const [i, testCase] of fixtures['acro-1.0']!.cases.entries()) {
    const file = join(dir, `status-${i}.csv`);
    await writeFile(file, testCase.csv);
    const result = await checkTable(conn, { source: { file }, spec: testCase.spec, rules: { ...rules.acro!, ...testCase.options } });
    expect(result.status, testCase.name).toBe(testCase.acroStatus);
  }
});
