/** The store suite, run against the embedded server and against Debian's PostgreSQL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuditService, entryHash } from '../../control-plane/src/audit/index.ts';
import { manualClock } from '../../control-plane/src/platform/index.ts';
import { createSecretBox, keptSecret } from '../../control-plane/src/secrets/index.ts';
import { createPgStore, migrate, openStore, type Store } from '../../control-plane/src/store/index.ts';
import { startDebianPostgres } from '../support/debian-postgres.ts';

type PgStore = Store & { pool: import('pg').Pool };

const setups: [string, () => Promise<{ store: PgStore; url?: string; stop(): Promise<void> }>][] = [
  [
    'embedded',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tre-store-'));
      const store = await openStore({ dataDir: dir });
      return {
        store,
        stop: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'debian postgresql',
    async () => {
      const pg = await startDebianPostgres();
      const store = await openStore({ databaseUrl: pg.url, dataDir: '/nonexistent' });
      return {
        store,
        url: pg.url,
        stop: async () => {
          await store.close();
          await pg.stop();
        },
      };
    },
  ],
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
    await expect(
      env.store.tx(async (q) => {
        await q.query("INSERT INTO users (id, display_name) VALUES ('rollback-me', 'x')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await env.store.query("SELECT id FROM users WHERE id = 'rollback-me'")).toEqual([]);
  });

  it('refuses to update, delete or truncate audit entries', async () => {
    const audit = createAuditService({ pool: env.store.pool, clock: manualClock('2026-01-01T00:00:00Z') });
    await audit.record({
      actor: 'a',
      role: 'r',
      action: 'x.y',
      object: '',
      projectId: null,
      outcome: 'success',
      reason: null,
      requestId: null,
      clientAddress: null,
    });
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
      (i % 2 ? a : b).record({
        actor: `w${i}`,
        role: 'test',
        action: 'burst',
        object: `n:${i}`,
        projectId: null,
        outcome: 'success',
        reason: null,
        requestId: null,
        clientAddress: null,
      }),
    );
    const receipts = await Promise.all(writes);
    await second.close();
    expect(new Set(receipts.map((r) => r.seq)).size).toBe(400);
    const rows = await env.store.query<Record<string, any>>('SELECT * FROM audit_log ORDER BY seq');
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      expect(r.seq).toBe(i);
      const recomputed = entryHash({
        seq: r.seq,
        time: r.time_text,
        actor: r.actor,
        role: r.role,
        action: r.action,
        object: r.object,
        projectId: r.project_id,
        outcome: r.outcome,
        reason: r.reason,
        requestId: r.request_id,
        clientAddress: r.client_address,
        details: r.details,
        prevHash: r.prev_hash,
      });
      expect(recomputed).toBe(r.hash);
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]!.hash);
    }
  });

  it('a listener hears commits only, comes back after its connection is cut and says so, and hears what follows', async () => {
    const heard: string[] = [];
    let connections = 0;
    const listening = env.store.listen('tre_store_test', { notify: (p) => heard.push(p), connected: () => void connections++ });
    try {
      await listening.ready;
      expect(connections).toBe(1);
      await expect(
        env.store.tx(async (q) => {
          await q.query("SELECT pg_notify('tre_store_test', 'rolled back')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await env.store.query("SELECT pg_notify('tre_store_test', 'first')");
      await vi.waitFor(() => expect(heard).toEqual(['first']));
      const cut = await env.store.query<{ cut: boolean }>(
        "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = 'analyserom-listen-tre_store_test'",
      );
      expect(cut).toEqual([{ cut: true }]);
      await vi.waitFor(() => expect(connections).toBe(2), { timeout: 20_000 });
      await env.store.query("SELECT pg_notify('tre_store_test', 'after')");
      await vi.waitFor(() => expect(heard).toEqual(['first', 'after']));
    } finally {
      await listening.close();
    }
  });

  it("notifies access changes from the writes themselves: members, permits, project status, a room's decisive columns, ended credentials", async () => {
    await migrate(env.store);
    const heard: string[] = [];
    const listening = env.store.listen('tre_access', { notify: (p) => heard.push(p), connected: () => undefined });
    try {
      await listening.ready;
      await env.store.tx(async (q) => {
        await q.query("INSERT INTO users (id, display_name) VALUES ('notify-u', 'N'), ('notify-lead', 'L')");
        await q.query(`INSERT INTO projects (id, title, purpose, data_controllers, legal_basis, period_from, period_to, status, created_by)
          VALUES ('p-notify', 'T', 'P', ARRAY['SSB'], 'consent', '2026-01-01', '2026-12-31', 'active', 'notify-lead')`);
      });
      await env.store.query(
        `INSERT INTO permits (id, version, project_id, case_type, datasets, period_from, period_to, cohort, linkage_allowed, authorised_persons,
           legal_basis, opt_out_honoured, expires_at, issued_by, reason)
         VALUES ('permit-notify', 1, 'p-notify', 'one_off', '[]', '2026-01-01', '2026-12-31', '{}', false, ARRAY['notify-u'], 'consent', true, '2026-12-31T00:00:00Z', 'notify-lead', 'test')`,
      );
      await env.store.query("INSERT INTO project_members (project_id, user_id, role, added_by) VALUES ('p-notify', 'notify-u', 'researcher', 'notify-lead')");
      await env.store.query("DELETE FROM project_members WHERE project_id = 'p-notify' AND user_id = 'notify-u'");
      await env.store.query("UPDATE projects SET status = 'closed' WHERE id = 'p-notify'");
      await env.store.query(`INSERT INTO rooms (id, project_id, owner_id, driver, program, wanted, state, jupyter_token_sealed, created_at, updated_at)
        VALUES ('r-notify', 'p-notify', 'notify-u', 'local', 'stub', 'running', 'requested', 'x', now(), now())`);
      await env.store.query("UPDATE rooms SET last_activity_at = now(), cpu_seconds_seen = 3 WHERE id = 'r-notify'");
      await env.store.query("UPDATE rooms SET state = 'running' WHERE id = 'r-notify'");
      await env.store.query(
        "INSERT INTO api_tokens (id, token_hash, user_id, name, expires_at) VALUES ('t-notify', 'h-notify', 'notify-u', 'n', now() + interval '1 day')",
      );
      await env.store.query("UPDATE api_tokens SET last_used_at = now() WHERE id = 't-notify'");
      await env.store.query("UPDATE api_tokens SET revoked_at = now() WHERE id = 't-notify'");
      await vi.waitFor(() =>
        expect(heard).toEqual([
          'project:p-notify',
          'project:p-notify',
          'project:p-notify',
          'project:p-notify',
          'room:r-notify',
          'room:r-notify',
          'user:notify-u',
        ]),
      );
    } finally {
      await listening.close();
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
