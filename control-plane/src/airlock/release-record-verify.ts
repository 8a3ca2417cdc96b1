/**
 * Offline verification of a release record (`tre exports verify-record FILE --public-key KEY`):
 * nothing from the platform is trusted but the log's public key. In order, stopping at the first
 * failure, which it names:
 *
 *   archive          the file is a ustar archive as the platform writes it (no links, no odd names)
 *   bag-layout       one top-level directory, bagit.txt of BagIt 1.0, both manifests, the audit record
 *   bag-manifest     every payload file has its sha-512 in manifest-sha512.txt, and nothing else is payload
 *   bag-tagmanifest  bagit.txt, bag-info.txt and the manifest match tagmanifest-sha512.txt
 *   audit-record     audit-record.json holds a digest, an exported audit entry, a proof and a checkpoint
 *   digest           the sha-512 of the tag manifest recomputed here is the digest the record states
 *   entry            the entry is `export.record` of this export and names this digest
 *   checkpoint-*     the checkpoint's plain fields agree with its signed note; the note is signed by the key
 *   entry-hash, proof-*  the entry's hash is its fields' and the proof leads from it to the checkpoint's root
 *
 * A changed byte of a released file, of a review or of the metadata fails `bag-manifest`; one that
 * also rewrote the manifests fails `digest` or `entry`; one that rewrote the entry fails `entry-hash`.
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { readCheckpointFile, shapeProblem, verifyEntryInclusion } from '../audit/index.ts';
import type { AuditEntry } from '../platform/index.ts';
import { checkBag, RECORD_ACTION } from './release-record-bag.ts';
import { readTar } from './release-record-tar.ts';

export interface RecordVerification {
  ok: boolean;
  exportId: string | null;
  digest: string | null;
  /** The audit entry's seq and the checkpoint's size and time, once verified. */
  auditSeq: number | null;
  checkpoint: { treeSize: number; time: string; origin: string } | null;
  /** Payload files verified, below `data/`. */
  files: string[];
  failure: { check: string; message: string } | null;
}

const auditRecordSchema = z.object({
  digest: z.object({ algorithm: z.literal('sha-512'), of: z.literal('tagmanifest-sha512.txt'), value: z.string().regex(/^[0-9a-f]{128}$/) }),
  entry: z.unknown(),
  proof: z.unknown(),
  checkpoint: z.object({ note: z.string() }).passthrough(),
});

export function verifyReleaseRecord(archive: Buffer, publicKey: string | KeyObject): RecordVerification {
  const result: RecordVerification = { ok: false, exportId: null, digest: null, auditSeq: null, checkpoint: null, files: [], failure: null };
  const fail = (check: string, message: string) => ({ ...result, failure: { check, message } });
  const tar = readTar(archive, { maxEntries: 10_000 });
  if (!tar.ok) return fail('archive', tar.message);
  const bag = checkBag(tar.entries);
  if (!bag.ok) return fail(bag.check, bag.message);
  result.exportId = bag.exportId;
  result.files = [...bag.payload.keys()].sort();
  let parsed: unknown;
  try {
    parsed = JSON.parse(bag.auditRecord.toString('utf8'));
  } catch {
    return fail('audit-record', 'audit-record.json is not JSON');
  }
  const record = auditRecordSchema.safeParse(parsed);
  if (!record.success) return fail('audit-record', `audit-record.json: ${record.error.issues[0]?.path.join('.')}: ${record.error.issues[0]?.message}`);
  const shape = shapeProblem(record.data.entry);
  if (shape) return fail('audit-record', `the audit entry is not an exported entry: ${shape}`);
  if (record.data.digest.value !== bag.digest) {
    return fail('digest', `the bag's digest is sha-512 ${bag.digest.slice(0, 16)}…, the record states ${record.data.digest.value.slice(0, 16)}…`);
  }
  result.digest = bag.digest;
  const entry = record.data.entry as AuditEntry;
  if (entry.action !== RECORD_ACTION || entry.object !== `export:${bag.exportId}`) {
    return fail('entry', `the audit entry is ${entry.action} of ${entry.object}, not ${RECORD_ACTION} of export:${bag.exportId}`);
  }
  if (entry.details.digest !== bag.digest) return fail('entry', 'the audit entry names another digest than the bag has');
  const file = readCheckpointFile(JSON.stringify(record.data.checkpoint));
  if (!file.ok) return fail(file.kind, file.message);
  const proof = verifyEntryInclusion({ entry, proof: record.data.proof, checkpointNote: file.note, publicKey });
  if (!proof.ok) return fail(proof.reason, proof.message);
  return {
    ...result,
    ok: true,
    auditSeq: entry.seq,
    checkpoint: { treeSize: proof.checkpoint.treeSize, time: proof.checkpoint.time, origin: proof.checkpoint.origin },
  };
}
