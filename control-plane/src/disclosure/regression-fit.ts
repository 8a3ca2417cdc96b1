/**
 * The estimates, from what DuckDB gathered: OLS from the cross-products X'X, X'y, y'y (one
 * aggregate pass), logit and probit by Newton's method on the design held in memory (bounded by
 * the policy's `tables.maxModelCells`). The linear algebra is ml-matrix's (Cholesky); nothing
 * here inverts or decomposes a matrix by hand.
 *
 * As statsmodels by default: OLS with the nonrobust covariance σ²(X'X)⁻¹, σ² = RSS / df_resid,
 * t and its p from Student's t with df_resid; logit and probit by Newton with the analytic
 * Hessian (for probit the observed one, as statsmodels' `Probit.hessian`), covariance the inverse
 * of the negative Hessian at the estimate, z and p from the normal. statsmodels 0.13 raises
 * `PerfectSeparationError` when every fitted probability is within 1e-8 of its outcome
 * (`np.allclose`), checked after each iteration; so do we, and also when an iterate's linear
 * predictor puts every record strictly on its outcome's side (η > 0 exactly where y = 1): that
 * hyperplane proves complete separation, so no MLE exists, where statsmodels' logit may instead
 * run out of iterations with only a ConvergenceWarning and print numbers. Newton stops when no parameter moved
 * more than 1e-10 (statsmodels: 1e-8) and gives up after `tables.maxModelIterations`.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalPdf from '@stdlib/stats-base-dists-normal-pdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { setImmediate } from 'node:timers/promises';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { InputError } from '../errors/index.ts';
import type { RegressionParam } from './regression-schemas.ts';

/** Below this, a column's share of its square not explained by the columns before it counts as none: collinear. */
const COLLINEAR_TOLERANCE = 1e-10;
/** Below this share of y'y, RSS = y'y − b'X'y has lost too many digits: it is recomputed from the residuals. */
export const RSS_CANCELLATION = 1e-8;
const NEWTON_TOLERANCE = 1e-10;
const SEPARATION_TOLERANCE = 1e-8;

/**
 * The Cholesky factor of a symmetric positive definite matrix (X'X, or −H), or an error naming
 * the first column that the columns before it explain (the one to drop). The matrix is scaled
 * to unit diagonal first, so the test reads the same in any unit.
 */
export function choleskyOf(m: Matrix, names: readonly string[]): CholeskyDecomposition {
  const p = m.rows;
  const scale = Array.from({ length: p }, (_, j) => m.get(j, j));
  const zero = scale.findIndex((d) => !(d > 0));
  if (zero >= 0) throw collinear(names, zero, 'is zero in every record used');
  const scaled = new Matrix(p, p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) scaled.set(i, j, m.get(i, j) / Math.sqrt(scale[i]! * scale[j]!));
  const chol = new CholeskyDecomposition(scaled);
  const L = chol.lowerTriangularMatrix;
  for (let j = 0; j < p; j++) {
    const left = L.get(j, j) ** 2;
    if (!(left >= COLLINEAR_TOLERANCE)) throw collinear(names, j, j === 0 ? 'is degenerate' : 'is a linear combination of the columns before it');
  }
  return new CholeskyDecomposition(m);
}

function collinear(names: readonly string[], j: number, why: string) {
  return new InputError(`the design is singular: column '${names[j]}' ${why}; drop it or recode`, {
    reason: 'singular_design',
    details: { column: names[j] },
  });
}

export interface Fit {
  coef: number[];
  /** The parameters' covariance matrix, or null where it does not exist (no residual degrees of freedom). */
  cov: Matrix | null;
  iterations?: number;
  llf?: number;
}

/** OLS from the cross-products. `rss` recomputes the residual sum of squares exactly when the shortcut has cancelled. */
export async function fitOls(
  xtx: Matrix,
  xty: number[],
  yty: number,
  nobs: number,
  names: readonly string[],
  rss: (coef: number[]) => Promise<number>,
): Promise<Fit> {
  const chol = choleskyOf(xtx, names);
  const coef = chol.solve(Matrix.columnVector(xty)).to1DArray();
  const dof = nobs - names.length;
  if (dof <= 0) return { coef, cov: null };
  let residual = yty - coef.reduce((s, b, j) => s + b * xty[j]!, 0);
  if (residual < RSS_CANCELLATION * yty) residual = await rss(coef);
  const scale = Math.max(residual, 0) / dof;
  return { coef, cov: chol.solve(Matrix.eye(names.length)).mul(scale) };
}

/** A binary model's design in memory: `x` row-major, nobs × p. */
export interface BinaryData {
  y: Float64Array;
  x: Float64Array;
  nobs: number;
  p: number;
}

/** Logit or probit by Newton's method. */
/**
 * Gives the event loop its turn every so many records of a pass, and stops the fit once past its
 * deadline: Newton's passes run in this process, so the policy's budget (`tables.checkBudgetMs`)
 * must be checked here, where DuckDB's interrupt cannot reach, and /healthz must keep answering.
 */
export function pacer(budgetMs: number, started = Date.now()): (done: number) => Promise<void> | undefined {
  return (done) => {
    // Not awaited in between: an `await` per record would cost a microtask each.
    if (done % 32_768 !== 0) return undefined;
    return setImmediate().then(() => {
      if (Date.now() - started > budgetMs) {
        throw new InputError(`the check took longer than the policy's ${budgetMs} ms (tables.checkBudgetMs) and was stopped`, {
          reason: 'table_check_over_budget',
          details: { limit: budgetMs },
        });
      }
    });
  };
}
type Pace = ReturnType<typeof pacer>;

export async function fitBinary(method: 'logit' | 'probit', data: BinaryData, names: readonly string[], maxIterations: number, pace: Pace): Promise<Fit> {
  const { p } = data;
  // Collinearity is a property of X: tested on X'X before any weight can hide it.
  const xtx = new Matrix(p, p);
  await accumulate(data, () => 1, xtx, pace);
  choleskyOf(xtx, names);
  let coef = new Array<number>(p).fill(0);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const { score, negHessian } = await derivatives(method, data, coef, pace);
    const step = choleskyOf(negHessian, names).solve(Matrix.columnVector(score)).to1DArray();
    coef = coef.map((b, j) => b + step[j]!);
    if (!coef.every(Number.isFinite)) break;
    if (separates(method, data, coef)) {
      throw new InputError(
        'perfect separation: the model predicts every outcome exactly, so its estimates do not exist (statsmodels: PerfectSeparationError)',
        {
          reason: 'perfect_separation',
        },
      );
    }
    if (step.every((s) => Math.abs(s) < NEWTON_TOLERANCE)) {
      const { negHessian: info } = await derivatives(method, data, coef, pace);
      const cov = choleskyOf(info, names).solve(Matrix.eye(p));
      return { coef, cov, iterations: iteration, llf: logLikelihood(method, data, coef) };
    }
  }
  throw new InputError(
    `the ${method} model did not converge in ${maxIterations} iterations (tables.maxModelIterations); quasi-separation or a scaling problem is likely`,
    {
      reason: 'model_not_converged',
      details: { limit: maxIterations },
    },
  );
}

/** Complete separation: every fitted probability at its outcome (statsmodels' test), or a hyperplane that splits the outcomes. */
function separates(method: 'logit' | 'probit', data: BinaryData, coef: number[]): boolean {
  const { y, x, nobs, p } = data;
  let close = true;
  let split = true;
  for (let i = 0; i < nobs && (close || split); i++) {
    const e = eta(x, coef, i, p);
    close &&= Math.abs(probability(method, e) - y[i]!) <= SEPARATION_TOLERANCE;
    split &&= y[i] === 1 ? e > 0 : e < 0;
  }
  return close || split;
}

function eta(x: Float64Array, coef: number[], i: number, p: number): number {
  let s = 0;
  for (let j = 0; j < p; j++) s += x[i * p + j]! * coef[j]!;
  return s;
}

const logistic = (e: number) => 1 / (1 + Math.exp(-e));
const probability = (method: 'logit' | 'probit', e: number) => (method === 'logit' ? logistic(e) : normalCdf(e, 0, 1));

/** The score X'(…) and the negative Hessian X'WX of the log-likelihood at `coef` (statsmodels' `score` and `hessian`). */
async function derivatives(method: 'logit' | 'probit', data: BinaryData, coef: number[], pace: Pace): Promise<{ score: number[]; negHessian: Matrix }> {
  const { y, x, nobs, p } = data;
  const score = new Array<number>(p).fill(0);
  const weights = new Float64Array(nobs);
  for (let i = 0; i < nobs; i++) {
    const turn = pace(i);
    if (turn) await turn;
    const e = eta(x, coef, i, p);
    let g: number;
    if (method === 'logit') {
      const mu = logistic(e);
      g = y[i]! - mu;
      weights[i] = mu * (1 - mu);
    } else {
      const q = 2 * y[i]! - 1;
      const l = (q * normalPdf(q * e, 0, 1)) / normalCdf(q * e, 0, 1);
      g = l;
      weights[i] = l * (l + e);
    }
    for (let j = 0; j < p; j++) score[j]! += g * x[i * p + j]!;
  }
  const negHessian = new Matrix(p, p);
  await accumulate(data, (i) => weights[i]!, negHessian, pace);
  return { score, negHessian };
}

/** Σᵢ wᵢ xᵢ xᵢ' into `into` (symmetric: the lower triangle is computed, the upper copied). */
async function accumulate(data: BinaryData, weight: (i: number) => number, into: Matrix, pace: Pace): Promise<void> {
  const { x, nobs, p } = data;
  const acc = new Float64Array(p * p);
  for (let i = 0; i < nobs; i++) {
    const turn = pace(i);
    if (turn) await turn;
    const w = weight(i);
    const row = i * p;
    for (let j = 0; j < p; j++) {
      const wx = w * x[row + j]!;
      for (let k = 0; k <= j; k++) acc[j * p + k]! += wx * x[row + k]!;
    }
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k <= j; k++) {
      into.set(j, k, acc[j * p + k]!);
      into.set(k, j, acc[j * p + k]!);
    }
  }
}

function logLikelihood(method: 'logit' | 'probit', data: BinaryData, coef: number[]): number {
  let llf = 0;
  for (let i = 0; i < data.nobs; i++) {
    const e = eta(data.x, coef, i, data.p);
    const q = 2 * data.y[i]! - 1;
    // log F(q·η), with the symmetric F of either model.
    llf += method === 'logit' ? -Math.log1p(Math.exp(-q * e)) : Math.log(normalCdf(q * e, 0, 1));
  }
  return llf;
}

/** Each coefficient with its standard error, statistic and two-sided p-value. */
export function paramsOf(method: 'ols' | 'logit' | 'probit', names: readonly string[], fit: Fit, dof: number): Record<string, RegressionParam> {
  const params: Record<string, RegressionParam> = {};
  names.forEach((name, j) => {
    const coef = fit.coef[j]!;
    const se = fit.cov ? Math.sqrt(Math.max(fit.cov.get(j, j), 0)) : null;
    const stat = se !== null && se > 0 ? coef / se : null;
    if (method === 'ols') {
      params[name] = { coef, se, t: stat, p: stat === null ? null : 2 * tCdf(-Math.abs(stat), dof) };
    } else {
      params[name] = { coef, se, z: stat, p: stat === null ? null : 2 * normalCdf(-Math.abs(stat), 0, 1) };
    }
  });
  return params;
}
