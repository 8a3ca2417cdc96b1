import { z } from 'zod';

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date');
export const projectId = z.string().regex(/^prj_[a-z0-9_-]{2,40}$/, 'must look like prj_xxxx');
export const applicationId = z.string().regex(/^app_[a-z0-9]{4,40}$/, 'must look like app_xxxx');
export const permitId = z.string().regex(/^pmt_[a-z0-9_-]{2,40}$/, 'must look like pmt_xxxx');

export const periodSchema = z
  .object({ from: isoDate, to: isoDate })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

/**
 * Legal bases a decision can rest on, and whether each honours a citizen's opt-out
 * (reservasjon). Central registers under the health register act have no opt-out;
 * consent, health research act exemptions and EHDS secondary use do.
 */
export const LEGAL_BASES = {
  consent: { label: 'Consent (GDPR art. 6(1)(a), 9(2)(a))', optOut: true },
  'hforsk-35': { label: 'Health Research Act § 35, exemption from confidentiality (REK)', optOut: true },
  'hrl-19': { label: 'Health Register Act § 19 a-e, disclosure from central registers', optOut: false },
  'ehds-art-68': { label: 'EHDS (EU 2025/327) art. 68, data permit for secondary use', optOut: true },
} as const;
export const legalBasisSchema = z.enum(Object.keys(LEGAL_BASES) as [keyof typeof LEGAL_BASES, ...(keyof typeof LEGAL_BASES)[]]);

export const caseTypeSchema = z.enum(['one_off', 'rolling', 'new_period', 'extra_order', 'project_change']);

export const datasetRequestSchema = z.object({
  dataset: z.string().min(1).max(100),
  variables: z.array(z.string().min(1).max(100)).min(1, 'name at least one variable'),
});

/** Who is in the study population; every criterion narrows it. */
export const cohortSchema = z
  .object({
    birthYearFrom: z.number().int().min(1850).max(2100).optional(),
    birthYearTo: z.number().int().min(1850).max(2100).optional(),
    sex: z.array(z.enum(['F', 'M'])).min(1).optional(),
    /** ICD-10 code prefixes: persons with at least one episode under one of them in the period. */
    icd10: z.array(z.string().regex(/^[A-Z][0-9]{0,2}(\.[0-9]{0,2})?$/, 'must be an ICD-10 code or prefix')).min(1).optional(),
    /** ATC code prefixes: persons with at least one prescription under one of them in the period. */
    atc: z.array(z.string().regex(/^[A-Z][0-9A-Z]{0,6}$/, 'must be an ATC code or prefix')).min(1).optional(),
  })
  .strict();

export const memberSchema = z.object({ userId: z.string().min(1), role: z.enum(['lead', 'researcher']) });

export const projectInputSchema = z.object({
  title: z.string().min(3).max(300),
  purpose: z.string().min(10, 'describe the purpose in at least 10 characters').max(5000),
  dataControllers: z.array(z.string().min(1).max(200)).min(1),
  legalBasis: legalBasisSchema,
  ethicsRef: z.string().max(100).optional(),
  period: periodSchema,
});

const scopeSchema = z.object({
  datasets: z.array(datasetRequestSchema).min(1, 'name at least one dataset'),
  period: periodSchema,
  cohort: cohortSchema.default({}),
  linkage: z.boolean().default(false),
  members: z.array(memberSchema).default([]),
});

export const applicationInputSchema = z.discriminatedUnion('kind', [
  scopeSchema.extend({ kind: z.literal('new'), caseType: caseTypeSchema.default('one_off'), project: projectInputSchema }),
  scopeSchema.extend({ kind: z.literal('amendment'), caseType: caseTypeSchema, projectId, justification: z.string().min(3).max(5000) }),
]);
export type ApplicationInput = z.infer<typeof applicationInputSchema>;

export const decisionSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().min(3, 'a decision needs a reason').max(5000),
});

export const permitIssueSchema = z.object({
  applicationId,
  expiresAt: z.string().datetime({ offset: true, message: 'must be an ISO date-time' }),
  reason: z.string().min(3).max(5000).default('as applied for'),
});

export const permitAmendSchema = z
  .object({
    caseType: caseTypeSchema,
    reason: z.string().min(3, 'an amendment needs a reason').max(5000),
    datasets: z.array(datasetRequestSchema).min(1).optional(),
    period: periodSchema.optional(),
    cohort: cohortSchema.optional(),
    linkageAllowed: z.boolean().optional(),
    authorisedPersons: z.array(z.string().min(1)).optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export type PermitAmendment = z.infer<typeof permitAmendSchema>;
