/**
 * Checkpoints and proofs, for anyone who wants to trust the log without trusting the platform:
 * the public key, the latest signed checkpoint (and one on demand), inclusion proofs for an
 * entry and consistency proofs between two checkpoints. Proofs are served only for tree sizes
 * that a signed checkpoint covers, so every size is one of committed entries.
 */
import { z } from 'zod';
import { InputError, NotFoundError } from '../errors/index.ts';
import { defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import type { CheckpointPublisher } from './checkpoint-publish.ts';
import { describePublicKey } from './checkpoint.ts';
import { pgMerkleTree } from './merkle-pg.ts';
import { consistencyProofJson, inclusionProofJson } from './merkle-proof.ts';
import { exportLine } from './export-verify.ts';
import { ENTRY_COLUMNS } from './query.ts';
import { checkpointSchema, consistencyAnswerSchema, inclusionAnswerSchema, publicKeySchema } from './schemas.ts';
import type { AuditEntry } from '../platform/index.ts';
import type { KeyObject } from 'node:crypto';

export function checkpointRoutes(deps: CoreDeps, publisher: CheckpointPublisher, key: { publicKey: KeyObject; keyName: string }): RouteDef[] {
  const { store } = deps;
  const tree = pgMerkleTree(store);
  const checkpointOrLatest = async (treeSize: number | undefined) => {
    const cp = treeSize === undefined ? await publisher.latest() : await publisher.at(treeSize);
    if (!cp)
      throw new NotFoundError(treeSize === undefined ? 'no checkpoint published yet' : `no checkpoint of tree size ${treeSize}`, {
        reason: 'no_such_checkpoint',
      });
    return cp;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit/public-key',
      tag: 'audit',
      summary: "The log's Ed25519 public key (PEM, base64, note verifier key)",
      action: 'audit.public-key.read',
      access: 'public',
      response: publicKeySchema,
      async handler() {
        return describePublicKey(key.publicKey, key.keyName);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/checkpoints/latest',
      tag: 'audit',
      summary: 'The latest signed checkpoint (tree size, root hash, time, note)',
      action: 'audit.checkpoint.read',
      access: 'public',
      response: checkpointSchema,
      async handler() {
        return checkpointOrLatest(undefined);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/checkpoints/:treeSize',
      tag: 'audit',
      summary: 'The signed checkpoint of one tree size',
      action: 'audit.checkpoint.read',
      access: 'public',
      response: checkpointSchema,
      params: z.object({ treeSize: z.coerce.number().int().min(0) }),
      async handler({ params }) {
        return checkpointOrLatest(params.treeSize);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/audit/checkpoints',
      tag: 'audit',
      summary: 'Publish a checkpoint of every entry committed so far, now',
      action: 'audit.checkpoint.publish',
      access: ['auditor', 'platform_admin'],
      response: checkpointSchema,
      async handler({ audit }) {
        const cp = await publisher.publish();
        audit.details = { treeSize: cp.treeSize };
        return cp;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/proofs/inclusion',
      tag: 'audit',
      summary: 'Inclusion proof of one entry in a checkpoint (default: the latest), with the entry and the checkpoint note',
      action: 'audit.proof.inclusion',
      access: ['auditor'],
      response: inclusionAnswerSchema,
      query: z.object({ seq: z.coerce.number().int().min(0), treeSize: z.coerce.number().int().min(1).optional() }),
      async handler({ query, audit }) {
        const cp = await checkpointOrLatest(query.treeSize);
        if (query.seq >= cp.treeSize)
          throw new InputError(`entry ${query.seq} is not in the checkpoint of size ${cp.treeSize}`, {
            reason: 'not_in_checkpoint',
            details: { field: 'seq' },
          });
        audit.object = `audit-entry:${query.seq}`;
        const [entry] = await store.query<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE seq = $1`, [query.seq]);
        const proof = inclusionProofJson(query.seq, cp.treeSize, await tree.inclusionProof(query.seq, cp.treeSize));
        return { entry: JSON.parse(exportLine(entry!)), proof, checkpoint: cp };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/proofs/consistency',
      tag: 'audit',
      summary: 'Consistency proof between two published checkpoints',
      action: 'audit.proof.consistency',
      access: ['auditor'],
      response: consistencyAnswerSchema,
      query: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1).optional() }),
      async handler({ query }) {
        const newer = await checkpointOrLatest(query.to);
        const older = await checkpointOrLatest(query.from);
        if (older.treeSize > newer.treeSize) throw new InputError('from must not be larger than to', { reason: 'bad_range', details: { field: 'from' } });
        const proof = consistencyProofJson(older.treeSize, newer.treeSize, await tree.consistencyProof(older.treeSize, newer.treeSize));
        return { proof, older, newer };
      },
    }),
  ];
}
