/** The Merkle tree and checkpoints over the real audit service on embedded PostgreSQL. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from './service.ts';
import { manualClock, type AuditEntry } from '../platform/index.ts';
import { migrate, openStore, type Store } from '../store/index.ts';
import { generateCheckpointKey, verifyCheckpoint } from './checkpoint.ts';
import { createCheckpointPublisher } from './checkpoint-publish.ts';
import { pgMerkleTree } from './merkle-pg.ts';
import { MerkleAccumulator, leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { exportLine, verifyExport } from './export-verify.ts';

let store: Store & { pool: import('pg').Pool };
const dir = mkdtempSync(join(tmpdir(), 'audit-merkle-pg-'));
const files = mkdtempSync(join(tmpdir(), 'audit-merkle-pg-files-'));
const key = generateCheckpointKey();
const clock = manualClock('2026-11-23T05:00:00.000Z');

async function record(n: number): Promise<void> {
  const audit = createAuditService({ pool: store.pool, clock });
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      audit.record({
        actor: `user-${i % 9}`,
        role: 'researcher',
        action: 'project.read',
        object: `project:p-${i % 4}`,
        projectId: `p-${i % 4}`,
        outcome: 'success',
        reason: null,
        requestId: `req-${i}`,
        clientAddress: '127.0.0.1',
        details: i % 3 === 0 ? { rows: i, file: 'a.csv' } : {},
      }),
    ),
  );
  await audit.close();
}

async function entries(): Promise<AuditEntry[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT seq, time_text, actor, role, action, object, project_id, outcome, reason, request_id, client_address, details, prev_hash, hash
       FROM audit_log ORDER BY seq`,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    time: r.time_text as string,
    actor: r.actor as string,
    role: r.role as string,
    action: r.action as string,
    object: r.object as string,
    projectId: r.project_id as string | null,
    outcome: r.outcome as AuditEntry['outcome'],
    reason: r.reason as string | null,
    requestId: r.request_id as string | null,
    clientAddress: r.client_address as string | null,
    details: r.details as Record<string, unknown>,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  }));
}

beforeAll(async () => {
  store = await openStore({ dataDir: dir });
  await migrate(store);
}, 120_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

describe('audit Merkle tree on PostgreSQL', () => {
  it('publishes signed checkpoints whose roots match the log, with inclusion and consistency proofs that verify', async () => {
    const publisher = createCheckpointPublisher({ store, clock, privateKey: key.privateKeyPem, origin: 'test.local/audit' });
    await record(300);
    const first = await publisher.publish();
    expect(first.treeSize).toBe(300);
    expect(await publisher.publish()).toEqual(first); // one checkpoint per size
    clock.advance(60_000);
    await record(333);
    const second = await publisher.publish();
    expect(second.treeSize).toBe(633);
    expect(await publisher.latest()).toEqual(second);

    const log = await entries();
    const acc = new MerkleAccumulator();
    for (const e of log) acc.push(leafHash(e.hash));
    expect(second.rootHash).toBe(acc.root().toString('hex'));
    expect(verifyCheckpoint(second.note, key.publicKeyPem)).toMatchObject({ ok: true, checkpoint: { treeSize: 633 } });

    const tree = pgMerkleTree(store);
    for (const seq of [0, 1, 255, 256, 299, 632]) {
      const proof = await tree.inclusionProof(seq, 633);
      expect(verifyInclusion(seq, 633, leafHash(log[seq]!.hash), proof, Buffer.from(second.rootHash, 'hex'))).toBe(true);
    }
    const cons = await tree.consistencyProof(300, 633);
    expect(verifyConsistency(300, 633, cons, Buffer.from(first.rootHash, 'hex'), Buffer.from(second.rootHash, 'hex'))).toBe(true);
    const cached = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_merkle_subtrees');
    expect(cached[0]!.n).toBeGreaterThan(0);
    await expect(store.query('DELETE FROM audit_checkpoints')).rejects.toThrow(/append-only/);

    // An export of the stored log verifies offline against the stored checkpoint.
    const file = join(files, 'export.jsonl');
    writeFileSync(file, log.map((e) => `${exportLine(e)}\n`).join(''));
    const r = await verifyExport({ file, publicKey: key.publicKeyPem, checkpoint: second.note });
    expect(r).toMatchObject({ ok: true, entries: 633, checkpoint: { treeSize: 633, rootMatches: true } });
    const old = await verifyExport({ file, publicKey: key.publicKeyPem, checkpoint: first.note });
    expect(old).toMatchObject({ ok: true, checkpoint: { treeSize: 300, rootMatches: true } });
  }, 120_000);
});
