/**
 * Property: whatever a researcher sends as a table spec, the checker answers with a result or
 * a typed domain error (400/404 material), never anything else; and no result exceeds the
 * policy's cell limit (the count comes before the grid is built). Real DuckDB, real checker.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../control-plane/src/errors/index.ts';
import { checkTable, AGGFUNCS } from '../../control-plane/src/disclosure/index.ts';
import { loadPolicySet, resolvePolicy, type TableRules } from '../../control-plane/src/policies/index.ts';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let rules: TableRules;
const MAX_CELLS = 60;
const COLUMNS = ['g', 'h', 'n', 'v', 'u', 'l', 'd', 'weird "name"'];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  // g, h: few levels; n: an integer; v: a double with nulls and negatives; u: unique text;
  // l: a list (not a grouping value); d: dates; a name that needs quoting.
  await conn.run(`CREATE TABLE t AS SELECT
      ['a', 'b', 'c'][1 + i % 3] AS g, ['x', 'y'][1 + i % 2] AS h, i % 7 AS n,
      CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 13) - 3.5 END AS v, 'u' || i AS u, [i, i + 1] AS l,
      DATE '2020-01-01' + (i % 5)::INTEGER AS d, i % 4 AS "weird ""name"""
    FROM range(200) r(i)`);
  rules = { ...resolvePolicy(await loadPolicySet()).tables, maxCells: MAX_CELLS };
});
afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
});

const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...COLUMNS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });
const aggName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...AGGFUNCS) }, { weight: 1, arbitrary: fc.string({ maxLength: 5 }) });
/** Grouping columns only, each once: specs that mostly get through to the count. */
const grouping = fc.shuffledSubarray(['g', 'h', 'n', 'd', 'u', 'weird "name"'], { minLength: 2, maxLength: 4 });
const spec = fc.oneof(
  // Valid shapes over grouping columns, some past the limit (u alone has 200 levels).
  grouping.chain((dims) =>
    fc.record({
      method: fc.constantFrom('crosstab', 'pivot_table'),
      index: fc.constant(dims.slice(0, Math.ceil(dims.length / 2))),
      columns: fc.constant(dims.slice(Math.ceil(dims.length / 2))),
      values: fc.constantFrom(null, 'v'),
      aggfunc: fc.constantFrom(null, 'sum', ['mean', 'count']),
      margins: fc.boolean(),
    }),
  ),
  // Near-valid specs: mostly known columns and aggfuncs, in every combination.
  fc.record({
    method: fc.oneof(fc.constantFrom('crosstab', 'pivot_table'), fc.string({ maxLength: 5 })),
    index: fc.array(name, { maxLength: 4 }),
    columns: fc.array(name, { maxLength: 3 }),
    values: fc.option(name, { nil: null }),
    aggfunc: fc.oneof(fc.constant(null), aggName, fc.array(aggName, { maxLength: 4 })),
    margins: fc.boolean(),
  }),
  // Anything at all, including missing and extra keys.
  fc.anything(),
  fc.dictionary(fc.constantFrom('method', 'index', 'columns', 'values', 'aggfunc', 'margins', 'extra'), fc.anything()),
);

describe('table specs (property)', () => {
  it('random specs get a result within the cell limit or a typed domain error, nothing else', async () => {
    let results = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        try {
          const r = await checkTable(conn, { source: { table: 't' }, spec: s, rules });
          results++;
          expect(r.table.rowLabels.length * Math.max(1, r.table.colLabels.length)).toBeLessThanOrEqual(MAX_CELLS);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          expect(err.reason).toBeTypeOf('string');
          if (err.reason === 'table_too_large') refusals++;
        }
      }),
      { numRuns: 400 },
    );
    // The generator reaches both sides of the limit, not only malformed specs.
    expect(results).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
  }, 120_000);
});
