/**
 * Differential property: a table check's fast path (one GROUP BY over the inner cells, margins
 * merged from them, largest contributions fetched only for the cells whose nk / p-ratio outcome
 * the column-wide bounds leave open, labels read column-wise with interning; or the GROUPING SETS
 * pass when median margins are asked) judges every table exactly as the plain form does: each
 * cell's statistics computed straight from its records in JavaScript, with all its contributions,
 * then the same rules. Inputs: random records (missing values and labels, negatives, ties, labels
 * of any script and length, empty tables), random specs and random policies, thresholds included.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CHECK_BUDGET_MS,
  DEFAULT_MAX_MODEL_CELLS,
  DEFAULT_MAX_MODEL_ITERATIONS,
  DEFAULT_MAX_MODEL_PARAMS,
  DEFAULT_MAX_CELLS,
  type TableRules,
} from '../policies/index.ts';
import { checkTable, judgeTable, type TableCheckResult } from './table-check.ts';
import { parseTableSpec, type AggFunc } from './table-spec.ts';
import { compareLabels, type CellStats, type Label, type StatsGrid } from './table-stats.ts';

let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});

type Rec = { g: string | null; h: boolean | null; c: number | null; v: number | null };

const G = ['a', 'b', 'Ålesund', 'Ålesunc', '北京', '', 'NO', 'abcdefghijkl', 'abcdefghijkm', 'a label of more than twelve bytes', "it's"];
const record = (valuePool: number[]) =>
  fc.record({
    g: fc.option(fc.constantFrom(...G), { nil: null, freq: 12 }),
    h: fc.option(fc.boolean(), { nil: null, freq: 12 }),
    c: fc.option(fc.constantFrom(1, 2, 10, -3), { nil: null, freq: 12 }),
    // Few distinct values, so that ties, zero totals and shares of exactly k or p come up.
    v: fc.option(fc.constantFrom(...valuePool), { nil: null, freq: 8 }),
  });
const records = fc.oneof(
  fc.array(record([0, 1, 2, 5, 10, 100, 1000]), { maxLength: 80 }),
  fc.array(record([0, 1, 3, 9, 90, -1, -20]), { maxLength: 80 }),
  fc.array(record([7]), { maxLength: 30 }),
  // Few large cells, one value far above the rest: the cells the bounds settle without fetching contributions.
  fc.array(
    fc.record({
      g: fc.constantFrom('a', 'b'),
      h: fc.boolean(),
      c: fc.constantFrom(1, 2),
      v: fc.oneof({ weight: 40, arbitrary: fc.constantFrom(10, 100) }, { weight: 1, arbitrary: fc.constant(1000) }),
    }),
    { minLength: 20, maxLength: 150 },
  ),
);

const rules: fc.Arbitrary<TableRules> = fc.record({
  threshold: fc.integer({ min: 1, max: 12 }),
  thresholdCountsMissing: fc.boolean(),
  zerosDisclosive: fc.boolean(),
  nk: fc.record({ n: fc.integer({ min: 1, max: 3 }), k: fc.constantFrom(0.2, 0.3, 0.5, 0.6, 0.9, 1), failAtK: fc.boolean() }),
  pRatio: fc.constantFrom(0.01, 0.05, 0.1, 0.5, 1),
  dof: fc.integer({ min: 1, max: 12 }),
  checkMissing: fc.boolean(),
  roundingBase: fc.constantFrom(null, 3, 5),
  suppressAtOrBelow: fc.constantFrom(null, 0, 3, 7),
  differencing: fc.constant(false),
  maxCells: fc.constant(DEFAULT_MAX_CELLS),
  checkBudgetMs: fc.constant(DEFAULT_CHECK_BUDGET_MS),
  maxModelParams: fc.constant(DEFAULT_MAX_MODEL_PARAMS),
  maxModelIterations: fc.constant(DEFAULT_MAX_MODEL_ITERATIONS),
  maxModelCells: fc.constant(DEFAULT_MAX_MODEL_CELLS),
  modelLevelThreshold: fc.constant(null),
});

const AGGS: AggFunc[] = ['count', 'mean', 'sum', 'median', 'std', 'min', 'max'];
const spec = fc
  .record({
    method: fc.constantFrom('crosstab' as const, 'pivot_table' as const),
    index: fc.constantFrom<string[]>(['g'], ['g', 'h'], ['h']),
    columns: fc.constantFrom<string[]>(['c'], []),
    frequency: fc.boolean(),
    aggfunc: fc.oneof(fc.constantFrom(...AGGS), fc.subarray(AGGS, { minLength: 1 })),
    margins: fc.boolean(),
  })
  .map(({ method, index, columns, frequency, aggfunc, margins }) => ({
    method: columns.length === 0 ? ('pivot_table' as const) : method,
    index,
    columns,
    values: frequency ? null : 'v',
    aggfunc: frequency ? null : aggfunc,
    margins,
  }));

const sql = (x: string | number | boolean | null) => (x === null ? 'NULL' : typeof x === 'string' ? `'${x.replaceAll("'", "''")}'` : String(x));
let tableNo = 0;
async function tableOf(rows: Rec[], valueType: string): Promise<string> {
  const name = `t${++tableNo}`;
  await conn.run(`CREATE TABLE ${name} (g VARCHAR, h BOOLEAN, c INTEGER, v ${valueType})`);
  if (rows.length > 0) await conn.run(`INSERT INTO ${name} VALUES ${rows.map((r) => `(${sql(r.g)}, ${sql(r.h)}, ${sql(r.c)}, ${sql(r.v)})`).join(', ')}`);
  return name;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The plain form: every cell's statistics from its records, with all its contributions. */
function plainGrid(rows: Rec[], index: string[], columns: string[], values: string | null, margins: boolean): StatsGrid {
  const dims = [...index, ...columns] as Array<keyof Rec>;
  const kept = rows.filter((r) => dims.every((d) => r[d] !== null));
  const levels = dims.map((d) => [...new Set(kept.map((r) => r[d] as Label))].sort(compareLabels));
  const product = (ls: Label[][]): Label[][] => ls.reduce<Label[][]>((acc, l) => acc.flatMap((p) => l.map((x) => [...p, x])), [[]]);
  const marginOf = (width: number): Label[] => (width === 0 ? [] : ['All', ...Array<Label>(width - 1).fill('')]);
  const innerRows = product(levels.slice(0, index.length));
  const innerCols = product(levels.slice(index.length));
  const rowTuples = [...innerRows, ...(margins ? [null] : [])];
  const colTuples = [...innerCols, ...(margins && columns.length > 0 ? [null] : [])];
  const match = (r: Rec, tuple: Label[] | null, names: string[]) => tuple === null || names.every((d, i) => r[d as keyof Rec] === tuple[i]);
  const cells = rowTuples.map((rt) =>
    colTuples.map((ct): CellStats => {
      const recs = kept.filter((r) => match(r, rt, index) && match(r, ct, columns));
      const xs = values === null ? [] : recs.map((r) => r.v).filter((v): v is number => v !== null);
      const has = xs.length > 0;
      const s = xs.reduce((a, b) => a + b, 0);
      const mean = has ? s / xs.length : 0;
      return {
        n: recs.length,
        nn: values === null ? recs.length : xs.length,
        s: has ? s : null,
        lo: has ? Math.min(...xs) : null,
        hi: has ? Math.max(...xs) : null,
        maxBound: has ? Math.max(...xs) : null,
        m2: has ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) : null,
        median: has ? median(xs) : null,
        mode: null,
        top: [...xs].sort((a, b) => b - a),
      };
    }),
  );
  return {
    levels,
    rows: rowTuples.map((t) => t ?? marginOf(index.length)),
    cols: colTuples.map((t) => t ?? marginOf(columns.length)),
    rowIsMargin: rowTuples.map((t) => t === null),
    colIsMargin: colTuples.map((t) => t === null),
    cells,
  };
}

/** The result as compared: floating statistics (std, a mean of a merged margin) to 12 significant digits. */
function comparable(r: TableCheckResult) {
  const round = (x: Label) => (typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(12)) : x);
  return { status: r.status, rules: r.rules, table: { ...r.table, values: r.table.values.map((row) => row.map(round)) } };
}

describe('table check against statistics computed from the records', () => {
  it('gives the same table, rule findings and status for any records, spec and policy', async () => {
    await fc.assert(
      fc.asyncProperty(records, spec, rules, fc.constantFrom('BIGINT', 'DOUBLE'), async (rows, s, policy, valueType) => {
        const table = await tableOf(rows, valueType);
        try {
          const fast = await checkTable(conn, { source: { table }, spec: s, rules: policy });
          const plain = judgeTable(parseTableSpec(s), plainGrid(rows, s.index, s.columns, s.values, s.margins), policy);
          expect(comparable(fast)).toEqual(comparable(plain));
        } finally {
          await conn.run(`DROP TABLE ${table}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
