/**
 * Publishing signed checkpoints of the audit log into `audit_checkpoints` (migration 0400).
 * The service calls `publish()` on an interval and on demand; a checkpoint per tree size is kept once,
 * so several control planes publishing together agree on one note per size.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { signCheckpoint, type Checkpoint } from './checkpoint.ts';
import { pgMerkleTree } from './merkle-pg.ts';
import type { PublishedCheckpoint } from './schemas.ts';

export type { PublishedCheckpoint };

export interface CheckpointPublisher {
  /** Signs and stores a checkpoint of every entry committed so far, or returns the stored one for that size. */
  publish(): Promise<PublishedCheckpoint>;
  /** The checkpoint with the largest tree size, or null before the first. */
  latest(): Promise<PublishedCheckpoint | null>;
  /** The stored checkpoint of exactly `treeSize` entries, or null. */
  at(treeSize: number): Promise<PublishedCheckpoint | null>;
}

interface Row {
  tree_size: number | string;
  root_hash: Buffer;
  time: string | Date;
  note: string;
}

export function createCheckpointPublisher(deps: {
  store: Queryable;
  clock: Clock;
  /** Ed25519 private key (KeyObject or PKCS#8 PEM). */
  privateKey: KeyObject | string;
  /** Names the log in every checkpoint, e.g. `analyserom.example.org/audit`. */
  origin: string;
}): CheckpointPublisher {
  const q = deps.store;
  const tree = pgMerkleTree(q);
  const fromRow = (r: Row): PublishedCheckpoint => ({
    origin: r.note.slice(0, r.note.indexOf('\n')),
    treeSize: Number(r.tree_size),
    rootHash: r.root_hash.toString('hex'),
    time: new Date(r.time).toISOString(),
    note: r.note,
  });
  const at = async (treeSize: number) => {
    const [r] = await q.query<Row>('SELECT tree_size, root_hash, time, note FROM audit_checkpoints WHERE tree_size = $1', [treeSize]);
    return r ? fromRow(r) : null;
  };
  return {
    async publish() {
      const [{ n } = { n: 0 }] = await q.query<{ n: number | string }>('SELECT coalesce(max(seq) + 1, 0) AS n FROM audit_log');
      const treeSize = Number(n);
      const existing = await at(treeSize);
      if (existing) return existing;
      const root = await tree.root(treeSize);
      const c: Checkpoint = { origin: deps.origin, treeSize, rootHash: root.toString('hex'), time: deps.clock.now().toISOString() };
      const note = signCheckpoint(c, deps.privateKey);
      await q.query('INSERT INTO audit_checkpoints (tree_size, root_hash, time, note) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING', [
        treeSize,
        root,
        c.time,
        note,
      ]);
      return (await at(treeSize)) as PublishedCheckpoint;
    },
    async latest() {
      const [r] = await q.query<Row>('SELECT tree_size, root_hash, time, note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1');
      return r ? fromRow(r) : null;
    },
    at,
  };
}
