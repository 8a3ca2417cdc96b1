/**
 * Rules for the magnitudes the explorer shows (mean, median, quartiles of a numeric variable).
 *
 * The disclosure engine's nk and p-ratio rules (`disclosure/table-rules.ts`) are not on its public
 * surface, so this is a small local rule with the same semantics: nk fails when the n largest
 * contributions make up k of the total or more (the default profile's `failAtK: true`); p% fails
 * when (total − largest − second largest) / largest is under p, and when a cell has one contributor.
 * Contributions are the records' absolute values (τ-ARGUS' practice for signed magnitudes). A cell
 * under the count threshold shows no magnitude at all; median and quartiles need `quartileMinCount`
 * records, since each is a single record's value (or the mean of two).
 *
 * The mean is perturbed too: a mean is a sum over a count, and two means of cohorts that differ by one
 * person give that person's value from the sums even when the counts are perturbed. So the sum gets
 * ε · (largest absolute value) with ε in [−magnitudeNoise, magnitudeNoise], a continuous function of
 * the cell's key (`cellKey`): the same cell always gets the same mean, and the difference of two
 * means carries two unrelated noises of the order of the cells' largest values.
 */
import type { ExploreRules } from '../policies/index.ts';
import { KEY_MODULUS } from './ptable.ts';
import type { MeasureStats } from './schemas.ts';

const EPS = 1e-12;

export interface MeasureCell {
  /** Non-missing values. */
  nn: number;
  /** Sum of absolute values. */
  total: number;
  mean: number | null;
  /** Quartiles 0.25, 0.5, 0.75 (linear interpolation, as DuckDB's quantile_cont). */
  q: number[] | null;
  /** The n largest absolute values, largest first. */
  top: number[];
}

/** ε in [−1, 1) from a cell key: the key times an odd constant (a bijection mod 2^27), as a fraction. */
function keyFraction(cellKey: number): number {
  const mixed = Number((BigInt(cellKey) * 0x9e3779b1n + 0x7f4a7c15n) % BigInt(KEY_MODULUS));
  return (2 * mixed) / KEY_MODULUS - 1;
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

export function judgeMeasure(cell: MeasureCell, persons: number, rules: ExploreRules, cellKey: number): MeasureStats {
  const none = (withheld: MeasureStats['withheld']): MeasureStats => ({ mean: null, median: null, q1: null, q3: null, withheld });
  if (persons < rules.threshold || cell.nn < rules.threshold) return none('threshold');
  const topSum = cell.top.slice(0, rules.nk.n).reduce((a, b) => a + b, 0);
  if (cell.total > 0 && topSum / cell.total >= rules.nk.k - EPS) return none('nk');
  const [t1 = 0, t2 = 0] = cell.top;
  if (cell.nn <= 1 || (t1 > 0 && (cell.total - t1 - t2) / t1 < rules.pPercent - EPS)) return none('p_percent');
  const mean = cell.mean === null ? null : round(cell.mean + (keyFraction(cellKey) * rules.magnitudeNoise * t1) / cell.nn);
  if (cell.nn < rules.quartileMinCount || !cell.q) return { mean, median: null, q1: null, q3: null, withheld: 'quartile_count' };
  return { mean, q1: round(cell.q[0] ?? null), median: round(cell.q[1] ?? null), q3: round(cell.q[2] ?? null), withheld: null };
}
