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
    period: z.object({ from: z.string(), to: z.string() }),
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
