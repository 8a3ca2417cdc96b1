/**
 * The Kaplan–Meier check's spec and report as zod (pure: the API contract and the web UI's
 * types). The engine (`survival.ts`) builds plain objects; tests parse real reports with
 * these so that the two cannot drift apart.
 */
import { z } from 'zod';
import { PlotSchema } from './histogram-report.ts';
import { LabelSchema } from './result-schemas.ts';

const columnName = z.string().min(1);

/** `{duration, event, group}`: as statsmodels' `SurvfuncRight(time, status)`, one curve per group level. */
export const SurvivalSpecSchema = z.strictObject({
  /** Time to the event or to censoring; numeric. */
  duration: columnName,
  /** 1 (or true): the event happened at `duration`; 0 (or false): censored there. */
  event: columnName,
  /** A column whose levels each get their own curve; `null` or left out: one curve. */
  group: columnName.nullable().default(null),
});
export type SurvivalSpec = z.infer<typeof SurvivalSpecSchema>;

/**
 * One released step: an event time (pooled: the last event time of the pool), the number
 * at risk just before it (pooled: before the pool's first event time), the events of the
 * step (pool), those censored from it until the next step, and the survival estimate with
 * its pointwise 95% log(-log) confidence bounds (`null` where undefined: survival 0, or
 * every subject at risk had the event).
 */
export const SurvivalStepSchema = z.strictObject({
  time: z.number(),
  atRisk: z.number().int(),
  events: z.number().int(),
  censored: z.number().int(),
  survival: z.number(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  group: LabelSchema.optional(),
});
export type SurvivalStep = z.infer<typeof SurvivalStepSchema>;

const RuleOutcomeSchema = z.strictObject({ value: z.number().nullable(), threshold: z.number(), passed: z.boolean() });

export const SurvivalReportSchema = z.strictObject({
  status: z.enum(['pass', 'review', 'fail']),
  method: z.literal('kaplan-meier'),
  /** The policy's rule that judged it (`tables.survival.rule`). */
  rule: z.enum(['pool', 'acro-1.0']),
  /** Records used (rows with a duration, an event and, if grouped, a group). */
  nobs: z.number().int(),
  table: z.array(SurvivalStepSchema),
  /** Whether steps were pooled (the table released is then the pooled one). */
  pooled: z.boolean(),
  rules: z.strictObject({
    /** `pool`: the fewest events of a released step (`null`: a group had too few events for any step). */
    threshold: RuleOutcomeSchema.optional(),
    /** `acro-1.0`: ACRO's MinimumDoFCheck on the table. */
    dof: RuleOutcomeSchema.optional(),
    /** `acro-1.0`: ACRO's StatbarnDataCheck, a manual check always asked for. */
    manual: z.strictObject({ status: z.literal('review'), message: z.string() }).optional(),
  }),
  /** Groups with too few events for one released step (their curve is not in the table). */
  failedGroups: z.array(LabelSchema).optional(),
  notes: z.array(z.string()),
  /** The curves drawn from the released table, present only when the check passed. */
  plot: PlotSchema.optional(),
});
export type SurvivalReport = z.infer<typeof SurvivalReportSchema>;
