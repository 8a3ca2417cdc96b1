/**
 * The explorer's API contract (issue 14): a query document over the catalogue's current register
 * versions and its protected answer. The cohort is the permit's own cohort (`projects/schemas.ts`),
 * so what an applicant explores is what they can later apply for.
 */
import { z } from 'zod';
import { cohortSchema, periodSchema } from '../projects/schemas.ts';

/** `dataset.variable`, both in the catalogue's lower snake case. */
const qualifiedName = z.string().regex(/^[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$/, 'must be dataset.variable');
const datasetName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower snake case');

export const ExploreQuerySchema = z
  .strictObject({
    /**
     * The registers to count over, linked on the person: a person is counted when they have a row in
     * every one (inside the period). Records are the rows of the first. Datasets named by `by` or
     * `measure` are linked too.
     */
    datasets: z.array(datasetName).min(1).max(5),
    cohort: cohortSchema.default({}),
    /** Inclusive; applied to each register's period variable and to the cohort's code criteria. */
    period: periodSchema.optional(),
    /** Up to three variables to break the counts down by; dates by year. */
    by: z.array(qualifiedName).max(3).default([]),
    /** A numeric variable of the first dataset: mean, median and quartiles per cell where the rules allow. */
    measure: qualifiedName.optional(),
  })
  .meta({ id: 'ExploreQuery' });
export type ExploreQuery = z.infer<typeof ExploreQuerySchema>;
export type ExploreQueryInput = z.input<typeof ExploreQuerySchema>;

const MeasureStatsSchema = z.object({
  mean: z.number().nullable(),
  median: z.number().nullable(),
  q1: z.number().nullable(),
  q3: z.number().nullable(),
  /** Why figures are withheld: `threshold`, `nk`, `p_percent`, `quartile_count` (quartiles only), or null. */
  withheld: z.enum(['threshold', 'nk', 'p_percent', 'quartile_count']).nullable(),
});
export type MeasureStats = z.infer<typeof MeasureStatsSchema>;

export const ExploreCellSchema = z.object({
  /** One label per `by` variable (code, year, value; null for a missing value). */
  labels: z.array(z.string().nullable()),
  /** The code lists' names of the labels (null where a variable has no code list or the code none). */
  names: z.array(z.string().nullable()),
  /** Perturbed count of persons; null when suppressed (under the threshold). */
  persons: z.number().int().nullable(),
  /** Perturbed count of records (rows of the first dataset); null when suppressed. */
  records: z.number().int().nullable(),
  suppressed: z.boolean(),
  stats: MeasureStatsSchema.optional(),
});
export type ExploreCell = z.infer<typeof ExploreCellSchema>;

export const ExploreProtectionSchema = z
  .object({
    method: z.literal('cell-key'),
    /** Counts under it are suppressed. */
    threshold: z.number().int(),
    maxNoise: z.number().int(),
    noiseVariance: z.number(),
    /** Always true: every count shown is perturbed. */
    perturbed: z.literal(true),
    /** What the UI and CLI say on every result. */
    notice: z.string(),
    profile: z.string(),
    sources: z.array(z.string()),
  })
  .meta({ id: 'ExploreProtection' });
export type ExploreProtection = z.infer<typeof ExploreProtectionSchema>;

export const ExploreBudgetSchema = z.object({ used: z.number().int(), limit: z.number().int(), resetsAt: z.iso.datetime() }).meta({ id: 'ExploreBudget' });
export type ExploreBudget = z.infer<typeof ExploreBudgetSchema>;

export const ExploreAnswerSchema = z
  .object({
    queryId: z.string(),
    askedAt: z.iso.datetime(),
    query: ExploreQuerySchema,
    /** The register versions counted over. */
    versions: z.array(z.object({ dataset: z.string(), version: z.string() })),
    by: z.array(z.string()),
    cells: z.array(ExploreCellSchema),
    protection: ExploreProtectionSchema,
    budget: ExploreBudgetSchema,
  })
  .meta({ id: 'ExploreAnswer', description: 'Protected counts: suppressed under the threshold, perturbed with the cell-key method' });
export type ExploreAnswer = z.infer<typeof ExploreAnswerSchema>;

export const ExploreRulesAnswerSchema = z
  .object({ protection: ExploreProtectionSchema, budget: ExploreBudgetSchema })
  .meta({ id: 'ExploreRules', description: 'The protection in force and the caller’s budget today' });
export type ExploreRulesAnswer = z.infer<typeof ExploreRulesAnswerSchema>;

export const DummyRequestSchema = z
  .strictObject({
    /** The permit whose copy to imitate (its newest version), or the project whose permit in force. */
    permitId: z.string().min(1).max(100).optional(),
    projectId: z.string().min(1).max(100).optional(),
    /** Rows per event register; the population register gets a fifth as many persons. */
    rows: z.number().int().min(20).max(10_000).default(1000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
  })
  .refine((r) => (r.permitId === undefined) !== (r.projectId === undefined), { message: 'give exactly one of permitId and projectId', path: ['permitId'] })
  .meta({ id: 'DummyRequest' });
export type DummyRequest = z.infer<typeof DummyRequestSchema>;

export const DummyAnswerSchema = z
  .object({
    synthetic: z.literal(true),
    permitId: z.string(),
    permitVersion: z.number().int(),
    files: z.array(z.object({ name: z.string(), rows: z.number().int(), sha256: z.string(), contentBase64: z.string() })),
    /** README_SYNTHETIC.md: what the files are and how to read them. */
    readme: z.string(),
    protection: ExploreProtectionSchema,
  })
  .meta({ id: 'DummyAnswer', description: "Synthetic data with a permit's exact files, columns and types; no real person in it" });
export type DummyAnswer = z.infer<typeof DummyAnswerSchema>;
