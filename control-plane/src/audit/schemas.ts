/**
 * What the audit routes answer. An entry's type is the log's own (`types.ts`, what `record` takes
 * and the hash covers); its schema `satisfies` it, so a field added to one and not the other fails
 * the type-check. The other answers' types are inferred from their schemas. This module imports
 * nothing of the server but types, so the web UI reads its types as they are.
 */
import { z } from 'zod';
import type { AuditEntry } from '../platform/schemas.ts';

const timestamp = z.iso.datetime();
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** A Merkle tree hash on the wire: 32 bytes in standard base64. */
export const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a hash is 32 bytes in standard base64');

export const auditEntrySchema = z
  .object({
    seq: z.number().int().min(0),
    time: timestamp,
    actor: z.string(),
    role: z.string(),
    action: z.string(),
    object: z.string(),
    projectId: z.string().nullable(),
    outcome: z.enum(['initiated', 'success', 'denied', 'failure']),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
    clientAddress: z.string().nullable(),
    /** Small structured details, as recorded (free-form by design: each action records its own). */
    details: z.record(z.string(), z.unknown()),
    prevHash: hex64,
    hash: hex64,
  })
  .meta({ id: 'AuditEntry', description: 'One entry of the hash-chained audit log' }) satisfies z.ZodType<AuditEntry>;

export const auditPageSchema = z
  .object({ entries: z.array(auditEntrySchema), next: z.number().int().nullable().describe('pass as `after` for the next page; null on the last') })
  .meta({ id: 'AuditPage' });

export const activityCountsSchema = z.object({
  bucket: z.enum(['hour', 'day']),
  byAction: z.array(z.object({ at: timestamp, action: z.string(), count: z.number().int() })),
  byProject: z.array(z.object({ at: timestamp, projectId: z.string(), count: z.number().int() })),
});
export type ActivityCounts = z.infer<typeof activityCountsSchema>;

/** What the auditor asks of one project: who applied, who decided, what was granted, who accessed which data when, what left and who approved it. */
export const projectHistorySchema = z.object({
  projectId: z.string(),
  applications: z.array(auditEntrySchema),
  decisions: z.array(auditEntrySchema),
  permits: z.array(auditEntrySchema),
  membership: z.array(auditEntrySchema),
  dataAccess: z.array(auditEntrySchema),
  exports: z.array(auditEntrySchema),
  denied: z.array(auditEntrySchema),
  total: z.number().int(),
});
export type ProjectHistory = z.infer<typeof projectHistorySchema>;

export const publicKeySchema = z.object({
  pem: z.string(),
  base64: z.string(),
  /** The note verifier key: `<name>+<key id hex>+<base64 key>`. */
  verifierKey: z.string(),
});

export const checkpointSchema = z
  .object({
    origin: z.string(),
    treeSize: z.number().int().min(0),
    rootHash: hex64,
    time: timestamp,
    /** The signed note verifiers check (`tre audit verify --checkpoint`). */
    note: z.string(),
  })
  .meta({ id: 'Checkpoint', description: 'A signed checkpoint of the log' });
export type PublishedCheckpoint = z.infer<typeof checkpointSchema>;

export const inclusionProofWire = z.object({ leafIndex: z.number().int().min(0), treeSize: z.number().int().min(1), hashes: z.array(base64Hash).max(64) });
export const consistencyProofWire = z.object({ size1: z.number().int().min(0), size2: z.number().int().min(0), hashes: z.array(base64Hash).max(128) });

export const inclusionAnswerSchema = z.object({ entry: auditEntrySchema, proof: inclusionProofWire, checkpoint: checkpointSchema });
export const consistencyAnswerSchema = z.object({ proof: consistencyProofWire, older: checkpointSchema, newer: checkpointSchema });

export type AuditPage = z.infer<typeof auditPageSchema>;
export type PublicKeyAnswer = z.infer<typeof publicKeySchema>;
export type InclusionAnswer = z.infer<typeof inclusionAnswerSchema>;

/** The projects an auditor can pick from, by title. */
export const auditProjectsSchema = z.array(z.object({ id: z.string(), title: z.string() })).meta({ id: 'AuditProjects' });
export type AuditProjects = z.infer<typeof auditProjectsSchema>;
