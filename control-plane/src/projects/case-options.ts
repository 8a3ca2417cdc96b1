/**
 * Settings of case handling: the `cases` section of the one typed config (`casesConfigSection`,
 * handed to `config/` by the server). None is secret.
 *
 *   TRE_CASE_DEADLINE_DAYS       days from submission to the due date, per case type, as
 *                                `one_off=60,extra_order=20` (types left out keep their default)
 *   TRE_CASE_ATTACHMENT_MAX_BYTES largest attachment accepted (default 10 MiB)
 *
 * The defaults follow the access bodies' own practice: EHDS art. 68(2) gives a health data access
 * body three months for a permit, Helsedataservice aims at 60 days for a first delivery, and a
 * change to a permit in force (new period, extra order, project change) is a smaller assessment.
 * The due date is submission + deadline + the time the case waited for the applicant.
 */
import { z } from 'zod';
import type { ConfigSection } from '../config/index.ts';
import { InputError } from '../errors/index.ts';
import { CASE_TYPES, type CaseType } from './legal-bases.ts';

export const DEFAULT_DEADLINE_DAYS: Record<CaseType, number> = { one_off: 60, rolling: 60, new_period: 30, extra_order: 20, project_change: 30 };

const days = z.coerce.number().int().min(1).max(365);
const deadlineDays = z.preprocess(
  (v) => (typeof v === 'string' ? Object.fromEntries(v.split(',').map((pair) => pair.split('=').map((s) => s.trim()))) : v),
  z.partialRecord(z.enum(CASE_TYPES), days),
);

export const CasesOptionsSchema = z.object({
  deadlineDays: deadlineDays.describe('Days from submission to the due date per case type, e.g. one_off=60,extra_order=20').default({}),
  attachmentMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .describe('Largest attachment of a case accepted, in bytes')
    .default(10 * 1024 * 1024),
});
export interface CasesOptions {
  deadlineDays: Record<CaseType, number>;
  attachmentMaxBytes: number;
}

export const casesConfigSection = {
  schema: CasesOptionsSchema,
  env: { TRE_CASE_DEADLINE_DAYS: 'deadlineDays', TRE_CASE_ATTACHMENT_MAX_BYTES: 'attachmentMaxBytes' },
  description: 'Case handling (TRE_CASE_*: projects/case-options.ts)',
} satisfies ConfigSection<typeof CasesOptionsSchema>;

/** The `cases` config section with every case type's deadline filled in. */
export function casesOptions(section: unknown): CasesOptions {
  const r = CasesOptionsSchema.safeParse(section ?? {});
  if (!r.success) throw new InputError(`invalid case settings: ${z.prettifyError(r.error)}`, { reason: 'invalid_config' });
  return { attachmentMaxBytes: r.data.attachmentMaxBytes, deadlineDays: { ...DEFAULT_DEADLINE_DAYS, ...r.data.deadlineDays } };
}
