/**
 * The data-access gate is one rule: on random projects, members and permit histories, the
 * per-subject check (API, proxy), the set form (the reconcile loop, every room at once) and the
 * rule as written in `data-access.ts` give the same verdict and the same reason, in PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, type DataAccessReason } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import { migrate, openStore, type Queryable, type Store } from '../store/index.ts';
import { requireDataAccess, requireOpenPermit } from './access.ts';
import { dataAccessVerdicts } from './data-access.ts';

const USERS = ['ua', 'ub', 'uc'] as const;
const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

interface World {
  project: { status: 'applied' | 'active' | 'closed' } | null;
  members: string[];
  /** Permit versions in issue order; the last is in force. */
  permits: { expiresInDays: number; authorised: string[] }[];
}

const world = fc.record<World>({
  project: fc.option(fc.record({ status: fc.constantFrom('applied' as const, 'active' as const, 'closed' as const) }), { nil: null }),
  members: fc.subarray([...USERS]),
  permits: fc.array(fc.record({ expiresInDays: fc.integer({ min: -3, max: 3 }), authorised: fc.subarray([...USERS]) }), { maxLength: 3 }),
});

/** The rule as the doc comment states it, step by step; `user` null judges the project alone. */
function ruled(w: World, user: string | null): DataAccessReason | null {
  if (!w.project) return 'no_such_project';
  if (user !== null && !w.members.includes(user)) return 'not_a_member';
  if (w.project.status === 'closed') return 'project_closed';
  const permit = w.permits.at(-1);
  if (!permit) return 'no_permit';
  if (permit.expiresInDays * DAY <= 0) return 'permit_expired';
  if (user !== null && !permit.authorised.includes(user)) return 'not_authorised_by_permit';
  return null;
}

async function build(q: Queryable, w: World): Promise<void> {
  await q.query(`INSERT INTO users (id, display_name) VALUES ('admin', 'Admin'), ${USERS.map((u) => `('${u}', '${u}')`).join(', ')}`);
  if (!w.project) return;
  await q.query(
    `INSERT INTO projects (id, title, purpose, data_controllers, legal_basis, period_from, period_to, status, created_by)
    VALUES ('prj', 't', 'p', '{NIPH}', 'consent', '2026-01-01', '2027-01-01', $1, 'admin')`,
    [w.project.status],
  );
  for (const u of w.members) await q.query(`INSERT INTO project_members (project_id, user_id, role, added_by) VALUES ('prj', $1, 'researcher', 'admin')`, [u]);
  for (const [i, p] of w.permits.entries()) {
    await q.query(
      `INSERT INTO permits (id, version, project_id, case_type, datasets, period_from, period_to, cohort, linkage_allowed, authorised_persons,
        legal_basis, opt_out_honoured, expires_at, issued_by, reason)
      VALUES ('pmt', $1, 'prj', 'one_off', '[]', '2026-01-01', '2027-01-01', '{}', false, $2, 'consent', true, $3, 'admin', 'r')`,
      [i + 1, p.authorised, new Date(NOW.getTime() + p.expiresInDays * DAY)],
    );
  }
}

/** What the per-subject check answers: null when it passes, else the refusal's reason. */
async function perSubject(check: () => Promise<unknown>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (err) {
    if (err instanceof DomainError) return err.reason ?? 'no reason';
    throw err;
  }
}

class Rollback extends Error {}

describe('the data-access gate', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tre-gate-'));
    store = await openStore({ dataDir: dir });
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the per-subject check, the set form and the written rule agree on every member, permit and project state', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const seen = await store
          .tx(async (q) => {
            await build(q, w);
            const subjects = [...USERS, null];
            const set = await dataAccessVerdicts(q, `SELECT u AS key, 'prj' AS project_id, NULLIF(u, '') AS user_id FROM unnest($2::text[]) u`, NOW, [
              subjects.map((u) => u ?? ''),
            ]);
            const bySet = Object.fromEntries(set.map((v) => [v.key || 'project', v.reason]));
            const one: Record<string, string | null> = {};
            for (const u of USERS) {
              const principal: Principal = { userId: u, displayName: u, roles: ['researcher'], via: 'session' };
              one[u] = await perSubject(() => requireDataAccess(q, principal, 'prj', NOW));
            }
            one.project = await perSubject(() => requireOpenPermit(q, 'prj', NOW));
            throw Object.assign(new Rollback(), { seen: { bySet, one } });
          })
          .catch((err: unknown) => {
            if (err instanceof Rollback) return (err as Rollback & { seen: { bySet: Record<string, string | null>; one: Record<string, string | null> } }).seen;
            throw err;
          });
        const rule = Object.fromEntries([...USERS.map((u) => [u, ruled(w, u)]), ['project', ruled(w, null)]]);
        expect(seen.one).toEqual(rule);
        expect(seen.bySet).toEqual(rule);
      }),
      { numRuns: 150 },
    );
  });
});
