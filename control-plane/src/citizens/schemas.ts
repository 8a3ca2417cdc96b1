/** What the citizens' routes answer: which projects used my data, and my opt-out. */
import { z } from 'zod';

const timestamp = z.iso.datetime();

export const projectUseSchema = z
  .object({
    projectId: z.string(),
    title: z.string(),
    purpose: z.string(),
    dataControllers: z.array(z.string()),
    legalBasis: z.string(),
    legalBasisLabel: z.string(),
    /** Whether the permit's legal basis honours an opt-out. */
    optOutHonoured: z.boolean(),
    /** The project's own period. */
    period: z.object({ from: z.string(), to: z.string() }),
    /** The period the project's data covers (its permit in force). */
    dataPeriod: z.object({ from: z.string(), to: z.string() }),
    /** Each data copy the project received with this person in it. */
    copies: z.array(z.object({ version: z.number().int(), madeAt: timestamp, deletedAt: timestamp.nullable() })),
  })
  .meta({ id: 'ProjectUse' });
export type ProjectUse = z.infer<typeof projectUseSchema>;

export const optOutStatusSchema = z
  .object({
    optedOut: z.boolean(),
    since: timestamp.nullable(),
    history: z.array(z.object({ action: z.enum(['register', 'withdraw']), at: timestamp })),
  })
  .meta({ id: 'OptOutStatus' });
export type OptOutStatus = z.infer<typeof optOutStatusSchema>;

const consentTerms = z.object({ text: z.string(), version: z.string() });

/** A consent project's request to me, with my consent's state and every change I made to it. */
export const consentRequestSchema = z
  .object({
    projectId: z.string(),
    title: z.string(),
    purpose: z.string(),
    dataControllers: z.array(z.string()),
    /** The project's status: a closed project asks nothing more. */
    projectStatus: z.string(),
    /** The period the project's data covers (the permit's data period). */
    dataPeriod: z.object({ from: z.string(), to: z.string() }),
    /** What I consent to, as the permit in force states it. */
    terms: consentTerms,
    requestedAt: timestamp,
    /** Whether my consent is in force now, since when, and to which version of the text. */
    inForce: z.boolean(),
    since: timestamp.nullable(),
    givenVersion: z.string().nullable(),
    history: z.array(z.object({ action: z.enum(['give', 'withdraw']), version: z.string(), at: timestamp })),
  })
  .meta({ id: 'ConsentRequest' });
export type ConsentRequest = z.infer<typeof consentRequestSchema>;
