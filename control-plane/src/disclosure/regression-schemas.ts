/**
 * A regression check's spec and report: the API contract of `check-regression` (pure zod).
 *
 * The spec is the issue's: `{method, dependent, independent, categorical, constant}`. The
 * report keeps statsmodels' and patsy's names so that a researcher can hold it next to
 * `model.summary()`: `const` for the constant (statsmodels' `add_constant`, as ACRO's `ols`),
 * `x1` for a numeric column and `C(x2)[T.b]` for level `b` of a categorical column in
 * treatment coding against its first level in sorted order (patsy's `C()`). `t` for OLS (the
 * t distribution with the residual degrees of freedom), `z` for logit and probit (the normal).
 * The rule is ACRO 1.0's `__check_model_dof`: residual dof at least `safe_dof_threshold`
 * (`tables.dof`), with ACRO's summary text (`pass; dof=12 >= 10`).
 */
import { z } from 'zod';

const columnName = z.string().min(1).max(200);

export const RegressionMethodSchema = z.enum(['ols', 'logit', 'probit']);

export const RegressionSpecSchema = z
  .strictObject({
    method: RegressionMethodSchema,
    dependent: columnName,
    independent: z.array(columnName).max(200),
    /** Columns of `independent` taken as categorical (treatment coding, first sorted level the reference). */
    categorical: z.array(columnName).max(200).default([]),
    /** Add `const`, a column of ones (statsmodels' `add_constant`). */
    constant: z.boolean().default(true),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.independent.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['independent', i], message: `'${c}' is named twice` });
      if (c === spec.dependent) ctx.addIssue({ code: 'custom', path: ['independent', i], message: `'${c}' is the dependent variable` });
      seen.add(c);
    });
    spec.categorical.forEach((c, i) => {
      if (!seen.has(c)) ctx.addIssue({ code: 'custom', path: ['categorical', i], message: `'${c}' is not one of the independent variables` });
    });
    if (spec.independent.length === 0 && !spec.constant)
      ctx.addIssue({ code: 'custom', path: ['independent'], message: 'a model needs a variable or a constant' });
  });
export type RegressionSpec = z.infer<typeof RegressionSpecSchema>;

/** Null where it does not exist: no residual degrees of freedom left (OLS), or a zero standard error. */
const estimate = z.number().nullable();

/** One coefficient: `t` (OLS) or `z` (logit, probit), and its two-sided p-value. */
export const RegressionParamSchema = z.union([
  z.strictObject({ coef: z.number(), se: estimate, t: estimate, p: estimate }),
  z.strictObject({ coef: z.number(), se: estimate, z: estimate, p: estimate }),
]);
export type RegressionParam = z.infer<typeof RegressionParamSchema>;

export const RegressionReportSchema = z.strictObject({
  status: z.enum(['pass', 'fail']),
  method: RegressionMethodSchema,
  /** Records used: those with no missing value in any model column. */
  nobs: z.number().int().nonnegative(),
  /** Residual degrees of freedom: nobs − the number of parameters (statsmodels' `df_resid`). */
  dof: z.number().int(),
  /** In the design's column order (patsy's: constant, categorical terms, numeric terms). */
  params: z.record(z.string(), RegressionParamSchema),
  rules: z.strictObject({
    dof: z.strictObject({ value: z.number().int(), threshold: z.number().int(), passed: z.boolean() }),
    /** Not ACRO's: categorical levels with fewer records than the policy's `tables.modelLevelThreshold` (where set). */
    levels: z.strictObject({ threshold: z.number().int(), passed: z.boolean(), below: z.number().int().nonnegative() }).optional(),
  }),
  /** ACRO's summary of the rule, e.g. `fail; dof=9 < 10` (and the levels rule's, where it failed). */
  summary: z.string(),
  /** Records dropped for a missing value in a model column. */
  dropped: z.number().int().nonnegative(),
  /** Logit and probit: Newton iterations to convergence, and the log-likelihood at the estimate. */
  iterations: z.number().int().nonnegative().optional(),
  llf: z.number().optional(),
});
export type RegressionReport = z.infer<typeof RegressionReportSchema>;
