/**
 * The perturbation table of the cell-key method (ABS TableBuilder; Thompson, Broadfoot & Elazar
 * 2013; the `ptable` and `cellKey` R packages of sdcTools).
 *
 * Every person has a fixed record key, a uniform integer in [0, 2^27) (`record-keys.ts`). A cell's
 * key is the sum of its persons' keys mod 2^27, read as a fraction u in [0, 1). The table gives,
 * for a cell of count n, a noise distribution p_n(v) over v in [-D, D] with mean 0 and variance V;
 * the noise of the cell is the v whose cumulative interval holds u. So the noise is a
 * deterministic function of who is in the cell: the same cell gives the same answer to every user
 * and every time, and two cells that differ by one person have unrelated keys, so the difference
 * of their answers is the person's contribution plus the difference of two noises.
 *
 * The distribution, as the `ptable` package builds it, is the maximum-entropy one under the
 * constraints mean 0, variance V, support [-D, D] with n + v ≥ 1: a discrete Gaussian
 * p(v) ∝ exp(−v²/2s²), s chosen (bisection) so that the variance is exactly V. Counts under the
 * threshold T are suppressed before the table is read, and T > D (policy schema), so for every
 * count the table is asked about n + v ≥ n − D ≥ 1 holds on the whole support: one row serves all
 * counts, and it is symmetric, so its mean is 0 exactly.
 */

export interface PerturbationTable {
  maxNoise: number;
  variance: number;
  /** Noise values −D..D. */
  values: number[];
  probabilities: number[];
  /** Upper cumulative bounds in [0, 1]; noise `values[i]` for u < `upper[i]`. */
  upper: number[];
}

function variance(values: number[], sigma: number): { p: number[]; v: number } {
  const w = values.map((x) => Math.exp(-(x * x) / (2 * sigma * sigma)));
  const total = w.reduce((a, b) => a + b, 0);
  const p = w.map((x) => x / total);
  return { p, v: p.reduce((s, pi, i) => s + pi * values[i]! * values[i]!, 0) };
}

/** Builds the table for noise bound D and variance V (0 < V ≤ D(D+1)/3, the uniform's variance). */
export function buildPerturbationTable(maxNoise: number, noiseVariance: number): PerturbationTable {
  const values = Array.from({ length: 2 * maxNoise + 1 }, (_, i) => i - maxNoise);
  const uniform = (maxNoise * (maxNoise + 1)) / 3;
  if (!(noiseVariance > 0 && noiseVariance <= uniform + 1e-12)) throw new RangeError(`noise variance must be in (0, ${uniform}]`);
  let p: number[];
  if (noiseVariance >= uniform - 1e-12) p = values.map(() => 1 / values.length);
  else {
    // The variance grows with sigma from 0 to the uniform's: bisect on it.
    let lo = 1e-6;
    let hi = 1e6;
    for (let i = 0; i < 200; i++) {
      const mid = Math.sqrt(lo * hi);
      if (variance(values, mid).v < noiseVariance) lo = mid;
      else hi = mid;
    }
    p = variance(values, Math.sqrt(lo * hi)).p;
  }
  // Symmetrise exactly so the mean is 0 to the last bit of the cumulative bounds.
  p = p.map((x, i) => (x + p[p.length - 1 - i]!) / 2);
  const upper: number[] = [];
  let acc = 0;
  for (const x of p) upper.push((acc += x));
  upper[upper.length - 1] = 1;
  return { maxNoise, variance: noiseVariance, values, probabilities: p, upper };
}

/** Record keys and cell keys are integers in [0, 2^27) (`record-keys.ts` says why 27). */
export const KEY_MODULUS = 2 ** 27;

/** The noise for a cell of count `count` (≥ the threshold) whose key is `cellKey` in [0, 2^27). */
export function noiseFor(table: PerturbationTable, count: number, cellKey: number): number {
  if (count <= table.maxNoise) throw new RangeError('counts within the noise bound are suppressed before perturbation');
  const u = cellKey / KEY_MODULUS;
  for (let i = 0; i < table.upper.length; i++) if (u < table.upper[i]!) return table.values[i]!;
  return table.values.at(-1)!;
}

/** A protected count: null under the threshold, else the count plus its cell-key noise. */
export function protectCount(table: PerturbationTable, threshold: number, count: number, cellKey: number): number | null {
  if (count < threshold) return null;
  return count + noiseFor(table, count, cellKey);
}
