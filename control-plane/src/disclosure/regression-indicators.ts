/**
 * Indicators in all but name: a numeric (or boolean) covariate that takes exactly two values among
 * the records used is a dummy variable whatever the spec calls it. A column that is 1 for one
 * person and 0 for everyone else does what a categorical level of one record does: the fit passes
 * through that record, and the constant plus its coefficient is that person's outcome. So where the
 * policy sets `tables.modelLevelThreshold`, the levels rule counts each value of such a column as it
 * counts a categorical's levels (`regression.ts` `levelRule`); without it a spec would leave the
 * column out of `categorical` to skip the rule. Not ACRO's (its rule is dof alone), as the levels
 * rule itself.
 *
 * The candidates are found by the fit's own pass where it has one (OLS: min, max and Σc beside
 * the cross-products, `regression.ts` `twoValued`), else by one pass of `approx_count_distinct`
 * (HyperLogLog: exact at so few values) over the used records; each candidate's values are then
 * counted exactly.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Design } from './regression-design.ts';

/** The record counts of each value of every two-valued numeric design column. */
export async function indicatorCounts(conn: DuckDBConnection, design: Design, found?: readonly number[]): Promise<number[][]> {
  const candidates = found ?? (await approxCandidates(conn, design));
  const out: number[][] = [];
  for (const j of candidates) {
    const counts = (await conn.runAndReadAll(`SELECT count(*) FROM ${design.rows} GROUP BY c${j} LIMIT 3`)).getRowsJS().map((r) => Number(r[0]));
    if (counts.length === 2) out.push(counts);
  }
  return out;
}

/** The numeric design columns with at most a few distinct values among the used records. */
async function approxCandidates(conn: DuckDBConnection, design: Design): Promise<number[]> {
  const numeric = design.columns.map((c, j) => ({ c, j })).filter(({ c }) => c.group === undefined && c.expr !== '1.0');
  if (numeric.length === 0) return [];
  const [distinct] = (await conn.runAndReadAll(`SELECT ${numeric.map(({ j }) => `approx_count_distinct(c${j})`).join(', ')} FROM ${design.rows}`)).getRowsJS();
  return numeric.filter((_, i) => Number(distinct?.[i] ?? 0) <= 4).map(({ j }) => j);
}
