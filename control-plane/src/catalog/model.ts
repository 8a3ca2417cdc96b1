/**
 * The catalogue model: datasets (registers), their versions, variables and code lists.
 * Everything that enters the catalogue (demo seed, store rows, API bodies) is parsed with these schemas.
 */
import { z } from 'zod';

/** A dataset or variable name: lower snake case, safe to use as an SQL identifier after quoting. */
export const NameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower snake case, at most 63 characters');

export const CodeSchema = z.object({
  code: z.string().min(1).max(20),
  label: z.string().min(1),
});

/** A code list, e.g. ICD-10 or ATC: a named, versioned set of codes with labels. */
export const CodeListSchema = z.object({
  id: NameSchema,
  name: z.string().min(1),
  version: z.string().min(1),
  /** Where the code list is maintained, e.g. the WHO or the Directorate of e-health. */
  source: z.string().min(1),
  codes: z.array(CodeSchema).min(1),
});
export type CodeList = z.infer<typeof CodeListSchema>;

/** The logical types a register variable may have, with their DuckDB storage types. */
export const VariableTypeSchema = z.enum(['string', 'integer', 'decimal', 'date', 'boolean', 'code']);
export type VariableType = z.infer<typeof VariableTypeSchema>;

export const DUCKDB_TYPE: Record<VariableType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  decimal: 'DOUBLE',
  date: 'DATE',
  boolean: 'BOOLEAN',
  code: 'VARCHAR',
};

/**
 * How identifying a variable is. Direct identifiers (the national identity number) never reach
 * a project: extracts replace the person key by a project pseudonym and drop every other one.
 * Indirect identifiers (birth date, municipality) may be permitted but are flagged for review.
 */
export const VariableClassSchema = z.enum(['direct_identifier', 'indirect_identifier', 'ordinary']);

export const VariableSchema = z.object({
  name: NameSchema,
  type: VariableTypeSchema,
  label: z.string().min(1),
  description: z.string().default(''),
  unit: z.string().nullable().default(null),
  /** For `type: 'code'`: the id of the code list every non-null value must belong to. */
  codeList: NameSchema.nullable().default(null),
  class: VariableClassSchema,
  /** A delivery with a null or empty value here is rejected. */
  required: z.boolean().default(false),
});
export type Variable = z.infer<typeof VariableSchema>;
export type VariableInput = z.input<typeof VariableSchema>;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
export const CoverageSchema = z.object({ from: day, to: day.nullable() });

export const UpdateFrequencySchema = z.enum(['daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular']);

export const DatasetVersionSchema = z.object({
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'letters, digits, dot, dash, underscore'),
  /** ISO date-time the version was received. */
  receivedAt: z.string(),
  rowCount: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Path of the stored Parquet file, relative to the data directory. */
  path: z.string(),
  /**
   * The first and last date of the dataset's period variable in this version, measured by intake;
   * null for a dataset without one (or a version stored before intake measured it).
   */
  period: z.object({ from: z.string(), to: z.string() }).nullable().optional(),
});
export type DatasetVersion = z.infer<typeof DatasetVersionSchema>;

/** The fields of a dataset, before the checks across them (`DatasetSchema`); what answers extend. */
export const datasetFields = z.object({
  name: NameSchema,
  title: z.string().min(1),
  description: z.string().default(''),
  dataController: z.string().min(1),
  updateFrequency: UpdateFrequencySchema,
  /** Free-text keywords that help finding the dataset. */
  keywords: z.array(z.string()).default([]),
  /** SPDX-like licence or access-condition label, e.g. `restricted (permit required)`. */
  accessConditions: z.string().nullable().default(null),
  /** Persistent identifier of the dataset description, e.g. a DOI or a catalogue URL. */
  identifier: z.string().nullable().default(null),
  /** The variable holding the national identity number that links registers. */
  personVariable: NameSchema,
  /** The date variable a permit's period is applied to; null when the dataset has none. */
  periodVariable: NameSchema.nullable().default(null),
  /**
   * What the register holds, as its data controller declares it: from its first records; `to` the
   * last day of a register no longer collected, null while it is still collected. Where intake has
   * measured a stored version's period, that measurement says what is held (`registerCoverage`).
   */
  coverage: CoverageSchema.nullable().default(null),
  variables: z.array(VariableSchema).min(1),
  versions: z.array(DatasetVersionSchema).default([]),
});

export const DatasetSchema = datasetFields.superRefine((d, ctx) => {
  const names = new Set<string>();
  for (const v of d.variables) {
    if (names.has(v.name)) ctx.addIssue({ code: 'custom', message: `duplicate variable ${v.name}` });
    names.add(v.name);
    if (v.type === 'code' && !v.codeList) ctx.addIssue({ code: 'custom', message: `${v.name}: code without list` });
  }
  if (!names.has(d.personVariable)) ctx.addIssue({ code: 'custom', message: 'personVariable is not a variable' });
  if (d.periodVariable && !names.has(d.periodVariable)) {
    ctx.addIssue({ code: 'custom', message: 'periodVariable is not a variable' });
  }
});
export type Dataset = z.infer<typeof DatasetSchema>;

/** The whole catalogue: datasets plus the code lists they refer to. */
export interface Catalogue {
  datasets: Dataset[];
  codeLists: CodeList[];
}
