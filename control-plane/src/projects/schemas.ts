import { z } from 'zod';
import { CASE_EVENT_KINDS } from './case-event-kinds.ts';
import { APPLICATION_STATUSES, CASE_TYPES, LEGAL_BASES, LEGAL_BASIS_NAMES, PROJECT_STATUSES } from './legal-bases.ts';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date');
export const projectId = z.string().regex(/^prj_[a-z0-9_-]{2,40}$/, 'must look like prj_xxxx');
export const applicationId = z.string().regex(/^app_[a-z0-9]{4,40}$/, 'must look like app_xxxx');
export const permitId = z.string().regex(/^pmt_[a-z0-9_-]{2,40}$/, 'must look like pmt_xxxx');

export const periodSchema = z.object({ from: isoDate, to: isoDate }).refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

export { LEGAL_BASES } from './legal-bases.ts';
export const legalBasisSchema = z.enum(LEGAL_BASIS_NAMES);

export const caseTypeSchema = z.enum(CASE_TYPES);

/**
 * One dataset asked for. `reasons`: why the project needs a variable, keyed by its name; required
 * for every direct identifier asked for (`application-checks.ts`), kept in the permit with it.
 */
export const datasetRequestSchema = z.object({
  dataset: z.string().min(1).max(100),
  variables: z.array(z.string().min(1).max(100)).min(1, 'name at least one variable').max(200),
  reasons: z
    .record(z.string().min(1).max(100), z.string().trim().min(10, 'state the reason in at least 10 characters').max(2000))
    .refine((r) => Object.keys(r).length <= 200, 'at most 200 reasons')
    .optional(),
});

/** Why a scope does not hold against the catalogue (`application-checks.ts`). */
export const SCOPE_PROBLEM_REASONS = [
  'unknown_dataset',
  'unknown_variable',
  'direct_identifier_needs_reason',
  'linkage_needs_two_datasets',
  'period_outside_register',
] as const;

/**
 * One problem of an application's scope, as a 400's `problems` lists them: the field
 * (`datasets[1].variables[2]`, `period.from`), the reason, an English message, and for an unknown
 * name the nearest catalogue name (`suggestion`); `dataset`, `variable` and `bound` (the date the
 * register's data start or end) let a client say it in its own words.
 */
export const scopeProblemSchema = z
  .object({
    field: z.string(),
    reason: z.enum(SCOPE_PROBLEM_REASONS),
    message: z.string(),
    suggestion: z.string().nullable(),
    dataset: z.string().optional(),
    variable: z.string().optional(),
    bound: z.string().optional(),
  })
  .meta({ id: 'ScopeProblem' });
export type ScopeProblem = z.infer<typeof scopeProblemSchema>;

/** Who is in the study population; every criterion narrows it. */
export const cohortSchema = z
  .object({
    birthYearFrom: z.number().int().min(1850).max(2100).optional(),
    birthYearTo: z.number().int().min(1850).max(2100).optional(),
    sex: z
      .array(z.enum(['F', 'M']))
      .min(1)
      .optional(),
    /** ICD-10 code prefixes: persons with at least one episode under one of them in the period. */
    icd10: z
      .array(z.string().regex(/^[A-Z][0-9]{0,2}(\.[0-9]{0,2})?$/, 'must be an ICD-10 code or prefix'))
      .min(1)
      .optional(),
    /** ATC code prefixes: persons with at least one prescription under one of them in the period. */
    atc: z
      .array(z.string().regex(/^[A-Z][0-9A-Z]{0,6}$/, 'must be an ATC code or prefix'))
      .min(1)
      .optional(),
  })
  .strict();

export const memberSchema = z.object({ userId: z.string().min(1), role: z.enum(['lead', 'researcher']) });

/** What participants of a consent project consent to: the text they are shown, and its version. */
export const consentTermsSchema = z
  .object({
    text: z.string().trim().min(20, 'say in at least 20 characters what participants consent to').max(20_000),
    version: z.string().trim().min(1, 'name the version of the consent text').max(40),
  })
  .meta({ id: 'ConsentTerms' });
export type ConsentTerms = z.infer<typeof consentTermsSchema>;

export const projectInputSchema = z
  .object({
    title: z.string().min(3).max(300),
    purpose: z.string().min(10, 'describe the purpose in at least 10 characters').max(5000),
    dataControllers: z.array(z.string().min(1).max(200)).min(1),
    legalBasis: legalBasisSchema,
    ethicsRef: z.string().max(100).optional(),
    period: periodSchema,
    /** Required exactly when the legal basis is consent. */
    consent: consentTermsSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const needs = LEGAL_BASES[p.legalBasis].consent;
    if (needs && !p.consent)
      ctx.addIssue({ code: 'custom', path: ['consent'], message: 'a project on the legal basis consent names what participants consent to' });
    if (!needs && p.consent) ctx.addIssue({ code: 'custom', path: ['consent'], message: 'only a project on the legal basis consent names a consent text' });
  });

const scopeSchema = z.object({
  // Projects link one to eight sources (PRODUCT.md); the bound keeps the catalogue checks' cost bounded.
  datasets: z.array(datasetRequestSchema).min(1, 'name at least one dataset').max(20),
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
  /** The provisions the decision rests on, e.g. `helseregisterloven § 19 b`, `EHDS art. 68`; the applicant reads them. */
  legalReferences: z.array(z.string().trim().min(2).max(200)).max(20).default([]),
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
    datasets: z.array(datasetRequestSchema).min(1).max(20).optional(),
    period: periodSchema.optional(),
    cohort: cohortSchema.optional(),
    linkageAllowed: z.boolean().optional(),
    authorisedPersons: z.array(z.string().min(1)).optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export type PermitAmendment = z.infer<typeof permitAmendSchema>;

// What the routes answer. Timestamps are ISO-8601 UTC (the store's type parsers make them so).

const timestamp = z.iso.datetime();
const dateRange = z.object({ from: isoDate, to: isoDate }).meta({ id: 'DateRange', description: 'Inclusive dates, YYYY-MM-DD' });

export const permitSchema = z
  .object({
    id: permitId,
    version: z.number().int().min(1),
    projectId,
    /** The application it was issued from; null for an amendment by an access administrator. */
    applicationId: applicationId.nullable(),
    caseType: caseTypeSchema,
    datasets: z.array(datasetRequestSchema),
    period: dateRange,
    cohort: cohortSchema,
    linkageAllowed: z.boolean(),
    authorisedPersons: z.array(z.string()),
    legalBasis: legalBasisSchema,
    optOutHonoured: z.boolean(),
    /** What participants consent to, for a permit on the legal basis consent (from the project); else null. */
    consent: consentTermsSchema.nullable(),
    expiresAt: timestamp,
    issuedBy: z.string(),
    issuedAt: timestamp,
    reason: z.string(),
  })
  .meta({ id: 'Permit', description: 'One immutable version of a data permit' });
export type Permit = z.infer<typeof permitSchema>;

export const projectSchema = z
  .object({
    id: projectId,
    title: z.string(),
    purpose: z.string(),
    dataControllers: z.array(z.string()),
    legalBasis: legalBasisSchema,
    ethicsRef: z.string().nullable(),
    period: dateRange,
    consent: consentTermsSchema.nullable(),
    status: z.enum(PROJECT_STATUSES),
    createdBy: z.string(),
    createdAt: timestamp,
    closedAt: timestamp.nullable(),
  })
  .meta({ id: 'Project' });
export type Project = z.infer<typeof projectSchema>;

const projectMemberSchema = z.object({ userId: z.string(), displayName: z.string(), role: memberSchema.shape.role }).meta({ id: 'ProjectMember' });

export const projectDetailSchema = projectSchema
  .extend({ members: z.array(projectMemberSchema), permit: permitSchema.nullable() })
  .meta({ id: 'ProjectDetail', description: 'A project with its members and the permit version in force' });
export type ProjectDetail = z.infer<typeof projectDetailSchema>;

export const applicationSchema = z
  .object({
    id: applicationId,
    projectId,
    kind: z.enum(['new', 'amendment']),
    caseType: caseTypeSchema,
    /** The application as submitted (after defaults). */
    body: applicationInputSchema,
    status: z.enum(APPLICATION_STATUSES),
    submittedBy: z.string(),
    submittedAt: timestamp,
    decidedBy: z.string().nullable(),
    decidedAt: timestamp.nullable(),
    decisionReason: z.string().nullable(),
    decisionLegalReferences: z.array(z.string()),
    /** The case handler it is assigned to, if any. */
    assignedTo: z.string().nullable(),
    /** Submission + the case type's deadline + the time it waited for the applicant. */
    dueAt: timestamp,
    /** Time spent waiting for the applicant, requests answered so far (ms). */
    pausedMs: z.number().int().min(0),
    /** Still open, not waiting for the applicant, and past its due date. */
    overdue: z.boolean(),
  })
  .meta({ id: 'Application' });
export type Application = z.infer<typeof applicationSchema>;

/** A project as the public register shows it: no members, no cohort. */
export const publicProjectSchema = z
  .object({
    id: projectId,
    title: z.string(),
    purpose: z.string(),
    dataControllers: z.array(z.string()),
    legalBasis: legalBasisSchema,
    legalBasisLabel: z.string(),
    period: dateRange,
    status: z.enum(['active', 'closed']),
    datasets: z.array(z.string()),
    permitIssuedAt: timestamp,
    permitExpiresAt: timestamp,
  })
  .meta({ id: 'PublicProject' });
export type PublicProject = z.infer<typeof publicProjectSchema>;

// The case as a dialogue (case-flow.ts, case-attachments.ts, case-view.ts).

const caseText = z.string().trim().min(1, 'write something').max(10_000);
export const caseMessageInputSchema = z.object({ text: caseText });
export const infoRequestInputSchema = z.object({ text: caseText });
export const infoAnswerInputSchema = z.object({ text: caseText });
export const prescreenInputSchema = z
  .object({ outcome: z.enum(['complete', 'incomplete']), text: z.string().trim().max(10_000).optional() })
  .refine((b) => b.outcome === 'complete' || (b.text?.length ?? 0) > 0, { message: 'say what is missing', path: ['text'] });
export const assignmentInputSchema = z.object({ userId: z.string().min(1).max(100) });
export const withdrawalInputSchema = z.object({ reason: z.string().trim().max(5000).optional() });
export const attachmentId = z.string().regex(/^att_[a-f0-9]{10,40}$/, 'must look like att_xxxx');
/** What the uploader calls the attachment: `ethics_approval`, `protocol`, `dpia`, or a word of their own. */
export const attachmentTypeSchema = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}_ -]{1,60}$/u, 'letters, digits, spaces, _ or -, at most 60');
export const attachmentQuerySchema = z.object({
  type: attachmentTypeSchema,
  filename: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((s) => !/[/\\\0]/.test(s), 'a file name without folders'),
});

export const caseAttachmentSchema = z
  .object({
    id: attachmentId,
    applicationId,
    type: z.string(),
    filename: z.string(),
    contentType: z.string(),
    sizeBytes: z.number().int().min(0),
    sha256: z.string(),
    uploadedBy: z.string(),
    uploadedAt: timestamp,
  })
  .meta({ id: 'CaseAttachment', description: 'An immutable attachment of a case, typed by its bytes' });
export type CaseAttachment = z.infer<typeof caseAttachmentSchema>;

export const caseEventSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(CASE_EVENT_KINDS),
    actor: z.string(),
    actorName: z.string(),
    at: timestamp,
    /** Per kind: `text` (message, requests and answers), `to` (assigned), `attachment` (attachment_added), `decision`, `reason`, `legalReferences`. */
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CaseEvent' });
export type CaseEvent = z.infer<typeof caseEventSchema>;

export const caseDetailSchema = z
  .object({
    application: applicationSchema,
    projectTitle: z.string(),
    history: z.array(caseEventSchema),
    attachments: z.array(caseAttachmentSchema),
    /** The permit versions issued from it, and the project's first data copy made under one of them. */
    permit: z.object({ id: permitId, version: z.number().int() }).nullable(),
    firstCopy: z.object({ version: z.number().int(), createdAt: timestamp, personCount: z.number().int() }).nullable(),
    /** What the caller may do now. */
    can: z.object({ handle: z.boolean(), answer: z.boolean(), withdraw: z.boolean(), write: z.boolean(), attach: z.boolean() }),
  })
  .meta({ id: 'CaseDetail', description: 'An application with its history, attachments, permit and first copy' });
export type CaseDetail = z.infer<typeof caseDetailSchema>;
