import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet, resolvePolicy, type TableRules } from '../policies/index.ts';
import { checkTable, ledgerTableOf, TableCheckReportSchema, type LedgerTable, type TableCheckResult } from './index.ts';

let conn: DuckDBConnection;
let dir: string;
let strict: TableRules;
let fileNo = 0;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await mkdtemp(join(tmpdir(), 'secondary-'));
  strict = resolvePolicy(await loadPolicySet()).tables;
});

type Row = Record<string, string | number | null>;
const rep = (n: number, row: Row): Row[] => Array.from({ length: n }, () => ({ ...row }));

async function check(rows: Row[], spec: object, earlier: LedgerTable[] = [], rules: TableRules = strict): Promise<TableCheckResult> {
  const header = Object.keys(rows[0]!);
  const path = join(dir, `t${++fileNo}.csv`);
  await writeFile(path, `${[header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n')}\n`);
  return checkTable(conn, { source: { file: path }, spec, rules: { ...rules, checkMissing: false }, earlier });
}

const freq = (index: string[], columns: string[], margins = false) => ({ method: 'crosstab', index, columns, values: null, aggfunc: null, margins });
const released = async (id: string, rows: Row[], spec: object) => ledgerTableOf(await check(rows, spec), id, 'cohort');

describe('secondary suppression in the default profile', () => {
  it('blanks a second cell in the row and in the column of a blanked cell when both margins are printed', async () => {
    const rows = [
      ...rep(11, { g: 'a', c: 'p' }),
      ...rep(11, { g: 'a', c: 'q' }),
      ...rep(11, { g: 'b', c: 'p' }),
      ...rep(7, { g: 'b', c: 'q' }),
      ...rep(8, { g: 'c', c: 'q' }),
    ];
    const result = await check(rows, freq(['g'], ['c'], true));
    expect(result.table).toEqual({
      rowLabels: [['a'], ['b'], ['c'], ['All']],
      colLabels: [['p'], ['q'], ['All']],
      values: [
        [10, 10, 20],
        [null, null, 15],
        [null, null, 10],
        [20, 25, 45],
      ],
    });
    // The primary cells, as before: b·q (7 records), c·p (none).
    expect(result.rules.suppressed).toEqual([
      { row: ['b'], col: ['q'] },
      { row: ['c'], col: ['p'] },
    ]);
    // c·q: row c's total less it gave c·p (0); b·p: row b's total then gave b·q.
    expect(result.rules.secondary).toEqual([
      { row: ['b'], col: ['p'], reason: 'margin' },
      { row: ['c'], col: ['q'], reason: 'margin' },
    ]);
    expect(TableCheckReportSchema.parse({ status: result.status, table: result.table, rules: result.rules }).rules.secondary).toEqual(result.rules.secondary);
  });

  it('blanks the same cells in every aggfunc block of the table', async () => {
    const rows = [
      ...rep(20, { g: 'a', c: 'p', v: 2 }),
      ...rep(5, { g: 'a', c: 'q', v: 3 }),
      ...rep(30, { g: 'b', c: 'p', v: 4 }),
      ...rep(30, { g: 'b', c: 'q', v: 5 }),
    ];
    const spec = { method: 'pivot_table', index: ['g'], columns: ['c'], values: 'v', aggfunc: ['count', 'sum'], margins: true };
    const result = await check(rows, spec);
    expect(result.table.colLabels).toEqual([
      ['count', 'p'],
      ['count', 'q'],
      ['count', 'All'],
      ['sum', 'p'],
      ['sum', 'q'],
      ['sum', 'All'],
    ]);
    expect(result.table.values[0]).toEqual([null, null, 25, null, null, 55]);
    expect(result.rules.secondary).toEqual([
      { row: ['a'], col: ['count', 'p'], reason: 'margin' },
      { row: ['a'], col: ['sum', 'p'], reason: 'margin' },
      { row: ['b'], col: ['count', 'p'], reason: 'margin' },
      { row: ['b'], col: ['count', 'q'], reason: 'margin' },
      { row: ['b'], col: ['sum', 'p'], reason: 'margin' },
      { row: ['b'], col: ['sum', 'q'], reason: 'margin' },
    ]);
  });

  it("blanks a cell whose row total an earlier release printed, reason 'ledger'", async () => {
    const earlier = await released('export-1/by-sex.csv', [...rep(20, { sex: 'F', x: 1 }), ...rep(25, { sex: 'M', x: 1 })], freq(['sex'], ['x']));
    const rows = [...rep(5, { sex: 'F', age: 1 }), ...rep(15, { sex: 'F', age: 2 }), ...rep(12, { sex: 'M', age: 1 }), ...rep(13, { sex: 'M', age: 2 })];
    const result = await check(rows, freq(['sex'], ['age']), [earlier]);
    expect(result.table.values).toEqual([
      [null, null],
      [10, 15],
    ]);
    expect(result.rules.secondary).toEqual([{ row: ['F'], col: [2], reason: 'ledger' }]);
    expect(result.rules.differencing).toEqual([]);
  });

  it('takes no relation from an earlier release whose figure for those records was blanked', async () => {
    const earlier = await released(
      'export-1/by-region.csv',
      [...rep(3, { sex: 'F', region: 'n' }), ...rep(17, { sex: 'F', region: 's' }), ...rep(25, { sex: 'M', region: 'n' })],
      freq(['sex'], ['region']),
    );
    expect(earlier.withheld).toEqual([
      { over: ['sex', 'region'], labels: ['F', 'n'] },
      { over: ['sex', 'region'], labels: ['M', 's'] },
    ]);
    const rows = [...rep(5, { sex: 'F', age: 1 }), ...rep(15, { sex: 'F', age: 2 }), ...rep(12, { sex: 'M', age: 1 }), ...rep(13, { sex: 'M', age: 2 })];
    const result = await check(rows, freq(['sex'], ['age']), [earlier]);
    expect(result.rules.secondary).toEqual([]);
    expect(result.table.values).toEqual([
      [null, 15],
      [10, 15],
    ]);
  });

  it('protects a three-way table against the subtotals an earlier two-way release printed', async () => {
    // Earlier: region × year. Now: region × sex × year; the cell (n, F, 2020) of 4 would be its subtotal less (n, M, 2020).
    const people = [
      ...rep(4, { region: 'n', sex: 'F', year: 2020 }),
      ...rep(30, { region: 'n', sex: 'M', year: 2020 }),
      ...rep(20, { region: 'n', sex: 'F', year: 2021 }),
      ...rep(25, { region: 'n', sex: 'M', year: 2021 }),
      ...rep(18, { region: 's', sex: 'F', year: 2020 }),
      ...rep(22, { region: 's', sex: 'M', year: 2020 }),
      ...rep(16, { region: 's', sex: 'F', year: 2021 }),
      ...rep(40, { region: 's', sex: 'M', year: 2021 }),
    ];
    const earlier = await released('export-1/region-year.csv', people, freq(['region'], ['year']));
    const result = await check(people, freq(['region', 'sex'], ['year']), [earlier]);
    expect(result.rules.suppressed).toEqual([{ row: ['n', 'F'], col: [2020] }]);
    expect(result.rules.secondary).toEqual([{ row: ['n', 'M'], col: [2020], reason: 'ledger' }]);
    expect(result.table.values.slice(0, 2)).toEqual([
      [null, 20],
      [null, 25],
    ]);
  });

  it("saves the table through the room helper's CSV writer with primary and secondary cells both empty", async () => {
    const rows = [...rep(20, { g: 'a', c: 'p' }), ...rep(5, { g: 'a', c: 'q' }), ...rep(30, { g: 'b', c: 'p' }), ...rep(30, { g: 'b', c: 'q' })];
    const spec = freq(['g'], ['c'], true);
    const result = await check(rows, spec);
    const helper = fileURLToPath(new URL('../../../workspace-images/airlock-helper', import.meta.url));
    const out = join(dir, 'saved.csv');
    const script =
      'import json, sys; sys.path.insert(0, sys.argv[1]); import analyserom_airlock as a; a.write_table_csv(json.loads(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4]))';
    await promisify(execFile)('python3', [
      '-c',
      script,
      helper,
      JSON.stringify({ status: result.status, table: result.table, rules: result.rules }),
      out,
      JSON.stringify(spec),
    ]);
    expect(await readFile(out, 'utf8')).toBe('g,p,q,All\r\na,,,25\r\nb,,,60\r\nAll,50,35,85\r\n');
  });

  it('records in the ledger which figures a release blanked and which margins it printed', async () => {
    const rows = [...rep(20, { g: 'a', c: 'p' }), ...rep(5, { g: 'a', c: 'q' }), ...rep(30, { g: 'b', c: 'p' }), ...rep(30, { g: 'b', c: 'q' })];
    const ledger = ledgerTableOf(await check(rows, freq(['g'], ['c'], true)), 'export-2/t.csv', 'cohort');
    expect(ledger).toEqual({
      id: 'export-2/t.csv',
      source: 'cohort',
      variables: ['g', 'c'],
      cells: [
        { labels: ['a', 'p'], count: 20 },
        { labels: ['a', 'q'], count: 5 },
        { labels: ['b', 'p'], count: 30 },
        { labels: ['b', 'q'], count: 30 },
      ],
      margins: [['g'], ['c'], []],
      withheld: [
        { over: ['g', 'c'], labels: ['a', 'p'] },
        { over: ['g', 'c'], labels: ['a', 'q'] },
        { over: ['g', 'c'], labels: ['b', 'p'] },
        { over: ['g', 'c'], labels: ['b', 'q'] },
      ],
    });
  });

  it('leaves the secondary list out when the policy does not ask for it', async () => {
    const rows = [...rep(20, { g: 'a', c: 'p' }), ...rep(5, { g: 'a', c: 'q' })];
    const result = await check(rows, freq(['g'], ['c'], true), [], { ...strict, secondarySuppression: false });
    expect(result.rules.secondary).toBeUndefined();
    // The column total of q is 5 records too, so it is blanked as well: a primary suppression of a margin.
    expect(result.table.values).toEqual([
      [20, null, 25],
      [20, null, 25],
    ]);
  });
});
