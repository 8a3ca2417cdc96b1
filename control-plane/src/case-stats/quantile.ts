/**
 * Quantiles of lead times. The definition is numpy's default (`method='linear'`, Hyndman & Fan's
 * type 7, also R's default and Excel's PERCENTILE.INC): for n sorted values x₀ … xₙ₋₁ and p in
 * [0, 1], h = (n − 1)·p and the quantile is x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋). The median is then the
 * ordinary one (the mean of the two middle values when n is even), which is what a reader of a
 * "median lead time" expects; nearest-rank would report one case's own time instead. No
 * statistics library is declared in package.json, so this small function is tested here.
 */

/** The p-quantile (0 ≤ p ≤ 1) of `values` by linear interpolation; null for no values. */
export function quantile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile p must lie in [0, 1], not ${p}`);
  if (values.length === 0) return null;
  const x = [...values].sort((a, b) => a - b);
  const h = (x.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, x.length - 1);
  return x[lo]! + (h - lo) * (x[hi]! - x[lo]!);
}
