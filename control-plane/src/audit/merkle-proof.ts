/**
 * Proofs as the API serves them and as an auditor checks them offline, with only the public key:
 *   inclusion   {"leafIndex": seq, "treeSize": n, "hashes": [base64 ...]}   (RFC 6962 PATH, leaf end first)
 *   consistency {"size1": m, "size2": n, "hashes": [base64 ...]}            (RFC 6962 PROOF)
 * An inclusion proof is checked against a signed checkpoint of size `treeSize`, and the entry's chain
 * hash is recomputed from its fields first; a consistency proof links two signed checkpoints.
 */
import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { entryHash } from './hash.ts';
import { base64Hash, consistencyProofWire, inclusionProofWire } from './schemas.ts';
import type { AuditEntry } from '../platform/index.ts';
import { verifyCheckpoint, type Checkpoint } from './checkpoint.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';

const hash32 = base64Hash.transform((s) => Buffer.from(s, 'base64'));

/** The wire shapes (`schemas.ts`), parsed into bytes for checking. */
export const inclusionProofSchema = inclusionProofWire.extend({ hashes: z.array(hash32).max(64) });
export const consistencyProofSchema = consistencyProofWire.extend({ hashes: z.array(hash32).max(128) });
export type InclusionProofJson = z.input<typeof inclusionProofSchema>;
export type ConsistencyProofJson = z.input<typeof consistencyProofSchema>;

export function inclusionProofJson(leafIndex: number, treeSize: number, hashes: readonly Uint8Array[]): InclusionProofJson {
  return { leafIndex, treeSize, hashes: hashes.map((h) => Buffer.from(h).toString('base64')) };
}

export function consistencyProofJson(size1: number, size2: number, hashes: readonly Uint8Array[]): ConsistencyProofJson {
  return { size1, size2, hashes: hashes.map((h) => Buffer.from(h).toString('base64')) };
}

export type ProofCheck = { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string; message: string };

const no = (reason: string, message: string): ProofCheck => ({ ok: false, reason, message });

/** Is `entry` (fields and hash) in the log as of the signed checkpoint? */
export function verifyEntryInclusion(opts: { entry: AuditEntry; proof: unknown; checkpointNote: string; publicKey: string | KeyObject }): ProofCheck {
  const cp = verifyCheckpoint(opts.checkpointNote, opts.publicKey);
  if (!cp.ok) return no(`checkpoint-${cp.failure}`, cp.message);
  const p = inclusionProofSchema.safeParse(opts.proof);
  if (!p.success) return no('proof-malformed', p.error.issues[0]?.message ?? 'malformed proof');
  const { entry } = opts;
  if (entryHash(entry) !== entry.hash) return no('entry-hash', "the entry's hash does not match its fields");
  if (p.data.leafIndex !== entry.seq) return no('proof-index', `the proof is for seq ${p.data.leafIndex}, the entry is seq ${entry.seq}`);
  if (p.data.treeSize !== cp.checkpoint.treeSize) {
    return no('proof-size', `the proof is for tree size ${p.data.treeSize}, the checkpoint's is ${cp.checkpoint.treeSize}`);
  }
  const root = Buffer.from(cp.checkpoint.rootHash, 'hex');
  if (!verifyInclusion(entry.seq, p.data.treeSize, leafHash(entry.hash), p.data.hashes, root)) {
    return no('proof-invalid', 'the inclusion proof does not lead to the checkpoint root');
  }
  return { ok: true, checkpoint: cp.checkpoint };
}

/** Is the older signed checkpoint's tree a prefix of the newer one's? Returns the newer checkpoint. */
export function verifyCheckpointConsistency(opts: { olderNote: string; newerNote: string; proof: unknown; publicKey: string | KeyObject }): ProofCheck {
  const a = verifyCheckpoint(opts.olderNote, opts.publicKey);
  if (!a.ok) return no(`checkpoint-${a.failure}`, `older checkpoint: ${a.message}`);
  const b = verifyCheckpoint(opts.newerNote, opts.publicKey);
  if (!b.ok) return no(`checkpoint-${b.failure}`, `newer checkpoint: ${b.message}`);
  const p = consistencyProofSchema.safeParse(opts.proof);
  if (!p.success) return no('proof-malformed', p.error.issues[0]?.message ?? 'malformed proof');
  if (p.data.size1 !== a.checkpoint.treeSize || p.data.size2 !== b.checkpoint.treeSize) {
    return no(
      'proof-size',
      `the proof is for sizes ${p.data.size1} -> ${p.data.size2}, the checkpoints are ${a.checkpoint.treeSize} -> ${b.checkpoint.treeSize}`,
    );
  }
  const ok = verifyConsistency(p.data.size1, p.data.size2, p.data.hashes, Buffer.from(a.checkpoint.rootHash, 'hex'), Buffer.from(b.checkpoint.rootHash, 'hex'));
  if (!ok) return no('proof-invalid', 'the newer checkpoint does not extend the older one (a forked or rewritten log)');
  return { ok: true, checkpoint: b.checkpoint };
}
