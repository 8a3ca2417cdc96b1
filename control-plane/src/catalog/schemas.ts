/**
 * What the catalogue routes answer, built from the catalogue model (`model.ts`): the dataset list,
 * one dataset with its code lists, variable search hits, FAIR scores and value distributions.
 */
import { z } from 'zod';
import {
  CodeListSchema,
  CodeSchema,
  datasetFields,
  DatasetVersionSchema,
  NameSchema,
  UpdateFrequencySchema,
  VariableClassSchema,
  VariableTypeSchema,
} from './model.ts';

/**
 * A stored version as the API shows it: when it came, how many rows, its hash. Not where the
 * server keeps it: a storage path tells a caller the platform's layout and nothing they need.
 */
export const PublicDatasetVersionSchema = DatasetVersionSchema.omit({ path: true }).meta({ id: 'DatasetVersion' });
export type PublicDatasetVersion = z.infer<typeof PublicDatasetVersionSchema>;

/** A version without its storage path, for answers. */
export function publicVersion(v: z.infer<typeof DatasetVersionSchema>): PublicDatasetVersion {
  return { version: v.version, receivedAt: v.receivedAt, rowCount: v.rowCount, sha256: v.sha256, period: v.period ?? null };
}

export const FairScoreSchema = z
  .object({
    dataset: z.string(),
    score: z.number().int().min(0).max(100),
    findable: z.number(),
    accessible: z.number(),
    interoperable: z.number(),
    reusable: z.number(),
    /** What would raise the score. */
    missing: z.array(z.string()),
  })
  .meta({ id: 'FairScore' });
export type FairScore = z.infer<typeof FairScoreSchema>;

/** A dataset in the list: its description and counts, not its variables. */
export const DatasetSummarySchema = z
  .object({
    name: NameSchema,
    title: z.string(),
    description: z.string(),
    dataController: z.string(),
    updateFrequency: UpdateFrequencySchema,
    keywords: z.array(z.string()),
    variables: z.number().int(),
    versions: z.number().int(),
    latestVersion: PublicDatasetVersionSchema.nullable(),
    fair: FairScoreSchema,
  })
  .meta({ id: 'DatasetSummary' });
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>;

export const DatasetDetailSchema = datasetFields
  .extend({ versions: z.array(PublicDatasetVersionSchema), codeLists: z.array(CodeListSchema), fair: FairScoreSchema })
  .meta({ id: 'DatasetDetail', description: 'A dataset with its variables, versions, the code lists they use and its FAIR score' });
export type DatasetDetail = z.infer<typeof DatasetDetailSchema>;

export const VariableHitSchema = z
  .object({
    dataset: z.string(),
    datasetTitle: z.string(),
    dataController: z.string(),
    name: z.string(),
    label: z.string(),
    description: z.string(),
    type: VariableTypeSchema,
    class: VariableClassSchema,
    unit: z.string().nullable(),
    codeList: z.string().nullable(),
    /** Codes whose label matched the words (up to 10). */
    matchingCodes: z.array(CodeSchema),
    score: z.number(),
  })
  .meta({ id: 'VariableHit' });
export type VariableHit = z.infer<typeof VariableHitSchema>;

const DistributionCellSchema = z.object({
  value: z.string(),
  label: z.string().nullable(),
  /** null when suppressed. */
  count: z.number().int().nullable(),
});

const DistributionSchema = z.object({
  dataset: z.string(),
  variable: z.string(),
  kind: z.enum(['values', 'years', 'bins']),
  threshold: z.number().int(),
  /** null when the total itself is under the threshold. */
  total: z.number().int().nullable(),
  missing: z.number().int().nullable(),
  cells: z.array(DistributionCellSchema),
  suppressedCells: z.number().int(),
});
export type Distribution = z.infer<typeof DistributionSchema>;

/** A distribution as the API answers it: of the latest stored version. */
export const VersionDistributionSchema = DistributionSchema.extend({ version: z.string() }).meta({ id: 'Distribution' });
export type VersionDistribution = z.infer<typeof VersionDistributionSchema>;
