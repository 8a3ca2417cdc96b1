/**
 * The dialogue's API contract: what projects publish (a plain-language summary, results) and
 * citizens' questions. The project side's shapes (`leadQuestionSchema`) have no field that could
 * carry who asked; only the citizen's own view (`myQuestionSchema`) is about the asker.
 */
import { z } from 'zod';
import { LIMITS } from './limits.ts';

const timestamp = z.iso.datetime();

export { LIMITS };

const text = (max: number) => z.string().trim().min(3, 'write at least a few words').max(max, `at most ${max} characters`);

/** A DOI (`10.xxxx/…`) or an https address. */
export const publicationLink = z
  .string()
  .trim()
  .max(LIMITS.link)
  .regex(/^(10\.\d{4,9}\/\S+|https:\/\/[^\s<>"]+)$/, 'must be a DOI (10.xxxx/…) or an https:// address');

export const summaryInputSchema = z.object({ text: text(LIMITS.summary) });
export const resultsInputSchema = z.object({ text: text(LIMITS.results), link: publicationLink.optional() });

export const publicationSchema = z
  .object({
    kind: z.enum(['summary', 'results']),
    version: z.number().int(),
    text: z.string(),
    link: z.string().nullable(),
    publishedAt: timestamp,
  })
  .meta({ id: 'Publication' });
export type Publication = z.infer<typeof publicationSchema>;

/** What the public (and a citizen) sees of one project: the latest version of each text. */
export const projectPublicationsSchema = z
  .object({
    projectId: z.string(),
    title: z.string(),
    summary: publicationSchema.nullable(),
    results: publicationSchema.nullable(),
  })
  .meta({ id: 'ProjectPublications' });
export type ProjectPublications = z.infer<typeof projectPublicationsSchema>;

/** The project's own view: every version, newest first, and what the lead may publish now. */
export const publicationHistorySchema = z
  .object({
    summaries: z.array(publicationSchema.extend({ publishedBy: z.string() })),
    results: z.array(publicationSchema.extend({ publishedBy: z.string() })),
    canPublishSummary: z.boolean(),
    canPublishResults: z.boolean(),
  })
  .meta({ id: 'PublicationHistory' });
export type PublicationHistory = z.infer<typeof publicationHistorySchema>;

export const questionId = z.string().regex(/^q_[a-f0-9]{12}$/, 'must look like q_xxxxxxxxxxxx');
export const QUESTION_STATUSES = ['screening', 'rejected', 'forwarded', 'answered', 'delivered'] as const;
export const questionStatusSchema = z.enum(QUESTION_STATUSES);

export const questionInputSchema = z.object({ projectId: z.string().min(1).max(60), text: text(LIMITS.question) });
export const answerInputSchema = z.object({ text: text(LIMITS.answer) });
export const screeningInputSchema = z
  .object({ decision: z.enum(['forward', 'reject']), reason: z.string().trim().max(LIMITS.reason).optional() })
  .refine((b) => b.decision === 'forward' || (b.reason?.length ?? 0) >= 3, { message: 'say why the question is not forwarded', path: ['reason'] });
export const answerScreeningInputSchema = z
  .object({ decision: z.enum(['deliver', 'return']), reason: z.string().trim().max(LIMITS.reason).optional() })
  .refine((b) => b.decision === 'deliver' || (b.reason?.length ?? 0) >= 3, { message: 'say why the answer goes back to the lead', path: ['reason'] });

/** A question as the citizen who asked it sees it. */
export const myQuestionSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    projectTitle: z.string(),
    text: z.string(),
    status: questionStatusSchema,
    submittedAt: timestamp,
    rejectReason: z.string().nullable(),
    /** The answer, once an access administrator delivered it. */
    answer: z.string().nullable(),
    answeredAt: timestamp.nullable(),
  })
  .meta({ id: 'MyQuestion' });
export type MyQuestion = z.infer<typeof myQuestionSchema>;

/** A question as the project's lead sees it: its id and text, never who asked or when they asked. */
export const leadQuestionSchema = z
  .object({
    id: z.string(),
    text: z.string(),
    status: z.enum(['forwarded', 'answered', 'delivered']),
    forwardedAt: timestamp,
    answer: z.string().nullable(),
    /** Why the administrator sent the last answer back, when they did. */
    returnReason: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'LeadQuestion' });
export type LeadQuestion = z.infer<typeof leadQuestionSchema>;

/** A question in the access administrators' screening queue: the text, never the asker. */
export const screeningItemSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    projectTitle: z.string(),
    text: z.string(),
    status: questionStatusSchema,
    submittedAt: timestamp,
    rejectReason: z.string().nullable(),
    /** The lead's latest answer, waiting for delivery when `status` is `answered`. */
    answer: z.string().nullable(),
    /** False when the administrator is or was a member of the project (`requireIndependent`). */
    canScreen: z.boolean(),
  })
  .meta({ id: 'ScreeningItem' });
export type ScreeningItem = z.infer<typeof screeningItemSchema>;
