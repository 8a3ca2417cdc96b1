/**
 * What a permit lets a project have, as the extract needs it, and the SQL that selects exactly that.
 * The lead's permit model maps onto `ExtractScope`; everything here is checked against the catalogue.
 */
import { z } from 'zod';
import { NameSchema, type Dataset } from '../catalog/index.ts';
import { InputError } from '../errors/index.ts';
import { ident, lit } from './duckdb.ts';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

/**
 * A cohort criterion; all criteria must hold (AND).
 * - `codes`: persons with at least one row in `dataset`, inside the permit's period, whose `variable`
 *   starts with one of `codes` (`E11` matches `E11` and `E119`);
 * - `range`: the same with `variable` between `from` and `to` (dates or numbers, inclusive);
 * - `birth_year` and `sex`: read from the identity number itself, so no register is needed.
 */
export const CohortCriterionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('codes'), dataset: NameSchema, variable: NameSchema, codes: z.array(z.string().min(1).max(20)).min(1) }),
  z
    .object({
      kind: z.literal('range'),
      dataset: NameSchema,
      variable: NameSchema,
      from: z.union([IsoDate, z.number()]).optional(),
      to: z.union([IsoDate, z.number()]).optional(),
    })
    .refine((c) => c.from !== undefined || c.to !== undefined, 'a range needs from or to'),
  z.object({ kind: z.literal('birth_year'), from: z.number().int().optional(), to: z.number().int().optional() }),
  z.object({ kind: z.literal('sex'), values: z.array(z.enum(['1', '2'])).min(1) }),
]);
export type CohortCriterion = z.infer<typeof CohortCriterionSchema>;

export const ExtractScopeSchema = z.object({
  projectId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
  permitId: z.string().min(1).max(100),
  permitVersion: z.number().int().positive(),
  legalBasis: z.object({
    /** e.g. `helseregisterloven §19 b` or `consent`; recorded in the manifest. */
    code: z.string().min(1),
    /** Whether citizens' opt-out (reservasjon) applies under this basis. */
    honoursOptOut: z.boolean(),
    /** Whether the copy holds exactly the persons whose consent is in force (legal basis consent). */
    requiresConsent: z.boolean().default(false),
  }),
  /** Inclusive; applied to each dataset's period variable. */
  period: z.object({ from: IsoDate, to: IsoDate }).refine((p) => p.from <= p.to, 'period.from after period.to'),
  /** Whether the project may link its registers: one pseudonym per person across datasets. */
  linkage: z.boolean(),
  datasets: z
    .array(z.object({ dataset: NameSchema, variables: z.array(NameSchema).min(1) }))
    .min(1)
    .refine((ds) => new Set(ds.map((d) => d.dataset)).size === ds.length, 'a dataset is listed twice'),
  /** All criteria must hold (AND). Empty: every person in the permitted registers. */
  cohort: z.array(CohortCriterionSchema).default([]),
});
export type ExtractScope = z.infer<typeof ExtractScopeSchema>;
export type ExtractScopeInput = z.input<typeof ExtractScopeSchema>;

/** A stored, checked dataset version to extract from (an intake result). */
export interface SourceFile {
  dataset: string;
  version: string;
  path: string;
  sha256: string;
}

export interface DatasetPlan {
  dataset: Dataset;
  source: SourceFile;
  /** Variables that go into the copy, in catalogue order; never a direct identifier. */
  variables: Dataset['variables'];
  /** Permitted direct identifiers that were dropped (the person variable becomes `person_id`). */
  dropped: string[];
  /** Row filter over the source alias `s` (period), without cohort and opt-out. */
  where: string;
}

export function parseScope(input: ExtractScopeInput): ExtractScope {
  const r = ExtractScopeSchema.safeParse(input);
  if (!r.success) throw new InputError(`invalid extract scope: ${z.prettifyError(r.error)}`, { reason: 'invalid_scope' });
  return r.data;
}

function periodFilter(ds: Dataset, scope: ExtractScope): string {
  if (!ds.periodVariable) return 'TRUE';
  const v = `s.${ident(ds.periodVariable)}`;
  return `${v} BETWEEN DATE ${lit(scope.period.from)} AND DATE ${lit(scope.period.to)}`;
}

/** Checks the scope against the catalogue and sources and returns one plan per permitted dataset. */
export function planExtract(scope: ExtractScope, catalogue: Dataset[], sources: SourceFile[]): DatasetPlan[] {
  const byName = new Map(catalogue.map((d) => [d.name, d]));
  return scope.datasets.map(({ dataset, variables }) => {
    const ds = byName.get(dataset);
    if (!ds) throw new InputError(`dataset ${dataset} is not in the catalogue`, { reason: 'unknown_dataset' });
    const source = sources.find((s) => s.dataset === dataset);
    if (!source) throw new InputError(`no source file for dataset ${dataset}`, { reason: 'missing_source' });
    const known = new Set(ds.variables.map((v) => v.name));
    const unknown = variables.filter((v) => !known.has(v));
    if (unknown.length) {
      throw new InputError(`unknown variables in ${dataset}: ${unknown.join(', ')}`, { reason: 'unknown_variable' });
    }
    const wanted = new Set(variables);
    const chosen = ds.variables.filter((v) => wanted.has(v.name));
    return {
      dataset: ds,
      source,
      variables: chosen.filter((v) => v.class !== 'direct_identifier'),
      dropped: chosen.filter((v) => v.class === 'direct_identifier').map((v) => v.name),
      where: periodFilter(ds, scope),
    };
  });
}

/** SQL for the birth year encoded in identity number column `col` (ordinary numbers). */
export function fnrBirthYearSql(col: string): string {
  const yy = `CAST(substr(${col}, 5, 2) AS INTEGER)`;
  const ind = `CAST(substr(${col}, 7, 3) AS INTEGER)`;
  return `(${yy} + CASE WHEN ${ind} <= 499 THEN 1900 WHEN ${ind} >= 900 AND ${yy} >= 40 THEN 1900
    WHEN ${ind} <= 749 AND ${yy} >= 54 THEN 1800 ELSE 2000 END)`;
}

/** Row-level conditions on the person column `col` from the birth-year and sex criteria. */
export function personConditions(scope: ExtractScope, col: string): string[] {
  const conds: string[] = [];
  for (const c of scope.cohort) {
    if (c.kind === 'birth_year') {
      if (c.from !== undefined) conds.push(`${fnrBirthYearSql(col)} >= ${c.from}`);
      if (c.to !== undefined) conds.push(`${fnrBirthYearSql(col)} <= ${c.to}`);
    } else if (c.kind === 'sex') {
      conds.push(`(CASE WHEN CAST(substr(${col}, 9, 1) AS INTEGER) % 2 = 1 THEN '1' ELSE '2' END) IN (${c.values.map(lit).join(', ')})`);
    }
  }
  return conds;
}

/**
 * SQL selecting the identity numbers (column `fnr`) that meet every register criterion (codes, range),
 * or null when there are none. Cohort registers need a source but need not be in the copy.
 */
export function cohortSql(scope: ExtractScope, catalogue: Dataset[], sources: SourceFile[]): string | null {
  const parts = scope.cohort.flatMap((c) => {
    if (c.kind !== 'codes' && c.kind !== 'range') return [];
    const ds = catalogue.find((d) => d.name === c.dataset);
    if (!ds) throw new InputError(`cohort dataset ${c.dataset} is not in the catalogue`, { reason: 'unknown_dataset' });
    const source = sources.find((s) => s.dataset === c.dataset);
    if (!source) throw new InputError(`no source file for cohort dataset ${c.dataset}`, { reason: 'missing_source' });
    if (!ds.variables.some((v) => v.name === c.variable)) {
      throw new InputError(`unknown cohort variable ${c.dataset}.${c.variable}`, { reason: 'unknown_variable' });
    }
    const col = `s.${ident(c.variable)}`;
    const conds = [periodFilter(ds, scope)];
    if (c.kind === 'codes') conds.push(`(${c.codes.map((code) => `starts_with(${col}, ${lit(code)})`).join(' OR ')})`);
    else {
      const bound = (b: string | number) => (typeof b === 'number' ? String(b) : `DATE ${lit(b)}`);
      if (c.from !== undefined) conds.push(`${col} >= ${bound(c.from)}`);
      if (c.to !== undefined) conds.push(`${col} <= ${bound(c.to)}`);
    }
    return [`SELECT s.${ident(ds.personVariable)} AS fnr FROM read_parquet(${lit(source.path)}) s WHERE ${conds.join(' AND ')}`];
  });
  return parts.length ? parts.join('\nINTERSECT\n') : null;
}

/** The lead's permit cohort (`projects/schemas.ts` `cohortSchema`) as extract criteria. */
export function cohortFromPermit(cohort: {
  birthYearFrom?: number;
  birthYearTo?: number;
  sex?: ('F' | 'M')[];
  icd10?: string[];
  atc?: string[];
}): CohortCriterion[] {
  const out: CohortCriterion[] = [];
  if (cohort.birthYearFrom !== undefined || cohort.birthYearTo !== undefined) {
    out.push({ kind: 'birth_year', from: cohort.birthYearFrom, to: cohort.birthYearTo });
  }
  if (cohort.sex) out.push({ kind: 'sex', values: cohort.sex.map((s) => (s === 'M' ? '1' : '2')) });
  if (cohort.icd10) out.push({ kind: 'codes', dataset: 'patient_episodes', variable: 'main_diagnosis', codes: cohort.icd10.map((c) => c.replace('.', '')) });
  if (cohort.atc) out.push({ kind: 'codes', dataset: 'prescriptions', variable: 'atc_code', codes: cohort.atc });
  return out;
}

/** The fields of the lead's `Permit` (projects/permits.ts) an extract needs. */
export interface PermitLike {
  id: string;
  version: number;
  projectId: string;
  datasets: { dataset: string; variables: string[] }[];
  period: { from: string; to: string };
  cohort: Record<string, unknown>;
  linkageAllowed: boolean;
  legalBasis: string;
  optOutHonoured: boolean;
  consent?: { text: string; version: string } | null;
}

/** The extract scope of a permit version. */
export function scopeFromPermit(permit: PermitLike): ExtractScope {
  const day = (d: string) => new Date(d).toISOString().slice(0, 10);
  return parseScope({
    projectId: permit.projectId,
    permitId: permit.id,
    permitVersion: permit.version,
    // Fail closed: consent is required when the basis says so or the permit names consent terms.
    legalBasis: {
      code: permit.legalBasis,
      honoursOptOut: permit.optOutHonoured,
      requiresConsent: permit.legalBasis === 'consent' || Boolean(permit.consent),
    },
    period: { from: day(permit.period.from), to: day(permit.period.to) },
    linkage: permit.linkageAllowed,
    datasets: permit.datasets,
    cohort: cohortFromPermit(permit.cohort as Parameters<typeof cohortFromPermit>[0]),
  });
}
