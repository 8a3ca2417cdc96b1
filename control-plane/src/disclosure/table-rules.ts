/**
 * The disclosure rules, judged per cell from its statistics (pure functions).
 *
 * ACRO semantics (acro_tables.py, `agg_*` functions), by aggfunc:
 * - frequency and count: threshold, zeros;
 * - mean, sum: threshold, nk, p-ratio;
 * - median, min, max: threshold, zeros; std: dof; mode: zeros;
 * - a negative value anywhere: nk and p-ratio are not judged, the cells with
 *   negatives are reported under `negative` (review);
 * - missing-value check (when on): cells with a missing value or no records (review).
 * Beyond ACRO: `suppressed` (statistics from too few records, blanked: review).
 */
import type { TableRules } from '../policies/index.ts';
import type { AggFunc } from './table-spec.ts';
import type { CellStats } from './table-stats.ts';

export const FAIL_RULES = ['threshold', 'zeros', 'nk', 'p-ratio', 'dof'] as const;
export const REVIEW_RULES = ['missing', 'negative'] as const;
export type CellRule = (typeof FAIL_RULES)[number] | (typeof REVIEW_RULES)[number];
export type Status = 'pass' | 'review' | 'fail';

/** Relative tolerance for "exactly k" / "exactly p" in floating point. */
const EPS = 1e-12;
const lt = (a: number, b: number) => a < b - EPS * Math.max(1, Math.abs(b));
const ge = (a: number, b: number) => !lt(a, b);

/** The count the threshold is judged on. */
export function thresholdCount(cell: CellStats, agg: AggFunc | null, rules: TableRules): number {
  return agg === null || rules.thresholdCountsMissing ? cell.n : cell.nn;
}

/** nk dominance: true when the cell fails. An empty, all-missing or zero-total cell passes. */
export function nkFails(topSum: number, total: number | null, rules: TableRules): boolean {
  if (total === null || total <= 0) return false;
  const share = topSum / total;
  return rules.nk.failAtK ? ge(share, rules.nk.k) : share > rules.nk.k + EPS * rules.nk.k;
}

/**
 * p-ratio: true when the cell fails. As ACRO: an empty cell fails; a cell with
 * total ≤ 0 or a single contributor fails when zeros are disclosive.
 */
export function pRatioFails(cell: CellStats, top1: number, top2: number, rules: TableRules): boolean {
  if (cell.n === 0) return true;
  if (cell.s === null || cell.s <= 0 || cell.nn <= 1) return rules.zerosDisclosive;
  return lt((cell.s - top1 - top2) / top1, rules.pRatio);
}

const hasDominanceRules = (agg: AggFunc | null) => agg === 'mean' || agg === 'sum';

/**
 * Whether the cell's nk / p-ratio outcome depends on its largest contributions
 * beyond what its bounds settle: the largest value t1 lies between the cell's
 * largest value (or else its mean) and `maxBound`; the second t2 between 0 and
 * t1 (no negative values: with negatives these rules are not judged).
 */
export function needsTopContributions(cell: CellStats, rules: TableRules): boolean {
  if (cell.nn <= 1 || cell.s === null || cell.s <= 0 || cell.maxBound === null) return false;
  const s = cell.s;
  const m = cell.maxBound;
  const t1Low = cell.hi ?? s / cell.nn;
  const n = Math.min(rules.nk.n, cell.nn);
  // nk: t1 ≤ top-n sum ≤ min(s, n·max)
  if (nkFails(t1Low, s, rules) !== nkFails(Math.min(s, n * m), s, rules)) return true;
  // p-ratio = (s − t1 − t2) / t1, at least s/max − 2, at most s/t1Low − 1
  const surelyPasses = !lt(s / m - 2, rules.pRatio);
  const surelyFails = lt(s / t1Low - 1, rules.pRatio);
  return !surelyPasses && !surelyFails;
}

/** The rules a cell of a block with this aggfunc fails or is flagged by. */
export function judgeCell(cell: CellStats, agg: AggFunc | null, rules: TableRules, tableHasNegative: boolean): CellRule[] {
  const out: CellRule[] = [];
  const count = thresholdCount(cell, agg, rules);
  const judgesThreshold = agg !== 'std' && agg !== 'mode';
  const judgesZeros = agg === null || agg === 'count' || agg === 'median' || agg === 'min' || agg === 'max' || agg === 'mode';
  if (judgesThreshold && count < rules.threshold) out.push('threshold');
  if (judgesZeros && rules.zerosDisclosive && count === 0) out.push('zeros');
  if (hasDominanceRules(agg) && !tableHasNegative) {
    const top = largest(cell, rules.nk.n);
    if (cell.nn > 0 && nkFails(top.nSum, cell.s, rules)) out.push('nk');
    if (pRatioFails(cell, top.t1, top.t2, rules)) out.push('p-ratio');
  }
  if (agg === 'std' && count - 1 < rules.dof) out.push('dof');
  if (rules.checkMissing && (cell.n === 0 || (agg !== null && cell.nn < cell.n))) out.push('missing');
  if (agg !== null && cell.lo !== null && cell.lo < 0) out.push('negative');
  return out;
}

/**
 * The largest value, the second, and the sum of the n largest; from the
 * fetched contributions, or, when they were not fetched because the bounds
 * settle the rules (see `needsTopContributions`), from `maxBound` repeated:
 * a value at the bounds' extreme, giving the same outcome.
 */
function largest(cell: CellStats, n: number): { t1: number; t2: number; nSum: number } {
  const top = cell.top;
  if (top !== undefined) {
    let nSum = 0;
    for (let i = 0; i < n && i < top.length; i++) nSum += top[i]!;
    return { t1: top[0] ?? 0, t2: top[1] ?? 0, nSum };
  }
  if (cell.nn === 0 || cell.s === null) return { t1: 0, t2: 0, nSum: 0 };
  if (cell.nn === 1) return { t1: cell.s, t2: 0, nSum: cell.s };
  const m = cell.maxBound ?? 0;
  // Within the bounds `needsTopContributions` judged: the n largest never sum above the total.
  return { t1: m, t2: m, nSum: Math.min(cell.s, Math.min(n, cell.nn) * m) };
}

export function worst(statuses: Status[]): Status {
  return statuses.includes('fail') ? 'fail' : statuses.includes('review') ? 'review' : 'pass';
}
