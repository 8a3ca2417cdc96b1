/**
 * The disclosure rules, judged per cell from its statistics (pure functions).
 *
 * Which rules judge which aggfunc follows the profile's `ruleSet`:
 * - `acro-1.0`, ACRO 1.0.1's statbarn mapping (acro/table_utils.py AGGFUNC_TO_TYPE →
 *   analyses.json → statbarns.json → risks.json → checks, run by acro/sdcchecks.py):
 *   frequency and count: threshold, zeros (FrequencyTable); mean, sum: threshold, nk,
 *   p-ratio (LinearAggregations); median, min, max: threshold, zeros (Position,
 *   Endpoints); std: dof only (Shape: MinimumDoFCheck); mode: zeros only (Mode).
 * - `acro-0.4`, ACRO 0.4.12's classic engine (acro/acro_tables.py create_crosstab_masks):
 *   frequency: threshold; every other aggfunc but mode: threshold, nk, p-ratio; mode:
 *   `all-values-are-same` only (agg_values_are_same: one distinct non-missing value, or
 *   an empty cell, whose NaN verdict is filled with True).
 * In both, a negative value anywhere in the table leaves nk and p-ratio unjudged
 * and sends the cells holding negatives to review (`negative`), in the blocks
 * whose aggfunc the dominance rules judge (1.0.1 check_nk_dominance: "Dominance not
 * defined when negative value are present"; 0.4.12 agg_negative in the same branch).
 * Missing-value check (when on): cells with a missing value or no records (review).
 * Beyond ACRO: `suppressed` (statistics from too few records, blanked: review).
 */
import type { TableRules } from '../policies/index.ts';
import type { AggFunc } from './table-spec.ts';
import type { CellStats } from './table-stats.ts';

export const FAIL_RULES = ['threshold', 'zeros', 'nk', 'p-ratio', 'dof'] as const;
export const REVIEW_RULES = ['missing', 'negative'] as const;
/** ACRO 0.4.12's mode check, judged (and reported) only under the acro-0.4 rule set. */
export const SAME_VALUES = 'all-values-are-same';
export type CellRule = (typeof FAIL_RULES)[number] | (typeof REVIEW_RULES)[number] | typeof SAME_VALUES;
export type Status = 'pass' | 'review' | 'fail';

/** Relative tolerance for "exactly k" / "exactly p" in floating point. */
const EPS = 1e-12;
const lt = (a: number, b: number) => a < b - EPS * Math.max(1, Math.abs(b));
const ge = (a: number, b: number) => !lt(a, b);

/**
 * The count the threshold (and zeros, and std's dof) is judged on: records, or
 * with `thresholdCountsMissing: false` the records whose value is not missing.
 * ACRO 1.0.1 counts records: its `count_table` is `pd.crosstab(index, columns)`
 * without values (tablemodeldetails.py get_count_table); 0.4.12 counts values
 * (`agg_threshold`: `vals.count()`, acro_tables.py create_crosstab_masks `count`).
 */
export function thresholdCount(cell: CellStats, agg: AggFunc | null, rules: TableRules): number {
  return agg === null || rules.thresholdCountsMissing ? cell.n : cell.nn;
}

/**
 * nk dominance: true when the cell fails. An empty, all-missing or zero-total
 * cell passes (1.0.1: its share is NaN, and `NaN >= k` is false; 0.4.12
 * agg_nk: `total > 0` else pass). `failAtK`: a share of exactly k fails
 * (1.0.1 check_nk_dominance `proportionmask >= safe_nk_k`; 0.4.12 `> SAFE_NK_K`).
 */
export function nkFails(topSum: number, total: number | null, rules: TableRules): boolean {
  if (total === null || total <= 0) return false;
  const share = topSum / total;
  return rules.nk.failAtK ? ge(share, rules.nk.k) : share > rules.nk.k + EPS * rules.nk.k;
}

/**
 * p-ratio, (total − largest − second) / largest below p: true when the cell fails.
 * - `pRatioEmptyPasses` (ACRO 1.0.1 check_ppercent_dominance): a cell without a
 *   non-missing value passes (its ratio is NaN, filled with 1.0); a cell whose
 *   largest value is 0 has ratio total − largest − second = 0 and fails, as
 *   does a single contributor (ratio 0), whatever `zerosDisclosive` says.
 * - otherwise (ACRO 0.4.12 agg_p_percent, and the default profile): an empty
 *   cell fails; a cell with total ≤ 0 or a single non-missing value fails when
 *   zeros are disclosive (0.4.12 tests `vals.size <= 1`, counting missing values,
 *   so that a value and a missing one pass on a NaN ratio: not copied).
 */
export function pRatioFails(cell: CellStats, top1: number, top2: number, rules: TableRules): boolean {
  if (rules.pRatioEmptyPasses === true) {
    if (cell.nn === 0 || cell.s === null) return false;
    if (top1 <= 0 || cell.nn <= 1) return lt(0, rules.pRatio);
    return lt((cell.s - top1 - top2) / top1, rules.pRatio);
  }
  if (cell.n === 0) return true;
  if (cell.s === null || cell.s <= 0 || cell.nn <= 1) return rules.zerosDisclosive;
  return lt((cell.s - top1 - top2) / top1, rules.pRatio);
}

const classic = (rules: Pick<TableRules, 'ruleSet'>) => rules.ruleSet === 'acro-0.4';

/** Whether a block of this aggfunc is judged by `all-values-are-same` (and so needs its cells' distinct values). */
export const judgesSameValues = (agg: AggFunc | null, rules: Pick<TableRules, 'ruleSet'>) => classic(rules) && agg === 'mode';

/** Whether nk and p-ratio (and so the negative-value review) judge a block of this aggfunc. */
export function judgesDominance(agg: AggFunc | null, rules: Pick<TableRules, 'ruleSet'>): boolean {
  if (classic(rules)) return agg !== null && agg !== 'mode';
  return agg === 'mean' || agg === 'sum';
}

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
  const dominance = judgesDominance(agg, rules);
  const judgesThreshold = classic(rules) ? agg !== 'mode' : agg !== 'std' && agg !== 'mode';
  const judgesZeros = !classic(rules) && (agg === null || agg === 'count' || agg === 'median' || agg === 'min' || agg === 'max' || agg === 'mode');
  if (judgesThreshold && count < rules.threshold) out.push('threshold');
  if (judgesZeros && rules.zerosDisclosive && count === 0) out.push('zeros');
  if (dominance && !tableHasNegative) {
    const top = largest(cell, rules.nk.n);
    // 0.4.12 fills an empty cell's NaN verdict with True (create_crosstab_masks `fillna(value=1)`): it fails nk.
    if ((cell.nn > 0 && nkFails(top.nSum, cell.s, rules)) || (classic(rules) && cell.n === 0)) out.push('nk');
    if (pRatioFails(cell, top.t1, top.t2, rules)) out.push('p-ratio');
  }
  if (agg === 'std' && !classic(rules) && count - 1 < rules.dof) out.push('dof');
  if (judgesSameValues(agg, rules) && (cell.n === 0 || cell.distinct === 1)) out.push(SAME_VALUES);
  if (rules.checkMissing && (cell.n === 0 || (agg !== null && cell.nn < cell.n))) out.push('missing');
  if (dominance && cell.lo !== null && cell.lo < 0) out.push('negative');
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
