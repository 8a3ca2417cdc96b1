/**
 * The case metrics' API contract (issue 15 item 4, the programme's baseline measurement): how many
 * applications, and how long each step took — submitted → decided → permit issued → first data
 * copy — with the time the case was paused waiting for the applicant shown apart (gross and net of
 * the pause), as median and 90th percentile, for all cases and broken down by case type, register,
 * month of submission and register × month.
 *
 * Small counts: application counts are not personal data, but a breakdown follows the platform's
 * small-count rule (the default output policy's `tables.threshold`). In a breakdown, every figure
 * computed from 1 to threshold − 1 applications is withheld (`null`): a cell's count and all its
 * figures when the cell is that small (`suppressed: true`), and otherwise each count or lead time
 * whose own applications are that few (e.g. the 3 rejected of a month of 40, or the median copy
 * time of the 2 cases of a month that have a copy). Zero is shown: it singles out no one. Totals are
 * never withheld, as the issue asks, so where a breakdown partitions the total (case type, month) a
 * single withheld count can be recovered by subtraction; this is accepted because the counts are not
 * personal data and the public register lists every project anyway. What the rule protects is one
 * case's own lead time, and a median or percentile cannot be subtracted back out of a total.
 */
import { z } from 'zod';
import { caseTypeSchema } from '../projects/schemas.ts';

/** The register's case types (PRODUCT.md), in their order. */
export const CASE_TYPE_ORDER = caseTypeSchema.options;
export type CaseType = z.infer<typeof caseTypeSchema>;

export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');

/** Inclusive months of submission; either may be left out. */
export const caseStatsQuerySchema = z
  .object({ from: monthSchema.optional(), to: monthSchema.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] });
export type CaseStatsQuery = z.infer<typeof caseStatsQuerySchema>;

/**
 * The steps measured: `total` is submitted → first data copy; `open` is the age of the cases still
 * open, submitted → now, with a request for information still unanswered counted as paused up to now.
 */
export const CASE_STAGES = ['decision', 'permit', 'copy', 'total', 'open'] as const;
export type CaseStage = (typeof CASE_STAGES)[number];

const quantilesSchema = z.object({ median: z.number(), p90: z.number() }).meta({ id: 'CaseQuantiles', description: 'Days, to two decimals' });

export const stageTimesSchema = z
  .object({
    /** Applications that reached both ends of the step; null when withheld. */
    n: z.number().int().min(0).nullable(),
    /** Calendar time of the step. */
    gross: quantilesSchema.nullable(),
    /** The step's time less the time paused in it (awaiting the applicant). */
    net: quantilesSchema.nullable(),
    /** The time paused in the step, per application. */
    paused: quantilesSchema.nullable(),
  })
  .meta({ id: 'CaseStageTimes', description: 'Median and 90th percentile (linear, numpy default) in days; null when none or withheld' });
export type StageTimes = z.infer<typeof stageTimesSchema>;

const count = z.number().int().min(0).nullable();

export const caseFiguresSchema = z.object({
  applications: count,
  /** Neither decided nor withdrawn. */
  open: count,
  /** Open and paused now: a request for information not yet answered. */
  awaitingApplicant: count,
  /** Open, not paused, past its due date; null everywhere when the platform has no due dates (`dueDates: false`). */
  overdue: count,
  approved: count,
  rejected: count,
  withdrawn: count,
  /** With a permit issued from the application. */
  permitted: count,
  /** With a data copy made under that permit version. */
  copied: count,
  /** Paused at least once. */
  paused: count,
  leadTimes: z.object({ decision: stageTimesSchema, permit: stageTimesSchema, copy: stageTimesSchema, total: stageTimesSchema, open: stageTimesSchema }),
});
export type CaseFigures = z.infer<typeof caseFiguresSchema>;

export const caseCellSchema = caseFiguresSchema
  .extend({
    /** The case type, the register, or the month (YYYY-MM). */
    key: z.string(),
    /** In `byRegisterMonth`: the month (`key` is the register). */
    month: monthSchema.optional(),
    /** The cell has fewer applications than the threshold: every figure of it is null. */
    suppressed: z.boolean(),
  })
  .meta({ id: 'CaseStatsCell' });
export type CaseCell = z.infer<typeof caseCellSchema>;

export const caseStatsSchema = z
  .object({
    generatedAt: z.iso.datetime(),
    from: monthSchema.nullable(),
    to: monthSchema.nullable(),
    smallCount: z.object({ threshold: z.number().int().min(1), profile: z.string(), source: z.string() }),
    quantiles: z.object({ method: z.literal('linear'), description: z.string() }),
    /** Whether applications carry a due date (the case flow's `due_at`), so that overdue cases are counted. */
    dueDates: z.boolean(),
    totals: caseFiguresSchema,
    byCaseType: z.array(caseCellSchema.extend({ key: caseTypeSchema })),
    /** An application counts once under each register (dataset) it names. */
    byRegister: z.array(caseCellSchema),
    byMonth: z.array(caseCellSchema),
    byRegisterMonth: z.array(caseCellSchema),
  })
  .meta({ id: 'CaseStats', description: 'Case numbers and lead times; figures in breakdowns follow the small-count rule' });
export type CaseStats = z.infer<typeof caseStatsSchema>;
