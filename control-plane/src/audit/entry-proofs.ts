/**
 * Proofs of one entry for other contexts: a context that enters something in the log and hands
 * out evidence of it (the airlock's release records) finds its entry and gets an inclusion proof
 * against a signed checkpoint, the same proof `GET /api/audit/proofs/inclusion` serves. It reuses
 * the log's signing key, checkpoint publisher and Merkle tree; nothing here signs or hashes anew.
 */
import type { Config } from '../config/index.ts';
import type { AuditEntry, Clock } from '../platform/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { createCheckpointPublisher, type CheckpointPublisher } from './checkpoint-publish.ts';
import { exportLine } from './export-verify.ts';
import { pgMerkleTree } from './merkle-pg.ts';
import { inclusionProofJson } from './merkle-proof.ts';
import { ENTRY_COLUMNS } from './query.ts';
import type { InclusionAnswer } from './schemas.ts';
import { checkpointSigningKey } from './signing-key.ts';

export interface EntryProofs {
  /** The first committed entry with this action and object (oldest first), or null. */
  first(q: Queryable, action: string, object: string): Promise<AuditEntry | null>;
  /**
   * The entry `seq` (as exported), an inclusion proof of it and the signed checkpoint it leads to:
   * the latest checkpoint when it covers the entry, else one published now (idempotent per tree size).
   */
  prove(seq: number): Promise<InclusionAnswer>;
}

export function createEntryProofs(deps: { store: Queryable; box: SecretBox; clock: Clock; config: Pick<Config, 'auditLogOrigin'> }): EntryProofs {
  const tree = pgMerkleTree(deps.store);
  let publisher: Promise<CheckpointPublisher> | undefined;
  const publisherOnce = () => {
    publisher ??= checkpointSigningKey(deps.store, deps.box).then((key) =>
      createCheckpointPublisher({ store: deps.store, clock: deps.clock, privateKey: key.privateKey, origin: deps.config.auditLogOrigin }),
    );
    return publisher;
  };
  return {
    async first(q, action, object) {
      const [row] = await q.query<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE action = $1 AND object = $2 ORDER BY seq LIMIT 1`, [
        action,
        object,
      ]);
      return row ?? null;
    },
    async prove(seq) {
      const pub = await publisherOnce();
      const latest = await pub.latest();
      const checkpoint = latest && latest.treeSize > seq ? latest : await pub.publish();
      if (checkpoint.treeSize <= seq) throw new Error(`audit entry ${seq} is not committed`);
      const [entry] = await deps.store.query<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE seq = $1`, [seq]);
      if (!entry) throw new Error(`audit entry ${seq} is missing`);
      const proof = inclusionProofJson(seq, checkpoint.treeSize, await tree.inclusionProof(seq, checkpoint.treeSize));
      return { entry: JSON.parse(exportLine(entry)), proof, checkpoint };
    },
  };
}
