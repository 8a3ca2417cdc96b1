/** Reasons are one spelling, each named once, and what rooms stored before the change is spelt the same way after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listMigrations, migrate, openStore } from '../store/index.ts';
import { REASONS, ROOM_STOP_REASONS } from './reasons.ts';

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

describe('reasons', () => {
  it('every reason is snake_case and belongs to one context', () => {
    expect([...REASONS, ...ROOM_STOP_REASONS].filter((r) => !SNAKE.test(r))).toEqual([]);
    expect(REASONS.filter((r, i) => REASONS.indexOf(r) !== i)).toEqual([]);
  });

  it("migration 0301 rewrites the rooms' stored failure reasons to the one spelling, leaving the others as they are", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tre-reasons-'));
    const store = await openStore({ dataDir: dir });
    try {
      const all = listMigrations();
      const at = all.findIndex((m) => m.version === '0301-reason-spelling');
      await migrate(store, all.slice(0, at));
      await store.query(`INSERT INTO users (id, display_name) VALUES ('admin', 'Admin')`);
      await store.query(`INSERT INTO projects (id, title, purpose, data_controllers, legal_basis, period_from, period_to, status, created_by)
        VALUES ('prj', 't', 'p', '{NIPH}', 'consent', '2026-01-01', '2027-01-01', 'active', 'admin')`);
      const stored = ['rootfs-missing', 'sandbox-exited', 'network-policy-changed', 'paused', 'removing', 'exited', 'permit_expired', null];
      for (const [i, reason] of stored.entries()) {
        await store.query(
          `INSERT INTO rooms (id, project_id, owner_id, driver, program, wanted, state, failure_reason, jupyter_token_sealed, created_at, updated_at)
          VALUES ($1, 'prj', 'admin', 'local', 'stub', 'stopped', 'failed', $2, 'x', now(), now())`,
          [`r${i}`, reason],
        );
      }
      expect(await migrate(store)).toContain('0301-reason-spelling');
      const rows = await store.query<{ reason: string | null }>(`SELECT failure_reason AS reason FROM rooms ORDER BY id`);
      expect(rows.map((r) => r.reason)).toEqual([
        'rootfs_missing',
        'sandbox_exited',
        'network_policy_changed',
        'container_paused',
        'container_removing',
        'exited',
        'permit_expired',
        null,
      ]);
      expect(rows.every((r) => r.reason === null || (REASONS as readonly string[]).includes(r.reason))).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
