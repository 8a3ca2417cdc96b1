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
 * beyond what `hi` (largest) and `lo` (smallest) already settle.
 */
export function needsTopContributions(cell: CellStats, rules: TableRules): boolean {
  if (cell.nn <= 1 || cell.s === null || cell.s <= 0 || cell.hi === null || cell.lo === null) return false;
  const { s, hi, lo } = cell;
  const n = Math.min(rules.nk.n, cell.nn);
  // nk: hi ≤ top-n sum ≤ min(s, n·hi)
  const nkLow = nkFails(hi, s, rules);
  const nkHigh = nkFails(Math.min(s, n * hi), s, rules);
  if (nkLow !== nkHigh) return true;
  // p-ratio: lo ≤ second largest ≤ hi
  const withSecondHi = pRatioFails(cell, hi, hi, rules);
  const withSecondLo = pRatioFails(cell, hi, lo, rules);
  return withSecondHi !== withSecondLo;
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
    const top = exactTop(cell, rules.nk.n);
    const nSum = top.slice(0, rules.nk.n).reduce((a, b) => a + b, 0);
    if (cell.nn > 0 && nkFails(nSum, cell.s, rules)) out.push('nk');
    if (pRatioFails(cell, top[0] ?? 0, top[1] ?? 0, rules)) out.push('p-ratio');
  }
  if (agg === 'std' && count - 1 < rules.dof) out.push('dof');
  if (rules.checkMissing && (cell.n === 0 || (agg !== null && cell.nn < cell.n))) out.push('missing');
  if (agg !== null && cell.lo !== null && cell.lo < 0) out.push('negative');
  return out;
}

/**
 * The largest contributions, or the bound that settles the rules when they
 * were not fetched (see `needsTopContributions`): `hi` repeated stands in for
 * the unknown ones, and any outcome between the bounds is the same.
 */
function exactTop(cell: CellStats, n: number): number[] {
  if (cell.top !== undefined) return cell.top;
  if (cell.hi === null) return [];
  if (cell.nn === 1) return [cell.hi];
  return Array.from({ length: Math.max(2, Math.min(n, cell.nn)) }, () => cell.hi!);
}

export function worst(statuses: Status[]): Status {
  return statuses.includes('fail') ? 'fail' : statuses.includes('review') ? 'review' : 'pass';
}
