/**
 * Approved data copies end to end on a demo control plane: the reconcile loop makes the demo
 * project's copy after start, amendments make new versions, opt-out is honoured, citizens see
 * their projects, access is per project, closing and expiry delete copies and keys with a proof.
 * The tests run in order: each builds on the copies the earlier ones made.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkCitizen } from '../../control-plane/src/citizens/index.ts';
import { proofIsIntact, verifyCopy, makeCopy } from '../../control-plane/src/data-copies/index.ts';
import { createUser } from '../../control-plane/src/identity/index.ts';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { startCopies, waitForCopies, type CopiesTest } from './support.ts';

let t: CopiesTest;
let demo: string;
let other: string;

async function query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}

const copyFile = (projectId: string, v: number, name: string) => join(t.p.dataDir, 'copies', projectId, `v${v}`, name);
const pseudonyms = async (projectId: string, v: number) =>
  new Set((await query<{ p: bigint }>(`SELECT person_id AS p FROM read_parquet('${copyFile(projectId, v, 'population.parquet')}')`)).map((r) => String(r.p)));

async function amend(projectId: string, reason: string) {
  const r = await t.p.call('POST', `/api/projects/${projectId}/permit/amendments`, { as: 'admin2', body: { caseType: 'extra_order', reason } });
  expect(r.status).toBe(201);
}

beforeAll(async () => {
  t = await startCopies();
  demo = t.projectId;
  // A second project: only the lead is a member; its cohort (born 1991-2010) is disjoint from the demo's (1930-1990).
  const app = await t.p.call('POST', '/api/applications', {
    as: 'lead',
    body: {
      kind: 'new',
      caseType: 'one_off',
      project: {
        title: 'Young adults and asthma',
        purpose: 'Asthma medication among young adults.',
        dataControllers: ['FHI'],
        legalBasis: 'hrl-19',
        period: { from: '2015-01-01', to: '2025-12-31' },
      },
      datasets: [{ dataset: 'population', variables: ['fnr', 'sex', 'birth_date'], reasons: { fnr: 'The person key, made the project pseudonym.' } }],
      period: { from: '2015-01-01', to: '2025-12-31' },
      cohort: { birthYearFrom: 1991, birthYearTo: 2010 },
      linkage: false,
    },
  });
  expect(app.status).toBe(201);
  other = app.body.projectId;
  expect(
    (await t.p.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'in order' } })).status,
  ).toBe(200);
  expect((await t.p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: app.body.id, expiresAt: '2027-12-31T00:00:00Z' } })).status).toBe(201);
  await waitForCopies(t, demo, 1);
  await waitForCopies(t, other, 1);
}, 180_000);
afterAll(async () => {
  await t?.p.stop();
});

describe('data copies', () => {
  it('makes the demo copy after start: pseudonyms, a manifest matching its files, only permitted columns', async () => {
    const r = await t.p.call('GET', `/api/projects/${demo}/copies`, { as: 'researcher' });
    expect(r.status).toBe(200);
    expect(r.body.copies).toHaveLength(1);
    const copy = r.body.copies[0];
    expect(copy).toMatchObject({ copyVersion: 1, createdBy: 'system', deletedAt: null, current: true });
    expect(copy.personCount).toBeGreaterThan(100);
    const dir = await t.module.currentCopyDir(demo);
    expect(dir).toBe(join(t.p.dataDir, 'copies', demo, 'v1'));
    expect(await verifyCopy(dir!)).toEqual({ ok: true, problems: [] });
    const permit = (await t.p.call('GET', `/api/projects/${demo}/permits`, { as: 'researcher' })).body.at(-1);
    for (const ds of copy.manifest.datasets) {
      const cols = (await query<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet('${copyFile(demo, 1, `${ds.dataset}.parquet`)}')`)).map(
        (c) => c.column_name,
      );
      const permitted = permit.datasets.find((d: { dataset: string }) => d.dataset === ds.dataset).variables.filter((v: string) => v !== 'fnr');
      expect(cols[0]).toBe('person_id');
      expect(cols.slice(1).sort()).toEqual([...permitted].sort());
      expect(ds.droppedDirectIdentifiers).toEqual(['fnr']);
    }
    // No identity number anywhere: the pseudonym is a 64-bit integer, not an 11-digit number.
    const ids = await query<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${copyFile(demo, 1, 'population.parquet')}') WHERE length(CAST(person_id AS VARCHAR)) = 11`,
    );
    expect(Number(ids[0]!.n)).toBe(0);
    // Cohort: born 1930-1990 only.
    const years = await query<{ lo: number; hi: number }>(
      `SELECT min(year(birth_date)) AS lo, max(year(birth_date)) AS hi FROM read_parquet('${copyFile(demo, 1, 'population.parquet')}')`,
    );
    expect(years[0]!.lo).toBeGreaterThanOrEqual(1930);
    expect(years[0]!.hi).toBeLessThanOrEqual(1990);
    const audit = await t.p.deps.store.query<{ actor: string; outcome: string; object: string }>(
      `SELECT actor, outcome, object FROM audit_log WHERE action = 'copy.create' AND project_id = $1 ORDER BY seq`,
      [demo],
    );
    expect(audit).toEqual([
      { actor: 'system', outcome: 'initiated', object: `copy:${demo}/v1` },
      { actor: 'system', outcome: 'success', object: `copy:${demo}/v1` },
    ]);
  });

  it('serves the manifest to a member and streams progress as server-sent events', async () => {
    const m = await t.p.call('GET', `/api/projects/${demo}/copies/1/manifest`, { as: 'researcher' });
    expect(m.status).toBe(200);
    expect(m.body).toMatchObject({ kind: 'analyserom.data-copy', projectId: demo, copyVersion: 1 });
    const res = await fetch(`${t.p.url}/api/projects/${demo}/copies/events`, { headers: { authorization: `Bearer ${await t.p.token('researcher')}` } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).toContain('event: progress');
    expect(JSON.parse(/data: (.*)/.exec(text)![1]!)).toMatchObject({ projectId: demo, copyVersion: 1, state: 'done' });
    // A finished copy ends the stream at once.
    const o = await fetch(`${t.p.url}/api/projects/${other}/copies/events`, { headers: { authorization: `Bearer ${await t.p.token('lead')}` } });
    expect(JSON.parse(/data: (.*)/.exec(await o.text())![1]!)).toMatchObject({ projectId: other, copyVersion: 1, state: 'done' });
  });

  it('removes the temporary folder of an interrupted extract at start-up', async () => {
    const { mkdirSync } = await import('node:fs');
    const { sweepExtractLeftovers } = await import('../../control-plane/src/data-copies/index.ts');
    mkdirSync(join(t.p.dataDir, 'copies', demo, '.tmp-v9-deadbeef', '.spill'), { recursive: true });
    expect(await sweepExtractLeftovers(platformPaths(t.p.dataDir))).toEqual([join('copies', demo, '.tmp-v9-deadbeef')]);
    expect(existsSync(join(t.p.dataDir, 'copies', demo, '.tmp-v9-deadbeef'))).toBe(false);
  });

  it("403 for another project's copy through every endpoint", async () => {
    for (const path of [`/api/projects/${other}/copies`, `/api/projects/${other}/copies/1/manifest`, `/api/projects/${other}/copies/events`]) {
      const r = await t.p.call('GET', path, { as: 'researcher' });
      expect(r.status, path).toBe(403);
      expect(r.body.reason, path).toBe('not_a_member');
    }
    expect((await t.p.call('POST', `/api/projects/${other}/copies`, { as: 'researcher' })).status).toBe(403);
    expect((await t.p.call('POST', `/api/projects/${other}/close`, { as: 'researcher', body: { reason: 'no' } })).status).toBe(403);
    // The lead of both projects sees both; an auditor (oversight) sees the list but not the manifest.
    expect((await t.p.call('GET', `/api/projects/${other}/copies/1/manifest`, { as: 'lead' })).status).toBe(200);
    expect((await t.p.call('GET', `/api/projects/${other}/copies`, { as: 'auditor' })).status).toBe(200);
    expect((await t.p.call('GET', `/api/projects/${other}/copies/1/manifest`, { as: 'auditor' })).status).toBe(403);
  });

  it('gives every project its own pseudonym key', async () => {
    const a = (await t.p.call('GET', `/api/projects/${demo}/copies/1/manifest`, { as: 'lead' })).body;
    const b = (await t.p.call('GET', `/api/projects/${other}/copies/1/manifest`, { as: 'lead' })).body;
    expect(a.pseudonym.keyFingerprint).not.toBe(b.pseudonym.keyFingerprint);
  });

  it('shows the citizen the demo project, and another citizen in no copy nothing', async () => {
    const mine = await t.p.call('GET', '/api/citizen/usage', { as: 'citizen' });
    expect(mine.status).toBe(200);
    expect(mine.body.map((u: { projectId: string }) => u.projectId)).toEqual([demo]);
    expect(mine.body[0].copies).toEqual([{ version: 1, madeAt: expect.any(String), deletedAt: null }]);
    // A person born before 1930 is in neither cohort.
    const [row] = await query<{ fnr: string }>(
      `SELECT fnr FROM read_parquet('${join(t.p.dataDir, 'registers/population/demo-1/data.parquet')}') WHERE year(birth_date) < 1930 ORDER BY fnr LIMIT 1`,
    );
    await t.p.deps.store.tx(async (q) => {
      await createUser(q, t.p.deps.box, { id: 'citizen2', displayName: 'Ola Nordmann', roles: ['citizen'], password: 'demo-password-2' }, 'test');
      await linkCitizen(q, t.p.deps.box, 'citizen2', row!.fnr);
    });
    t.p.passwords.set('citizen2', 'demo-password-2');
    const theirs = await t.p.call('GET', '/api/citizen/usage', { as: 'citizen2' });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual([]);
  });

  it('makes copy v2 on an amendment, keeps v1, and keeps pseudonyms stable; an opted-out person is left out', async () => {
    expect((await t.p.call('PUT', '/api/citizen/opt-out', { as: 'citizen', body: { optedOut: true } })).status).toBe(200);
    await amend(demo, 'extra order: the same data once more');
    await waitForCopies(t, demo, 2);
    const list = (await t.p.call('GET', `/api/projects/${demo}/copies`, { as: 'researcher' })).body.copies;
    expect(list.map((c: { copyVersion: number; current: boolean }) => [c.copyVersion, c.current])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(list[1].personCount).toBe(list[0].personCount - 1);
    expect(existsSync(copyFile(demo, 1, 'manifest.json'))).toBe(true);
    expect(await t.module.currentCopyDir(demo)).toBe(join(t.p.dataDir, 'copies', demo, 'v2'));
    const v1 = await pseudonyms(demo, 1);
    const v2 = await pseudonyms(demo, 2);
    expect([...v2].every((p) => v1.has(p))).toBe(true);
    expect(v1.size - v2.size).toBe(1);
    const usage = (await t.p.call('GET', '/api/citizen/usage', { as: 'citizen' })).body;
    expect(usage[0].copies.map((c: { version: number }) => c.version)).toEqual([1]);
  });

  it('brings the person back in the next copy after the opt-out is withdrawn', async () => {
    expect((await t.p.call('PUT', '/api/citizen/opt-out', { as: 'citizen', body: { optedOut: false } })).status).toBe(200);
    await amend(demo, 'extra order: after a withdrawn opt-out');
    await waitForCopies(t, demo, 3);
    expect(await pseudonyms(demo, 3)).toEqual(await pseudonyms(demo, 1));
    const usage = (await t.p.call('GET', '/api/citizen/usage', { as: 'citizen' })).body;
    expect(usage[0].copies.map((c: { version: number }) => c.version)).toEqual([1, 3]);
  });

  it('makes a copy on demand for an access administrator, and none twice', async () => {
    const r = await t.p.call('POST', `/api/projects/${demo}/copies`, { as: 'admin1' });
    expect(r.status).toBe(200);
    expect(r.body.copies).toHaveLength(3);
  });

  it('lets only one extractor make a given copy', async () => {
    await amend(demo, 'extra order: two extractors race');
    const permit = (await t.p.call('GET', `/api/projects/${demo}/permits`, { as: 'lead' })).body.at(-1);
    const deps = { ...t.p.deps, paths: platformPaths(t.p.dataDir) };
    const outcomes = await Promise.all([makeCopy(deps, permit), makeCopy(deps, permit)]);
    expect(outcomes.filter((o) => o.made)).toEqual([{ made: true, copyVersion: 4, personCount: expect.any(Number), reason: 'permit_changed' }]);
    expect(outcomes.filter((o) => !o.made)).toEqual([{ made: false, why: expect.stringMatching(/^(locked|exists)$/) }]);
    expect(await makeCopy(deps, permit)).toEqual({ made: false, why: 'exists' });
    expect((await t.p.call('GET', `/api/projects/${demo}/copies`, { as: 'researcher' })).body.copies).toHaveLength(4);
  });

  it('closes a project: copies and pseudonym key deleted, proof of deletion returned and audited', async () => {
    const noReason = await t.p.call('POST', `/api/projects/${other}/close`, { as: 'admin1', body: {} });
    expect(noReason.status).toBe(400);
    const r = await t.p.call('POST', `/api/projects/${other}/close`, { as: 'admin1', body: { reason: 'study finished' } });
    expect(r.status).toBe(200);
    const proof = r.body;
    expect(proof).toMatchObject({
      kind: 'analyserom.proof-of-deletion',
      projectId: other,
      reason: 'study finished',
      deletedBy: { actor: 'admin1', role: 'access_admin' },
    });
    expect(proof.copies.map((c: { version: string }) => c.version)).toEqual(['v1']);
    expect(proof.copies[0].files.map((f: { name: string }) => f.name).sort()).toEqual(['manifest.json', 'population.csv', 'population.parquet']);
    expect(proof.pseudonymKey).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), deleted: true });
    expect(proofIsIntact(proof)).toBe(true);
    expect(existsSync(join(t.p.dataDir, 'copies', other))).toBe(false);
    expect(await t.p.deps.store.query('SELECT 1 FROM kept_secrets WHERE name = $1', [`pseudonym-key:${other}`])).toEqual([]);
    const [project] = await t.p.deps.store.query<{ status: string }>('SELECT status FROM projects WHERE id = $1', [other]);
    expect(project!.status).toBe('closed');
    const audit = await t.p.deps.store.query<{ outcome: string; details: { proofSha256?: string } }>(
      `SELECT outcome, details FROM audit_log WHERE action = 'data_copy.delete' AND project_id = $1 ORDER BY seq`,
      [other],
    );
    expect(audit.map((a) => a.outcome)).toEqual(['initiated', 'success']);
    expect(audit[1]!.details.proofSha256).toBe(proof.sha256);
    expect(await t.module.currentCopyDir(other)).toBeNull();
    const after = await t.p.call('GET', `/api/projects/${other}/copies/1/manifest`, { as: 'lead' });
    expect(after.status).toBe(403);
    expect(after.body.reason).toBe('project_closed');
  });

  it('refuses the copy endpoints after the permit expired, and closes the project after the grace period', async () => {
    const permit = (await t.p.call('GET', `/api/projects/${demo}/permits`, { as: 'lead' })).body.at(-1);
    t.p.clock.set(new Date(new Date(permit.expiresAt).getTime() + 60_000));
    t.p.forgetTokens();
    for (const path of [`/api/projects/${demo}/copies`, `/api/projects/${demo}/copies/1/manifest`, `/api/projects/${demo}/copies/events`]) {
      const r = await t.p.call('GET', path, { as: 'researcher' });
      expect(r.status, path).toBe(403);
      expect(r.body.reason, path).toBe('permit_expired');
    }
    await t.module.reconciler.runOnce(demo);
    expect(existsSync(join(t.p.dataDir, 'copies', demo, 'v1'))).toBe(true);
    t.p.clock.advance(31 * 86_400_000);
    await t.module.reconciler.runOnce(demo);
    expect(existsSync(join(t.p.dataDir, 'copies', demo))).toBe(false);
    const [project] = await t.p.deps.store.query<{ status: string }>('SELECT status FROM projects WHERE id = $1', [demo]);
    expect(project!.status).toBe('closed');
    const [entry] = await t.p.deps.store.query<{ actor: string; reason: string }>(
      `SELECT actor, reason FROM audit_log WHERE action = 'data_copy.delete' AND project_id = $1 AND outcome = 'success'`,
      [demo],
    );
    expect(entry!.actor).toBe('system');
    expect(entry!.reason).toContain('grace period of 30 days over');
  });
});
