/**
 * The data-copies API's contract: copies with their manifests, extract progress, the proof of
 * deletion, and what an intake delivery answers. Server types are inferred from these schemas and
 * the web UI and the CLI import the same types (type-only), so this module imports nothing but
 * zod: the browser build's type check reads it too.
 */
import { z } from 'zod';

export const CopyFileSchema = z.object({
  /** File name inside the copy directory. */
  name: z.string().regex(/^[a-z0-9_]+\.(parquet|csv)$/),
  dataset: z.string(),
  format: z.enum(['parquet', 'csv']),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type CopyFile = z.infer<typeof CopyFileSchema>;

export const CopyManifestSchema = z.object({
  kind: z.literal('analyserom.data-copy'),
  projectId: z.string(),
  permitId: z.string(),
  permitVersion: z.number().int(),
  copyVersion: z.number().int(),
  createdAt: z.string(),
  legalBasis: z.object({ code: z.string(), honoursOptOut: z.boolean(), requiresConsent: z.boolean().optional() }),
  /**
   * Under the legal basis consent: the version of the consent text, how many asked persons had
   * consent in force when the extract ran, and how many of them the copy includes (those with rows).
   */
  consent: z.object({ version: z.string(), inForce: z.number().int().nonnegative(), included: z.number().int().nonnegative() }).nullable().optional(),
  period: z.object({ from: z.string(), to: z.string() }),
  linkage: z.boolean(),
  cohort: z.array(z.record(z.string(), z.unknown())),
  pseudonym: z.object({
    scheme: z.enum(['aes-256-prf', 'hmac-sha256']),
    column: z.literal('person_id'),
    /** Non-secret fingerprint of the project key: equal fingerprints mean comparable pseudonyms. */
    keyFingerprint: z.string(),
  }),
  datasets: z.array(
    z.object({
      dataset: z.string(),
      sourceVersion: z.string(),
      sourceSha256: z.string(),
      rows: z.number().int().nonnegative(),
      persons: z.number().int().nonnegative(),
      droppedDirectIdentifiers: z.array(z.string()),
      variables: z.array(
        z.object({
          name: z.string(),
          type: z.string(),
          label: z.string(),
          unit: z.string().nullable(),
          codeList: z.string().nullable(),
          class: z.string(),
        }),
      ),
    }),
  ),
  files: z.array(CopyFileSchema),
});
export type CopyManifest = z.infer<typeof CopyManifestSchema>;

/** A copy version as the register holds it. */
export const copyRecordSchema = z.strictObject({
  projectId: z.string(),
  copyVersion: z.number().int().positive(),
  permitId: z.string(),
  permitVersion: z.number().int(),
  /** Persons whose records went into the copy. */
  personCount: z.number().int().nonnegative(),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string(),
  deletedAt: z.iso.datetime({ offset: true }).nullable(),
  manifest: CopyManifestSchema,
});
export type CopyRecord = z.infer<typeof copyRecordSchema>;

/** One extract's figures, from this control plane's events or as another wrote them to the store. */
export const copyProgressSchema = z.strictObject({
  projectId: z.string(),
  copyVersion: z.number().int().positive(),
  permitVersion: z.number().int(),
  state: z.enum(['extracting', 'done', 'failed']),
  /** What is being worked on: `persons`, a dataset name, or `done`. */
  stage: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  error: z.string().nullable(),
  at: z.iso.datetime({ offset: true }),
});
export type CopyProgress = z.infer<typeof copyProgressSchema>;

/** `GET /api/projects/:projectId/copies` (and `POST`, which makes the copy first). */
export const copyListSchema = z.strictObject({
  projectId: z.string(),
  progress: copyProgressSchema.nullable(),
  /** Oldest first; `current`: the newest, if not deleted (what rooms mount at `/data`). */
  copies: z.array(copyRecordSchema.extend({ current: z.boolean() })),
});
export type CopyList = z.infer<typeof copyListSchema>;

/** What closing a project's data answers, and what its audit entry's hash is of. */
export const proofOfDeletionSchema = z.strictObject({
  kind: z.literal('analyserom.proof-of-deletion'),
  projectId: z.string(),
  deletedAt: z.iso.datetime({ offset: true }),
  deletedBy: z.strictObject({ actor: z.string(), role: z.string() }),
  reason: z.string(),
  copies: z.array(
    z.strictObject({
      /** The copy's folder name, e.g. `v2`. */
      version: z.string(),
      files: z.array(z.strictObject({ name: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
    }),
  ),
  pseudonymKey: z.strictObject({ fingerprint: z.string(), deleted: z.literal(true) }).nullable(),
  /** SHA-256 of the canonical JSON of everything above; recorded in the audit log. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ProofOfDeletion = z.infer<typeof proofOfDeletionSchema>;

export const closeInputSchema = z.object({ reason: z.string().min(3, 'closing needs a reason').max(2000) });

/** A delivery stored by intake: the dataset version it became. */
export const intakeResultSchema = z.strictObject({
  dataset: z.string(),
  version: z.string(),
  /** Relative to the data directory. */
  path: z.string(),
  rowCount: z.number().int().nonnegative(),
  /** Of the delivered file (equals the manifest's). */
  deliveredSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Of the stored Parquet file. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  receivedAt: z.iso.datetime({ offset: true }),
  /** The first and last date of the dataset's period variable in the stored file; null without one. */
  period: z.object({ from: z.string(), to: z.string() }).nullable(),
});
export type IntakeResult = z.infer<typeof intakeResultSchema>;

/** `POST /api/intake/deliveries` (JSON, or the `result` event of its stream). */
export const deliveryAnswerSchema = intakeResultSchema.extend({ receivedBy: z.string() });
export type DeliveryAnswer = z.infer<typeof deliveryAnswerSchema>;

/** An event of the intake stream: `progress` while the checks run. */
export const intakeProgressSchema = z.strictObject({ stage: z.string(), done: z.number().nonnegative(), total: z.number().nonnegative() });
export type IntakeProgress = z.infer<typeof intakeProgressSchema>;
