/**
 * Output-control policy schemas. A policy file under `policies/` is either a
 * *profile* (a complete rule set, e.g. `default`, `acro`) or an *override*
 * (a partial rule set scoped to one project or one dataset). Every key is
 * described here; unknown keys are rejected so that a typo never silently
 * weakens a rule.
 */
import { z } from 'zod';
import { ExploreRulesSchema } from './explore-rules.ts';

const positiveInt = z.number().int().positive();

/** Defaults of the keys that bound a check's cost (a profile may leave them out). */
export const DEFAULT_MAX_CELLS = 100_000;
export const DEFAULT_CHECK_BUDGET_MS = 30_000;
export const DEFAULT_SCAN_BUDGET_MS = 10_000;
const fraction = z.number().gt(0).lte(1);

export const TableRulesSchema = z.strictObject({
  /** Minimum number of records behind a cell (ACRO `safe_threshold`). */
  threshold: positiveInt,
  /**
   * Whether records whose values column is missing count towards the threshold
   * of mean/sum/... tables. ACRO counts only non-missing values (`Series.count()`).
   */
  thresholdCountsMissing: z.boolean(),
  /** A cell with no records is disclosive (ACRO `zeros_are_disclosive`). */
  zerosDisclosive: z.boolean(),
  /** Dominance: the n largest contributions must not make up k of the cell total. */
  nk: z.strictObject({
    n: positiveInt,
    k: fraction,
    /** A share of exactly k fails (ACRO uses `> k`, so exactly k passes there). */
    failAtK: z.boolean(),
  }),
  /** p-ratio: (total − largest − second largest) / largest below p fails. */
  pRatio: fraction,
  /** Residual degrees of freedom for dispersion statistics (std). */
  dof: positiveInt,
  /** Report cells with missing values or no records for review. */
  checkMissing: z.boolean(),
  /** Round counts to this base (e.g. 5); totals are sums of the rounded cells. `null`: off. */
  roundingBase: positiveInt.nullable(),
  /** Suppress (blank) any statistic computed from this many records or fewer. `null`: off. */
  suppressAtOrBelow: z.number().int().nonnegative().nullable(),
  /** Compare a table with the project's earlier releases (differencing). */
  differencing: z.boolean(),
  /**
   * Largest table a check computes: the product of the index and column variables' level
   * counts (times the aggfuncs), counted before anything is built; a bigger one is refused.
   */
  maxCells: positiveInt.default(DEFAULT_MAX_CELLS),
  /** Time a table check's queries may take, in milliseconds, before they are interrupted. */
  checkBudgetMs: positiveInt.default(DEFAULT_CHECK_BUDGET_MS),
});
export type TableRules = z.infer<typeof TableRulesSchema>;

export const FileRulesSchema = z.strictObject({
  /** Largest single file accepted, in bytes. */
  maxFileBytes: positiveInt,
  /** Largest total of one request, in bytes. */
  maxRequestBytes: positiveInt,
  /** Archives and compressed files (zip, gzip, tar, ...) are accepted at all. */
  allowArchives: z.boolean(),
  /** Compressed content is never inflated past this many bytes. */
  maxUnpackedBytes: positiveInt,
  /** Scan text outputs for Norwegian national identity numbers. */
  scanNationalIds: z.boolean(),
  /** Scan text outputs for the project's pseudonyms. */
  scanPseudonyms: z.boolean(),
  /** Scan CSV tables for small counts (integers from 1 to the table threshold − 1). */
  scanSmallCounts: z.boolean(),
  /** Time the content scan of one file may take, in milliseconds; over it the file is refused as not checkable. */
  scanBudgetMs: positiveInt.default(DEFAULT_SCAN_BUDGET_MS),
});
export type FileRules = z.infer<typeof FileRulesSchema>;

export const ReviewRulesSchema = z.strictObject({
  /** Independent approvals an export needs, each from a different person. */
  exportApprovals: positiveInt,
  /** Approvals an import needs. */
  importApprovals: positiveInt,
});
export type ReviewRules = z.infer<typeof ReviewRulesSchema>;

const policyName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'lowercase letters, digits and dashes');

export const ProfileFileSchema = z.strictObject({
  kind: z.literal('profile'),
  name: policyName,
  description: z.string().optional(),
  tables: TableRulesSchema,
  files: FileRulesSchema,
  review: ReviewRulesSchema,
  /** The explorer's rules (issue 14); a profile without the section gets the defaults. */
  explore: ExploreRulesSchema.prefault({}),
});
export type ProfileFile = z.infer<typeof ProfileFileSchema>;

// The cost bounds without their defaults: an override that leaves them out must not reset them.
const TableRulesPatchSchema = z
  .strictObject({
    ...TableRulesSchema.shape,
    nk: TableRulesSchema.shape.nk.partial(),
    maxCells: positiveInt,
    checkBudgetMs: positiveInt,
  })
  .partial();
const FileRulesPatchSchema = z.strictObject({ ...FileRulesSchema.shape, scanBudgetMs: positiveInt }).partial();

export const PolicyPatchSchema = z.strictObject({
  tables: TableRulesPatchSchema.optional(),
  files: FileRulesPatchSchema.optional(),
  review: ReviewRulesSchema.partial().optional(),
});
export type PolicyPatch = z.infer<typeof PolicyPatchSchema>;

export const OverrideFileSchema = z.strictObject({
  kind: z.literal('override'),
  description: z.string().optional(),
  /** Exactly one of project or dataset. */
  scope: z.union([z.strictObject({ project: z.string().min(1) }), z.strictObject({ dataset: z.string().min(1) })]),
  /** Project overrides only: the profile the project starts from (default `default`). */
  profile: policyName.optional(),
  ...PolicyPatchSchema.shape,
});
export type OverrideFile = z.infer<typeof OverrideFileSchema>;

export const PolicyFileSchema = z.discriminatedUnion('kind', [ProfileFileSchema, OverrideFileSchema]);

/** The rules in force for one check: what the engines read. */
export interface Policy {
  /** The profile it starts from. */
  profile: string;
  tables: TableRules;
  files: FileRules;
  review: ReviewRules;
  /** The policy files that made it, in the order applied: part of the check record. */
  sources: string[];
}
