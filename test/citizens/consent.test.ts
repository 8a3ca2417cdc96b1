/**
 * Consent management end to end on a demo control plane with real extracts: a project on the legal
 * basis consent asks its cohort, and each copy version holds exactly the asked persons whose
 * consent was in force when it ran. The boundary: consent given after a copy is not in it (and
 * joins only once the copy is a day old), a withdrawal before the next copy keeps the person out of
 * it and makes that next version at once; the opt-out decides nothing; a person never asked is
 * never in; a withdrawal that races a running extract is caught by the next pass. The tests run
 * in order: each builds on the copies the earlier ones made.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkCitizen } from '../../control-plane/src/citizens/index.ts';
import { makeCopy } from '../../control-plane/src/data-copies/index.ts';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { createUser } from '../../control-plane/src/identity/index.ts';
import { startCopies, waitForCopies, type CopiesTest } from '../data-copies/support.ts';

const DAY = 86_400_000;
const CONSENT = { text: 'I consent to my health register data being used in the sleep and heart study.', version: '1.0' };
let t: CopiesTest;
let project: string;

async function fnrs(sql: string): Promise<string[]> {
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS().map((r) => String(r.fnr));
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}

async function citizen(id: string, fnr: string) {
  await t.p.deps.store.tx(async (q) => {
    await createUser(q, t.p.deps.box, { id, displayName: id, roles: ['citizen'], password: `pw-${id}-long` }, 'test');
    await linkCitizen(q, t.p.deps.box, id, fnr);
  });
  t.p.passwords.set(id, `pw-${id}-long`);
}

/** The users whose person is in the copy version, by their linked account. */
async function inCopy(v: number): Promise<string[]> {
  const rows = await t.p.deps.store.query<{ id: string }>(
    `SELECT u.id FROM data_copy_persons p JOIN users u ON u.person_lookup = p.person_lookup
      WHERE p.project_id = $1 AND p.copy_version = $2 ORDER BY u.id`,
    [project, v],
  );
  return rows.map((r) => r.id);
}

const copies = async () =>
  (await t.p.call('GET', `/api/projects/${project}/copies`, { as: 'lead' })).body.copies as { copyVersion: number; personCount: number; manifest: any }[];
const consentTo = (as: string, consent: boolean) => t.p.call('PUT', `/api/citizen/consents/${project}`, { as, body: { consent } });

beforeAll(async () => {
  t = await startCopies();
  const population = join(t.p.dataDir, 'registers/population/demo-1/data.parquet');
  // The demo citizen (born 1950-1980) and two more persons of the cohort; one born before 1930 is outside it.
  const cohort = await fnrs(`SELECT fnr FROM read_parquet('${population}') WHERE year(birth_date) BETWEEN 1950 AND 1980 ORDER BY fnr DESC LIMIT 2`);
  const outside = await fnrs(`SELECT fnr FROM read_parquet('${population}') WHERE year(birth_date) < 1930 ORDER BY fnr LIMIT 1`);
  await citizen('never-consents', cohort[0]!);
  await citizen('opted-out', cohort[1]!);
  await citizen('outsider', outside[0]!);
  const app = await t.p.call('POST', '/api/applications', {
    as: 'lead',
    body: {
      kind: 'new',
      caseType: 'one_off',
      project: {
        title: 'Sleep and the heart',
        purpose: 'Sleep medication and heart disease among consenting participants.',
        dataControllers: ['FHI'],
        legalBasis: 'consent',
        consent: CONSENT,
        period: { from: '2026-01-01', to: '2028-12-31' },
      },
      datasets: [{ dataset: 'population', variables: ['fnr', 'sex', 'birth_date'], reasons: { fnr: 'links each participant to their consent' } }],
      period: { from: '2015-01-01', to: '2025-12-31' },
      cohort: { birthYearFrom: 1950, birthYearTo: 1980 },
      members: [{ userId: 'researcher', role: 'researcher' }],
    },
  });
  expect(app.status).toBe(201);
  project = app.body.projectId;
  expect(
    (await t.p.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'in order' } })).status,
  ).toBe(200);
  expect((await t.p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: app.body.id, expiresAt: '2027-12-31T00:00:00Z' } })).status).toBe(201);
  expect((await t.p.call('PUT', '/api/citizen/opt-out', { as: 'opted-out', body: { optedOut: true } })).status).toBe(200);
  await waitForCopies(t, project, 1);
}, 180_000);
afterAll(async () => {
  await t?.p.stop();
});

describe('consent projects', () => {
  it('refuses a consent application that does not say what participants consent to, naming the field', async () => {
    const r = await t.p.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'new',
        project: {
          title: 'No text',
          purpose: 'A consent study without a consent text.',
          dataControllers: ['FHI'],
          legalBasis: 'consent',
          period: { from: '2026-01-01', to: '2026-12-31' },
        },
        datasets: [{ dataset: 'population', variables: ['sex'] }],
        period: { from: '2015-01-01', to: '2020-12-31' },
      },
    });
    expect([r.status, r.body.field]).toEqual([400, 'project.consent']);
  });

  it('carries the consent text into the permit, and asks the cohort: the persons in it see the request and are notified', async () => {
    const detail = (await t.p.call('GET', `/api/projects/${project}`, { as: 'lead' })).body;
    expect(detail.permit).toMatchObject({ legalBasis: 'consent', optOutHonoured: false, consent: CONSENT });
    for (const who of ['citizen', 'never-consents', 'opted-out']) {
      const mine = await t.p.call('GET', '/api/citizen/consents', { as: who });
      expect(mine.status).toBe(200);
      expect(mine.body).toEqual([
        {
          projectId: project,
          title: 'Sleep and the heart',
          purpose: 'Sleep medication and heart disease among consenting participants.',
          dataControllers: ['FHI'],
          projectStatus: 'active',
          dataPeriod: { from: '2015-01-01', to: '2025-12-31' },
          terms: CONSENT,
          requestedAt: expect.any(String),
          inForce: false,
          since: null,
          givenVersion: null,
          history: [],
        },
      ]);
    }
    expect((await t.p.call('GET', '/api/citizen/consents', { as: 'outsider' })).body).toEqual([]);
    const told = await t.p.deps.store.query<{ user_id: string; params: unknown }>(
      `SELECT user_id, params FROM notifications WHERE kind = 'consent.requested' AND project_id = $1 ORDER BY user_id`,
      [project],
    );
    expect(told).toEqual(['citizen', 'never-consents', 'opted-out'].map((user_id) => ({ user_id, params: { project, title: 'Sleep and the heart' } })));
  });

  it('makes the first copy with nobody in it: no consent was in force when it ran', async () => {
    const [v1] = await copies();
    expect(v1).toMatchObject({ copyVersion: 1, personCount: 0 });
    expect(v1!.manifest.consent).toEqual({ version: '1.0', inForce: 0, included: 0 });
    expect(v1!.manifest.legalBasis).toEqual({ code: 'consent', honoursOptOut: false, requiresConsent: true });
  });

  it('records consent given after the copy, audited, without putting the person into that copy', async () => {
    const r = await consentTo('citizen', true);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ inForce: true, givenVersion: '1.0', history: [{ action: 'give', version: '1.0', at: expect.any(String) }] });
    expect((await consentTo('opted-out', true)).status).toBe(200);
    const audit = await t.p.deps.store.query<{ actor: string; outcome: string; details: unknown }>(
      `SELECT actor, outcome, details FROM audit_log WHERE action = 'citizen.consent.set' ORDER BY seq`,
    );
    expect(audit.filter((a) => a.outcome === 'success')).toEqual([
      { actor: 'citizen', outcome: 'success', details: expect.objectContaining({ projectId: project, consent: true }) },
      { actor: 'opted-out', outcome: 'success', details: expect.objectContaining({ projectId: project, consent: true }) },
    ]);
    expect(await inCopy(1)).toEqual([]);
    // A day has not passed: new consents wait for the next version.
    await t.module.reconciler.runOnce(project);
    expect((await copies()).map((c) => c.copyVersion)).toEqual([1]);
  });

  it('lets new consents join in a new version once the copy is a day old; the opt-out does not decide a consent project', async () => {
    t.p.clock.advance(DAY);
    t.p.forgetTokens();
    await waitForCopies(t, project, 2);
    expect(await inCopy(2)).toEqual(['citizen', 'opted-out']);
    const v2 = (await copies())[1]!;
    expect(v2.manifest.consent).toEqual({ version: '1.0', inForce: 2, included: 2 });
    const [audit] = await t.p.deps.store.query<{ details: { why: string } }>(
      `SELECT details FROM audit_log WHERE action = 'copy.create' AND object = $1 AND outcome = 'success'`,
      [`copy:${project}/v2`],
    );
    expect(audit?.details.why).toBe('consent_given');
  });

  it('takes a person who withdrew before the next copy out of it: the reconcile loop makes that version at once', async () => {
    const r = await consentTo('citizen', false);
    expect(r.status).toBe(200);
    expect(r.body.history.map((h: { action: string }) => h.action)).toEqual(['give', 'withdraw']);
    expect(r.body.inForce).toBe(false);
    await waitForCopies(t, project, 3);
    expect(await inCopy(3)).toEqual(['opted-out']);
    const [audit] = await t.p.deps.store.query<{ details: { why: string } }>(
      `SELECT details FROM audit_log WHERE action = 'copy.create' AND object = $1 AND outcome = 'success'`,
      [`copy:${project}/v3`],
    );
    expect(audit?.details.why).toBe('consent_withdrawn');
    // The project's members are told, with the reason; nobody else is.
    const told = await t.p.deps.store.query<{ user_id: string; params: Record<string, string> }>(
      `SELECT user_id, params FROM notifications WHERE kind = 'copy.new_version' AND project_id = $1 AND params->>'version' = '3' ORDER BY user_id`,
      [project],
    );
    expect(told).toEqual([
      { user_id: 'lead', params: { version: '3', reason: 'consent_withdrawn' } },
      { user_id: 'researcher', params: { version: '3', reason: 'consent_withdrawn' } },
    ]);
    // Nothing changed since: no further version.
    await t.module.reconciler.runOnce(project);
    expect((await copies()).map((c) => c.copyVersion)).toEqual([1, 2, 3]);
    // The citizen's own insight view shows the copy they were in and their consent's history.
    const usage = (await t.p.call('GET', '/api/citizen/usage', { as: 'citizen' })).body;
    expect(usage.find((u: { projectId: string }) => u.projectId === project)?.copies.map((c: { version: number }) => c.version)).toEqual([2]);
  });

  it('never puts a person who was not asked into a consent copy, even with a consent row of their own', async () => {
    expect((await consentTo('outsider', true)).status).toBe(404);
    // Forged straight into the store: the extract still takes only asked persons.
    await t.p.deps.store.query(
      `INSERT INTO consents (project_id, person_lookup, person_sealed, consent_version, since)
       SELECT $1, person_lookup, person_sealed, '1.0', now() FROM users WHERE id = 'outsider'`,
      [project],
    );
    expect((await consentTo('never-consents', true)).status).toBe(200);
    expect((await consentTo('never-consents', false)).status).toBe(200);
    expect((await consentTo('citizen', true)).status).toBe(200);
    t.p.clock.advance(DAY);
    t.p.forgetTokens();
    await waitForCopies(t, project, 4);
    expect(await inCopy(4)).toEqual(['citizen', 'opted-out']);
  });

  it('makes the next version without a person who withdrew while an extract was running', async () => {
    const amended = await t.p.call('POST', `/api/projects/${project}/permit/amendments`, {
      as: 'admin2',
      body: { caseType: 'extra_order', reason: 'the same data once more' },
    });
    expect(amended.status).toBe(201);
    const deps = { ...t.p.deps, paths: platformPaths(t.p.dataDir) };
    // The extract reads the consents in force when it starts; the withdrawal commits while it runs.
    let withdrawal: ReturnType<typeof consentTo> | undefined;
    const made = await makeCopy(deps, amended.body, () => {
      withdrawal ??= consentTo('citizen', false);
    });
    expect(made).toEqual({ made: true, copyVersion: 5, personCount: 2, reason: 'permit_changed' });
    expect((await withdrawal!).status).toBe(200);
    expect(await inCopy(5)).toEqual(['citizen', 'opted-out']);
    await waitForCopies(t, project, 6);
    expect(await inCopy(6)).toEqual(['opted-out']);
  });

  it('lets only a linked citizen consent, and only to a project that asked them', async () => {
    expect((await t.p.call('PUT', `/api/citizen/consents/${project}`, { as: 'lead', body: { consent: true } })).status).toBe(403);
    expect((await t.p.call('PUT', '/api/citizen/consents/prj_nosuch', { as: 'citizen', body: { consent: true } })).status).toBe(404);
    expect((await t.p.call('PUT', `/api/citizen/consents/${project}`, { as: 'citizen', body: { consent: 'yes' } })).status).toBe(400);
  });
});
