import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { loadPolicySet, resolvePolicy, type TableRules } from '../policies/index.ts';
import { checkTable, TableCheckReportSchema, type TableCheckResult } from './index.ts';

let conn: DuckDBConnection;
let dir: string;
let acro: TableRules;
let acro04: TableRules;
let strict: TableRules;
let fileNo = 0;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await mkdtemp(join(tmpdir(), 'table-check-'));
  const set = await loadPolicySet();
  acro = resolvePolicy(set, { profile: 'acro' }).tables;
  acro04 = resolvePolicy(set, { profile: 'acro-0.4' }).tables;
  strict = resolvePolicy(set).tables;
});

type Row = Record<string, string | number | null>;

async function csv(rows: Row[]): Promise<string> {
  const header = Object.keys(rows[0]!);
  const text = [header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n');
  const path = join(dir, `t${++fileNo}.csv`);
  await writeFile(path, `${text}\n`);
  return path;
}

/** n rows of `row`, with the values column set from `values` when given. */
const rep = (n: number, row: Row): Row[] => Array.from({ length: n }, () => ({ ...row }));
const withValues = (row: Row, values: Array<number | null>): Row[] => values.map((v) => ({ ...row, v }));

const noRules = { threshold: [], zeros: [], nk: [], 'p-ratio': [], dof: [], missing: [], negative: [] };

async function check(rows: Row[], spec: object, rules: TableRules = acro): Promise<TableCheckResult> {
  return checkTable(conn, { source: { file: await csv(rows) }, spec, rules });
}

const freq = (index: string[], columns: string[], margins = false) => ({ method: 'crosstab', index, columns, values: null, aggfunc: null, margins });
const agg = (aggfunc: string | string[], index = ['g'], columns = ['c'], margins = false) => ({
  method: 'crosstab',
  index,
  columns,
  values: 'v',
  aggfunc,
  margins,
});

describe('reading CSV tables', () => {
  it('keeps a country code column holding NO (Norway) as text, not as a boolean', async () => {
    const result = await check([...rep(12, { country: 'NO', c: 'k' }), ...rep(11, { country: 'SE', c: 'k' })], freq(['country'], ['c']));
    expect(result.table.rowLabels).toEqual([['NO'], ['SE']]);
    expect(result.table.values).toEqual([[12], [11]]);
  });

  it('reads every label exactly: short and long, any script, across result chunks of 2,048 groups', async () => {
    // Short labels are interned by their inline bytes (result-columns.ts); these differ in length, script and last byte.
    const names = ['a', 'ab', 'abcdefghijkl', 'abcdefghijklm', 'Ålesund', 'Ålesunc', 'Tromsø og omegn, nord', '北京', ''];
    const table = join(dir, 'labels.parquet');
    await conn.run(`COPY (SELECT ${sqlList(names)}[1 + (i % ${names.length})] AS name, i // ${names.length} AS k
                          FROM range(${names.length * 700}) r(i)) TO '${table}' (FORMAT parquet)`);
    const result = await checkTable(conn, { source: { file: table }, spec: freq(['name'], ['k']), rules: acro });
    expect(result.table.rowLabels).toEqual([...names].sort().map((name) => [name]));
    expect(result.table.colLabels).toEqual(Array.from({ length: 700 }, (_, k) => [k]));
    expect(new Set(result.table.values.flat())).toEqual(new Set([1]));
  });

  it('drops records whose grouping value is NaN, as pandas drops missing ones', async () => {
    const table = join(dir, 'nan.parquet');
    await conn.run(`COPY (SELECT CASE WHEN i < 10 THEN 1.5 ELSE 'NaN'::DOUBLE END AS x, 'k' AS c FROM range(13) r(i)) TO '${table}' (FORMAT parquet)`);
    const result = await checkTable(conn, { source: { file: table }, spec: freq(['x'], ['c']), rules: acro });
    expect(result.table).toEqual({ rowLabels: [[1.5]], colLabels: [['k']], values: [[10]] });
  });
});

const sqlList = (texts: string[]) => `[${texts.map((t) => `'${t.replaceAll("'", "''")}'`).join(', ')}]`;

describe('threshold and zeros on frequency tables', () => {
  it('fails a cell of 9 records and passes a cell of 10', async () => {
    const result = await check([...rep(9, { g: 'a', c: 'k' }), ...rep(10, { g: 'b', c: 'k' })], freq(['g'], ['c']));
    expect({ ...result, ledger: undefined }).toEqual({
      status: 'fail',
      table: { rowLabels: [['a'], ['b']], colLabels: [['k']], values: [[9], [10]] },
      rules: { ...noRules, threshold: [{ row: ['a'], col: ['k'] }] },
      ledger: undefined,
    });
  });

  it('covers every combination of observed levels over several variables, empty ones failing zeros', async () => {
    const rows = [...rep(10, { a: 1, b: 'x', c: 'p' }), ...rep(12, { a: 2, b: 'y', c: 'q' }), ...rep(11, { a: 1, b: 'y', c: 'q' })];
    const result = await check(rows, freq(['a', 'b'], ['c']));
    expect(result.table).toEqual({
      rowLabels: [
        [1, 'x'],
        [1, 'y'],
        [2, 'x'],
        [2, 'y'],
      ],
      colLabels: [['p'], ['q']],
      values: [
        [10, 0],
        [0, 11],
        [0, 0],
        [0, 12],
      ],
    });
    const empty = [
      { row: [1, 'x'], col: ['q'] },
      { row: [1, 'y'], col: ['p'] },
      { row: [2, 'x'], col: ['p'] },
      { row: [2, 'x'], col: ['q'] },
      { row: [2, 'y'], col: ['p'] },
    ];
    expect(result.rules).toEqual({ ...noRules, threshold: empty, zeros: empty });
    expect(result.status).toBe('fail');
  });

  it('does not report zeros when zeros are not disclosive', async () => {
    const rows = [...rep(10, { g: 'a', c: 'p' }), ...rep(10, { g: 'b', c: 'q' })];
    const result = await check(rows, freq(['g'], ['c']), { ...acro, zerosDisclosive: false });
    expect(result.rules.zeros).toEqual([]);
    expect(result.rules.threshold).toEqual([
      { row: ['a'], col: ['q'] },
      { row: ['b'], col: ['p'] },
    ]);
  });

  it('adds All margins checked like other cells, multi-level labels padded', async () => {
    const rows = [...rep(10, { a: 1, b: 'x', c: 2019 }), ...rep(5, { a: 1, b: 'x', c: 2020 }), ...rep(10, { a: 2, b: 'x', c: 2020 })];
    const result = await check(rows, freq(['a', 'b'], ['c'], true));
    expect(result.table).toEqual({
      rowLabels: [
        [1, 'x'],
        [2, 'x'],
        ['All', ''],
      ],
      colLabels: [[2019], [2020], ['All']],
      values: [
        [10, 5, 15],
        [0, 10, 10],
        [10, 15, 25],
      ],
    });
    expect(result.rules.threshold).toEqual([
      { row: [1, 'x'], col: [2020] },
      { row: [2, 'x'], col: [2019] },
    ]);
  });

  it('ignores records with a missing grouping value, as pandas does', async () => {
    const result = await check([...rep(10, { g: 'a', c: 'k' }), ...rep(3, { g: null, c: 'k' })], freq(['g'], ['c']));
    expect(result.table.values).toEqual([[10]]);
    expect(result.status).toBe('pass');
  });
});

describe('dominance (nk) on mean and sum tables', () => {
  // 50 + 40 of 100: the top two make up exactly 0.9 of the cell.
  const atK = withValues({ g: 'a', c: 'k' }, [50, 40, ...Array(8).fill(1.25)]);
  const overK = withValues({ g: 'a', c: 'k' }, [50, 41, ...Array(8).fill(1.125)]);

  it('ACRO 0.4 passes a top-two share of exactly k (share > k fails)', async () => {
    // ACRO 0.4.12 acro_tables.py agg_nk: `(n_total / total) > SAFE_NK_K`.
    const result = await check(atK, agg('sum'), acro04);
    expect({ ...result, ledger: undefined }).toEqual({
      status: 'pass',
      table: { rowLabels: [['a']], colLabels: [['k']], values: [[100]] },
      rules: noRules,
      ledger: undefined,
    });
  });

  it('ACRO 1.0 and the default profile fail a share of exactly k', async () => {
    // ACRO 1.0.1 sdcchecks.py check_nk_dominance: `proportionmask >= self.risk_appetite["safe_nk_k"]`.
    for (const rules of [acro, strict]) {
      const result = await check(atK, agg('mean'), { ...rules, checkMissing: false, suppressAtOrBelow: null, differencing: false });
      expect(result.rules).toEqual({ ...noRules, nk: [{ row: ['a'], col: ['k'] }] });
    }
  });

  it('fails a share just over k', async () => {
    const result = await check(overK, agg('mean'));
    expect(result.status).toBe('fail');
    expect(result.rules).toEqual({ ...noRules, nk: [{ row: ['a'], col: ['k'] }] });
  });

  it('settles dominance the same from Parquet, where cells are bounded by the column-wide largest value', async () => {
    const source = async (rows: Row[]) => {
      const path = join(dir, `t${++fileNo}.parquet`);
      await conn.run(`COPY (SELECT * FROM read_csv('${await csv(rows)}')) TO '${path}' (FORMAT parquet)`);
      return { file: path };
    };
    const spec = agg('sum', ['g'], ['c'], true);
    const other = withValues({ g: 'b', c: 'k' }, Array(10).fill(5));
    expect((await checkTable(conn, { source: await source([...atK, ...other]), spec, rules: acro04 })).rules).toEqual(noRules);
    const over = await checkTable(conn, { source: await source([...overK, ...other]), spec, rules: acro });
    expect(over.rules).toEqual({
      ...noRules,
      nk: [
        { row: ['a'], col: ['k'] },
        { row: ['a'], col: ['All'] },
      ],
    });
  });

  it('judges dominance in margins from the records of the whole margin', async () => {
    // Largest 50, second 41 of 100: only the exact top two settle it, in the inner cell and in each margin.
    const result = await check(overK, agg('sum', ['g'], ['c'], true));
    expect(result.rules).toEqual({
      ...noRules,
      nk: [
        { row: ['a'], col: ['k'] },
        { row: ['a'], col: ['All'] },
        { row: ['All'], col: ['k'] },
        { row: ['All'], col: ['All'] },
      ],
    });
    // Exactly k passes in ACRO 0.4: only the fetched top two (not the bound 2 × largest) can tell.
    expect((await check(atK, agg('sum', ['g'], ['c'], true), acro04)).rules).toEqual(noRules);
  });

  it('a margin dominated by one record fails while the other cells pass', async () => {
    const rows = [
      ...withValues({ g: 'a', c: 'p' }, [1000, ...Array(9).fill(1)]),
      ...withValues({ g: 'a', c: 'q' }, Array(10).fill(1)),
      ...withValues({ g: 'b', c: 'p' }, Array(10).fill(5)),
      ...withValues({ g: 'b', c: 'q' }, Array(10).fill(5)),
    ];
    const result = await check(rows, agg('sum', ['g'], ['c'], true), { ...acro, pRatio: 0.001 });
    expect(result.rules.nk).toEqual([
      { row: ['a'], col: ['p'] },
      { row: ['a'], col: ['All'] },
      { row: ['All'], col: ['p'] },
    ]);
  });
});

describe('p-ratio', () => {
  const loose = () => ({ ...acro, nk: { n: 2, k: 1, failAtK: false } });

  it('passes a ratio of exactly p', async () => {
    // (100 − 50 − 45) / 50 = 0.1
    const result = await check(withValues({ g: 'a', c: 'k' }, [50, 45, ...Array(8).fill(0.625)]), agg('sum'), loose());
    expect(result.rules).toEqual(noRules);
  });

  it('fails a ratio just under p', async () => {
    // (100 − 50 − 45.5) / 50 = 0.09
    const result = await check(withValues({ g: 'a', c: 'k' }, [50, 45.5, ...Array(8).fill(0.5625)]), agg('sum'), loose());
    expect(result.rules).toEqual({ ...noRules, 'p-ratio': [{ row: ['a'], col: ['k'] }] });
  });

  it('fails an all-zero cell, and passes nk; ACRO 0.4 passes it when zeros are not disclosive', async () => {
    const rows = withValues({ g: 'a', c: 'k' }, Array(10).fill(0));
    const fails = { ...noRules, 'p-ratio': [{ row: ['a'], col: ['k'] }] };
    expect((await check(rows, agg('mean'))).rules).toEqual(fails);
    // ACRO 1.0.1 check_ppercent_dominance: where the largest value is 0 the ratio is total − top two = 0, whatever zeros_are_disclosive says.
    expect((await check(rows, agg('mean'), { ...acro, zerosDisclosive: false })).rules).toEqual(fails);
    // ACRO 0.4.12 agg_p_percent: `if total <= 0.0 ...: return bool(ZEROS_ARE_DISCLOSIVE)`.
    expect((await check(rows, agg('mean'), { ...acro04, zerosDisclosive: false })).rules).toEqual(noRules);
  });

  it('fails a single-contributor cell on threshold, nk and p-ratio', async () => {
    const rows = [...withValues({ g: 'a', c: 'k' }, [7]), ...withValues({ g: 'b', c: 'k' }, Array(10).fill(3))];
    const result = await check(rows, agg('mean'));
    const a = [{ row: ['a'], col: ['k'] }];
    expect(result.rules).toEqual({ ...noRules, threshold: a, nk: a, 'p-ratio': a });
    expect(result.table.values).toEqual([[7], [3]]);
  });
});

describe('missing and negative values', () => {
  it('an all-missing cell of 10 records passes in ACRO 1.0; ACRO 0.4 and the default profile fail its threshold and p-ratio', async () => {
    const rows = [...withValues({ g: 'a', c: 'k' }, Array(10).fill(null)), ...withValues({ g: 'b', c: 'k' }, Array(10).fill(2))];
    const table = { rowLabels: [['a'], ['b']], colLabels: [['k']], values: [[null], [2]] };
    // ACRO 1.0.1: the threshold counts records (tablemodeldetails.py get_count_table, a crosstab without values);
    // p-ratio's NaN ratio is filled with 1.0 (sdcchecks.py check_ppercent_dominance `p_val.fillna(1.0)`).
    expect({ ...(await check(rows, agg('mean'))), ledger: undefined }).toEqual({ status: 'pass', table, rules: noRules, ledger: undefined });
    const a = [{ row: ['a'], col: ['k'] }];
    for (const rules of [acro04, { ...strict, suppressAtOrBelow: null, checkMissing: false, differencing: false }]) {
      expect({ ...(await check(rows, agg('mean'), rules)), ledger: undefined }).toEqual({
        status: 'fail',
        table,
        rules: { ...noRules, threshold: a, 'p-ratio': a },
        ledger: undefined,
      });
    }
  });

  it('reports cells with a missing value or no records under missing when the check is on', async () => {
    const rows = [...withValues({ g: 'a', c: 'p' }, [...Array(10).fill(2), null]), ...withValues({ g: 'b', c: 'q' }, Array(10).fill(2))];
    const result = await check(rows, agg('mean'), { ...acro, checkMissing: true });
    expect(result.rules.missing).toEqual([
      { row: ['a'], col: ['p'] },
      { row: ['a'], col: ['q'] },
      { row: ['b'], col: ['p'] },
    ]);
  });

  it('an all-negative cell is reported under negative, nk and p-ratio are not judged, status review', async () => {
    const rows = [...withValues({ g: 'a', c: 'k' }, Array(10).fill(-4)), ...withValues({ g: 'b', c: 'k' }, [100, ...Array(9).fill(1)])];
    const result = await check(rows, agg('sum'));
    expect({ ...result, ledger: undefined }).toEqual({
      status: 'review',
      table: { rowLabels: [['a'], ['b']], colLabels: [['k']], values: [[-40], [109]] },
      rules: { ...noRules, negative: [{ row: ['a'], col: ['k'] }] },
      ledger: undefined,
    });
  });
});

describe('dof on std tables', () => {
  it('fails 10 records (9 degrees of freedom) and passes 11', async () => {
    const rows = [
      ...withValues(
        { g: 'a', c: 'k' },
        Array.from({ length: 10 }, (_, i) => i),
      ),
      ...withValues(
        { g: 'b', c: 'k' },
        Array.from({ length: 11 }, (_, i) => i),
      ),
    ];
    const result = await check(rows, agg('std'));
    expect(result.rules).toEqual({ ...noRules, dof: [{ row: ['a'], col: ['k'] }] });
    expect(result.table.values.map((r) => Number((r[0] as number).toFixed(6)))).toEqual([3.02765, 3.316625]);
  });
});

describe('rules per aggfunc', () => {
  it('median, min and max are judged on threshold and zeros only; mode on zeros only', async () => {
    // One dominant record: nk and p-ratio would fail a mean, not these.
    const rows = [...withValues({ g: 'a', c: 'p' }, [1000, ...Array(9).fill(1)]), ...withValues({ g: 'b', c: 'q' }, Array(9).fill(2))];
    const result = await check(rows, agg(['median', 'max', 'mode']));
    const cells = (col: string) => [
      { row: ['a'], col: [col, 'q'] },
      { row: ['b'], col: [col, 'p'] },
    ];
    expect(result.rules).toEqual({
      ...noRules,
      threshold: [
        { row: ['a'], col: ['median', 'q'] },
        { row: ['a'], col: ['max', 'q'] },
        { row: ['b'], col: ['median', 'p'] },
        { row: ['b'], col: ['median', 'q'] },
        { row: ['b'], col: ['max', 'p'] },
        { row: ['b'], col: ['max', 'q'] },
      ],
      zeros: [cells('median')[0], cells('max')[0], cells('mode')[0], cells('median')[1], cells('max')[1], cells('mode')[1]],
    });
    expect(result.table.values).toEqual([
      [1, null, 1000, null, 1, null],
      [null, 2, null, 2, null, 2],
    ]);
  });
});

describe('rules per aggfunc, ACRO 0.4', () => {
  it('judges mode only by whether all values of a cell are the same, an empty cell failing', async () => {
    // ACRO 0.4.12 acro_tables.py create_crosstab_masks: mode gets agg_values_are_same (`nunique(dropna=True) == 1`) alone; NaN filled with True.
    const rows = [...withValues({ g: 'a', c: 'p' }, [3, 3, null]), ...withValues({ g: 'b', c: 'p' }, [1, 2, 2]), ...withValues({ g: 'b', c: 'q' }, [5])];
    const result = await check(rows, agg('mode'), acro04);
    expect(result.status).toBe('fail');
    expect(result.rules).toEqual({
      ...noRules,
      'all-values-are-same': [
        { row: ['a'], col: ['p'] },
        { row: ['a'], col: ['q'] },
        { row: ['b'], col: ['q'] },
      ],
    });
    // ACRO 1.0.1 has no such check (the Mode statbarn's risks: differencing, class disclosure): zeros only.
    expect((await check(rows, agg('mode'))).rules).toEqual({ ...noRules, zeros: [{ row: ['a'], col: ['q'] }] });
  });
});

describe('table shape', () => {
  const rows = [
    ...withValues(
      { g: 'a', c: 2019 },
      Array.from({ length: 10 }, (_, i) => i + 1),
    ),
    ...withValues(
      { g: 'a', c: 2020 },
      Array.from({ length: 12 }, (_, i) => 2 * i),
    ),
    ...withValues(
      { g: 'b', c: 2020 },
      Array.from({ length: 11 }, (_, i) => 3 + i),
    ),
  ];

  it('with several aggfuncs, column labels start with the aggfunc name and years stay numbers', async () => {
    const result = await check(rows, agg(['mean', 'count'], ['g'], ['c'], true));
    expect(result.table.colLabels).toEqual([
      ['mean', 2019],
      ['mean', 2020],
      ['mean', 'All'],
      ['count', 2019],
      ['count', 2020],
      ['count', 'All'],
    ]);
    expect(result.table.values).toEqual([
      [5.5, 11, 8.5, 10, 12, 22],
      [null, 8, 8, 0, 11, 11],
      [5.5, 220 / 23, 275 / 33, 10, 23, 33],
    ]);
    const empty = { row: ['b'], col: ['mean', 2019] };
    // The empty mean cell passes p-ratio in ACRO 1.0.1 (its NaN ratio is filled with 1.0).
    expect(result.rules).toEqual({
      ...noRules,
      threshold: [empty, { row: ['b'], col: ['count', 2019] }],
      zeros: [{ row: ['b'], col: ['count', 2019] }],
    });
  });

  it('labels the single column of a one-dimensional pivot table with the values column', async () => {
    const result = await check(rows, { method: 'pivot_table', index: ['g'], columns: [], values: 'v', aggfunc: 'max', margins: true });
    expect(result.table).toEqual({ rowLabels: [['a'], ['b'], ['All']], colLabels: [['v']], values: [[22], [13], [22]] });
  });

  it('judges the margin row of a pivot table without column variables, which ACRO 1.0.1 leaves unjudged', async () => {
    // ACRO 1.0.1 tablemodeldetails.py get_count_table: the pivot path builds its count table without margins.
    const few = [...withValues({ g: 'a', c: 'k' }, Array(3).fill(1)), ...withValues({ g: 'b', c: 'k' }, Array(4).fill(1))];
    const result = await check(few, { method: 'pivot_table', index: ['g'], columns: [], values: 'v', aggfunc: 'mean', margins: true });
    expect(result.rules.threshold).toEqual([
      { row: ['a'], col: ['v'] },
      { row: ['b'], col: ['v'] },
      { row: ['All'], col: ['v'] },
    ]);
  });

  it('computes median margins from the records (grouping sets)', async () => {
    const result = await check(rows, agg(['median', 'std'], ['g'], ['c'], true));
    const median = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const y2019 = Array.from({ length: 10 }, (_, i) => i + 1);
    const y2020 = [...Array.from({ length: 12 }, (_, i) => 2 * i), ...Array.from({ length: 11 }, (_, i) => 3 + i)];
    expect(result.table.values[2]!.slice(0, 3)).toEqual([median(y2019), median(y2020), median([...y2019, ...y2020])]);
    const all = [
      ...Array.from({ length: 10 }, (_, i) => i + 1),
      ...Array.from({ length: 12 }, (_, i) => 2 * i),
      ...Array.from({ length: 11 }, (_, i) => 3 + i),
    ];
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    expect(result.table.values[2]![5]).toBeCloseTo(std, 10);
  });

  it('merges std margins exactly on the fast path', async () => {
    const result = await check(rows, agg('std', ['g'], ['c'], true));
    const a = [...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 12 }, (_, i) => 2 * i)];
    const mean = a.reduce((x, y) => x + y, 0) / a.length;
    expect(result.table.values[0]![2]).toBeCloseTo(Math.sqrt(a.reduce((x, y) => x + (y - mean) ** 2, 0) / (a.length - 1)), 10);
  });

  it('reads Parquet files, told apart by content', async () => {
    const path = join(dir, 'data.csv.parquet-not-csv');
    await conn.run(`COPY (SELECT 'a' AS g, 'k' AS c, range::DOUBLE AS v FROM range(12)) TO '${path}' (FORMAT parquet)`);
    const result = await checkTable(conn, { source: { file: path }, spec: agg('sum'), rules: acro });
    expect(result.table.values).toEqual([[66]]);
  });
});

describe('invalid specs', () => {
  it('names an unknown column', async () => {
    const err = await check(rep(10, { g: 'a', c: 'k', v: 1 }), agg('mean', ['g'], ['colour'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe("unknown column 'colour' in columns; the data has: g, c, v");
    expect((err as InputError).details).toEqual({ field: 'columns', column: 'colour' });
  });

  it('names an unknown aggfunc', async () => {
    const err = await check(rep(10, { g: 'a', c: 'k', v: 1 }), agg(['mean', 'avg'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe("unknown aggfunc 'avg'; known: count, mean, sum, median, std, min, max, mode");
  });

  it('refuses a mean of a text column', async () => {
    const err = await check(rep(10, { g: 'a', c: 'k', v: 'x' }), agg('mean')).catch((e: unknown) => e);
    expect((err as InputError).message).toBe("aggfunc 'mean' needs a numeric values column; 'v' is VARCHAR");
  });

  it('refuses a malformed spec', async () => {
    const err = await check(rep(10, { g: 'a', c: 'k', v: 1 }), { method: 'crosstab', index: 'g' }).catch((e: unknown) => e);
    expect((err as InputError).message).toMatch(/^invalid table spec: index: /);
  });
});

describe('beyond ACRO (default profile)', () => {
  it('rounds counts to the base with totals from the rounded cells, suppresses cells of 7 or fewer', async () => {
    const rows = [
      ...rep(11, { g: 'a', c: 'p' }),
      ...rep(11, { g: 'a', c: 'q' }),
      ...rep(11, { g: 'b', c: 'p' }),
      ...rep(7, { g: 'b', c: 'q' }),
      ...rep(8, { g: 'c', c: 'q' }),
    ];
    // Primary suppression alone here: secondary-table.test.ts has this table with its complements.
    const result = await check(rows, freq(['g'], ['c'], true), { ...strict, secondarySuppression: false });
    expect(result.table).toEqual({
      rowLabels: [['a'], ['b'], ['c'], ['All']],
      colLabels: [['p'], ['q'], ['All']],
      values: [
        [10, 10, 20],
        [10, null, 15],
        [null, 10, 10],
        [20, 25, 45],
      ],
    });
    expect(result.rules.suppressed).toEqual([
      { row: ['b'], col: ['q'] },
      { row: ['c'], col: ['p'] },
    ]);
    expect(result.rules.threshold).toEqual([
      { row: ['b'], col: ['q'] },
      { row: ['c'], col: ['p'] },
      { row: ['c'], col: ['q'] },
      { row: ['c'], col: ['All'] },
    ]);
    expect(result.rules.differencing).toEqual([]);
    expect(result.status).toBe('fail');
    // The response schema accepts the real result (suppressed and differencing included).
    expect(TableCheckReportSchema.parse({ status: result.status, table: result.table, rules: result.rules })).toEqual({
      status: result.status,
      table: result.table,
      rules: result.rules,
    });
  });

  it('flags a table that, set against an earlier release, reveals fewer than 10 people', async () => {
    const earlier = await check([...rep(20, { sex: 'F', c: 'x' }), ...rep(20, { sex: 'M', c: 'x' })], freq(['sex'], ['c']), strict);
    const later = await checkTable(conn, {
      source: { file: await csv([...rep(17, { sex: 'F', age: 1 }), ...rep(20, { sex: 'M', age: 1 })]) },
      spec: freq(['sex'], ['age']),
      rules: { ...strict, checkMissing: false },
      earlier: [{ id: 'export-1/table.csv', source: 'cohort', ...earlier.ledger() }],
    });
    expect(later.rules.differencing).toEqual([{ earlier: 'export-1/table.csv', variables: ['sex'], labels: ['F'], difference: 3 }]);
    expect(later.status).toBe('review');
  });
});
