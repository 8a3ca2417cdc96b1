/** The store suite, run against the embedded server and against Debian's PostgreSQL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, entryHash } from '../../control-plane/src/audit/index.ts';
import { manualClock } from '../../control-plane/src/platform/index.ts';
import { createSecretBox, keptSecret } from '../../control-plane/src/secrets/index.ts';
import { createPgStore, migrate, openStore, type Store } from '../../control-plane/src/store/index.ts';
import { startDebianPostgres } from '../support/debian-postgres.ts';

type PgStore = Store & { pool: import('pg').Pool };

const setups: [string, () => Promise<{ store: PgStore; url?: string; stop(): Promise<void> }>][] = [
  ['embedded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tre-store-'));
    const store = await openStore({ dataDir: dir });
    return { store, stop: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }],
  ['debian postgresql', async () => {
    const pg = await startDebianPostgres();
    const store = await openStore({ databaseUrl: pg.url, dataDir: '/nonexistent' });
    return { store, url: pg.url, stop: async () => { await store.close(); await pg.stop(); } };
  }],
];

describe.each(setups)('store on %s', (_name, setup) => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });
  afterAll(() => env?.stop());

  it('applies migrations once, in order, and again applies nothing', async () => {
    const first = await migrate(env.store);
    expect(first[0]).toBe('0001-foundation');
    expect(await migrate(env.store)).toEqual([]);
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(env.store.tx(async (q) => {
      await q.query("INSERT INTO users (id, display_name) VALUES ('rollback-me', 'x')");
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await env.store.query("SELECT id FROM users WHERE id = 'rollback-me'")).toEqual([]);
  });

  it('refuses to update, delete or truncate audit entries', async () => {
    const audit = createAuditService({ pool: env.store.pool, clock: manualClock('2026-01-01T00:00:00Z') });
    await audit.record({ actor: 'a', role: 'r', action: 'x.y', object: '', projectId: null, outcome: 'success', reason: null, requestId: null, clientAddress: null });
    await expect(env.store.query("UPDATE audit_log SET actor = 'mallory'")).rejects.toThrow(/append-only/);
    await expect(env.store.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(env.store.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  });

  it('keeps one linear hash chain with concurrent writers from two control planes', async () => {
    const clock = manualClock('2026-01-01T00:00:00Z');
    const second = createPgStore({ ...(env.url ? { connectionString: env.url } : await poolConfigOf(env.store)) }, 'second');
    const a = createAuditService({ pool: env.store.pool, clock });
    const b = createAuditService({ pool: second.pool, clock });
    const writes = Array.from({ length: 400 }, (_, i) =>
      (i % 2 ? a : b).record({ actor: `w${i}`, role: 'test', action: 'burst', object: `n:${i}`, projectId: null, outcome: 'success', reason: null, requestId: null, clientAddress: null }));
    const receipts = await Promise.all(writes);
    await second.close();
    expect(new Set(receipts.map((r) => r.seq)).size).toBe(400);
    const rows = await env.store.query<Record<string, any>>('SELECT * FROM audit_log ORDER BY seq');
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      expect(r.seq).toBe(i);
      const recomputed = entryHash({
        seq: r.seq, time: r.time_text, actor: r.actor, role: r.role, action: r.action, object: r.object, projectId: r.project_id,
        outcome: r.outcome, reason: r.reason, requestId: r.request_id, clientAddress: r.client_address, details: r.details, prevHash: r.prev_hash,
      });
      expect(recomputed).toBe(r.hash);
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]!.hash);
    }
  });

  it('seals kept secrets under the master key and opens them again', async () => {
    const box = createSecretBox(Buffer.alloc(32, 7));
    const made = await keptSecret(env.store, box, 'test-key', () => Buffer.from('s3cret'));
    const again = await keptSecret(env.store, box, 'test-key', () => Buffer.from('other'));
    expect([made.toString(), again.toString()]).toEqual(['s3cret', 's3cret']);
    const [row] = await env.store.query<{ sealed: string }>("SELECT sealed FROM kept_secrets WHERE name = 'test-key'");
    expect(row!.sealed).not.toContain('s3cret');
    expect(() => createSecretBox(Buffer.alloc(32, 8)).open(row!.sealed, 'kept:test-key')).toThrow();
  });
});

async function poolConfigOf(store: PgStore): Promise<import('pg').PoolConfig> {
  const o = (store.pool as unknown as { options: import('pg').PoolConfig }).options;
  return { host: o.host, port: o.port, user: o.user, password: o.password, database: o.database } as import('pg').PoolConfig;
}
