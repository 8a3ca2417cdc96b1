/**
 * The Merkle tree over PostgreSQL: leaves from `audit_log(seq, hash)` (leaf i is seq i), perfect
 * subtree hashes cached in `audit_merkle_subtrees` (migration 0400). Both only ever grow.
 */
import type { Queryable } from '../store/index.ts';
import { MerkleTree, type MerkleSource, type SubtreeCache } from './merkle-tree.ts';

/** Leaf inputs (entry chain hashes) from `audit_log`; every seq in [from, to) must exist. */
export function pgMerkleSource(q: Queryable): MerkleSource {
  return {
    async leafInputs(from, to) {
      const rows = await q.query<{ seq: number | string; hash: string | Buffer }>('SELECT seq, hash FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq', [
        from,
        to,
      ]);
      if (rows.length !== to - from || (rows.length > 0 && Number(rows[0]?.seq) !== from)) {
        throw new Error(`audit_log holds ${rows.length} of the entries ${from}..${to - 1}`);
      }
      return rows.map((r) => (typeof r.hash === 'string' ? Buffer.from(r.hash, 'hex') : r.hash));
    },
  };
}

/** `SubtreeCache` in `audit_merkle_subtrees`; writes are idempotent (ON CONFLICT DO NOTHING). */
export function pgSubtreeCache(q: Queryable): SubtreeCache {
  return {
    async getMany(keys) {
      if (keys.length === 0) return [];
      const rows = await q.query<{ level: number; idx: number | string; hash: Buffer }>(
        `SELECT s.level, s.idx, s.hash FROM audit_merkle_subtrees s
           JOIN unnest($1::smallint[], $2::bigint[]) AS k(level, idx) ON s.level = k.level AND s.idx = k.idx`,
        [keys.map((k) => k.level), keys.map((k) => k.index)],
      );
      const found = new Map(rows.map((r) => [`${r.level}/${Number(r.idx)}`, r.hash]));
      return keys.map((k) => found.get(`${k.level}/${k.index}`));
    },
    async putMany(items) {
      for (let i = 0; i < items.length; i += 5000) {
        const part = items.slice(i, i + 5000);
        await q.query(
          `INSERT INTO audit_merkle_subtrees (level, idx, hash)
             SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) ON CONFLICT DO NOTHING`,
          [part.map((x) => x.level), part.map((x) => x.index), part.map((x) => Buffer.from(x.hash))],
        );
      }
    },
  };
}

/** The audit log's tree on a store: `root`, `inclusionProof`, `consistencyProof` for any committed size. */
export function pgMerkleTree(q: Queryable): MerkleTree {
  return new MerkleTree({ source: pgMerkleSource(q), cache: pgSubtreeCache(q) });
}
