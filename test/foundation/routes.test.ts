import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
let projectId: string;
let permitId: string;

beforeAll(async () => {
  p = await startTestPlatform();
  const projects = await p.call('GET', '/api/projects', { as: 'lead' });
  projectId = projects.body[0].id;
  permitId = (await p.call('GET', `/api/projects/${projectId}`, { as: 'lead' })).body.permit.id;
  // A researcher who is in no project.
  const created = await p.call('POST', '/api/users', {
    as: 'operator',
    body: { id: 'outsider', displayName: 'Otto Outsider', roles: ['researcher', 'project_lead'], password: 'outsider-password-1' },
  });
  expect(created.status).toBe(201);
  p.passwords.set('outsider', 'outsider-password-1');
});
afterAll(() => p?.stop());

const newApplication = () => ({
  kind: 'new',
  project: {
    title: 'Statin use after stroke',
    purpose: 'Adherence to statins after a first stroke.',
    dataControllers: ['NIPH'],
    legalBasis: 'hrl-19',
    ethicsRef: 'REK 2026/999',
    period: { from: '2018-01-01', to: '2027-12-31' },
  },
  datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
  period: { from: '2018-01-01', to: '2025-12-31' },
  cohort: { birthYearFrom: 1940 },
  linkage: false,
  members: [],
});

/** Every endpoint that needs a login, with a valid call: without credentials each must answer 401 as problem+json. */
const protectedCalls = (): [string, string, unknown?][] => [
  ['POST', '/api/auth/logout'],
  ['GET', '/api/me'],
  ['GET', '/api/me/tokens'],
  ['POST', '/api/me/tokens', { name: 'x' }],
  ['DELETE', '/api/me/tokens/tok_000000000000'],
  ['GET', '/api/users'],
  ['POST', '/api/users', { id: 'someone', displayName: 'S', roles: ['researcher'], password: 'long-enough-password' }],
  ['GET', '/api/users/lead'],
  ['PATCH', '/api/users/lead', { displayName: 'L' }],
  ['POST', '/api/users/lead/totp'],
  ['GET', '/api/projects'],
  ['GET', `/api/projects/${projectId}`],
  ['POST', `/api/projects/${projectId}/members`, { userId: 'outsider', role: 'researcher' }],
  ['DELETE', `/api/projects/${projectId}/members/researcher`],
  ['GET', `/api/projects/${projectId}/permits`],
  ['GET', `/api/permits/${permitId}`],
  ['POST', '/api/permits', { applicationId: 'app_00000000', expiresAt: '2030-01-01T00:00:00Z' }],
  ['POST', `/api/projects/${projectId}/permit/amendments`, { caseType: 'extra_order', reason: 'more' }],
  ['GET', '/api/applications'],
  ['POST', '/api/applications', newApplication()],
  ['GET', '/api/applications/app_00000000'],
  ['POST', '/api/applications/app_00000000/decision', { decision: 'approve', reason: 'fine' }],
];

describe('authentication', () => {
  it('401 when not logged in, on every protected endpoint', async () => {
    for (const [method, path, body] of protectedCalls()) {
      const res = await p.call(method, path, { body });
      expect({ method, path, status: res.status, type: res.headers.get('content-type') }).toEqual({
        method,
        path,
        status: 401,
        type: 'application/problem+json; charset=utf-8',
      });
      expect(res.body.reason).toBe('not_authenticated');
    }
  });

  it('401 with a revoked token', async () => {
    const t = await p.call('POST', '/api/me/tokens', { as: 'researcher', body: { name: 'temp' } });
    expect(t.status).toBe(201);
    const ok = await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${t.body.token}` } });
    expect(ok.status).toBe(200);
    expect((await p.call('DELETE', `/api/me/tokens/${t.body.id}`, { as: 'researcher' })).status).toBe(204);
    expect((await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${t.body.token}` } })).status).toBe(401);
  });

  it('401 with an expired token', async () => {
    const t = await p.call('POST', '/api/me/tokens', { as: 'researcher', body: { name: 'short', ttlDays: 1 } });
    p.clock.advance(2 * 86_400_000);
    try {
      expect((await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${t.body.token}` } })).status).toBe(401);
    } finally {
      p.clock.advance(-2 * 86_400_000);
    }
  });

  it('lists my tokens without their secrets', async () => {
    const res = await p.call('GET', '/api/me/tokens', { as: 'researcher' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThan(0);
    expect(Object.keys(res.body[0]).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt']);
  });

  it('400 naming the field when the login body is malformed', async () => {
    const res = await p.call('POST', '/api/auth/token', { body: { username: 'lead' } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('password');
  });

  it('400 when the body is not JSON', async () => {
    const res = await fetch(`${p.url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { reason: string }).reason).toBe('malformed_request');
  });

  it('429 after five failed logins for one user, and the failures are audited', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await p.call('POST', '/api/auth/token', { body: { username: 'auditor', password: 'wrong' } })).status).toBe(401);
    }
    const limited = await p.call('POST', '/api/auth/token', { body: { username: 'auditor', password: 'demo' } });
    expect(limited.status).toBe(429);
    expect(limited.body.reason).toBe('login_rate_limited');
    const rows = await p.deps.store.query<{ outcome: string; reason: string }>(
      `SELECT outcome, reason FROM audit_log WHERE action = 'auth.token' AND object = 'user:auditor' AND outcome <> 'initiated' ORDER BY seq`,
    );
    expect(rows.map((r) => r.outcome)).toEqual(['denied', 'denied', 'denied', 'denied', 'denied', 'denied']);
    p.clock.advance(16 * 60_000);
    expect((await p.call('POST', '/api/auth/token', { body: { username: 'auditor', password: 'demo' } })).status).toBe(201);
  });
});

describe('whoami and users', () => {
  it('200 /api/me with roles and memberships', async () => {
    const res = await p.call('GET', '/api/me', { as: 'lead' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'lead', roles: ['project_lead', 'researcher'], memberships: [{ projectId, role: 'lead' }] });
  });

  it('403 when a researcher lists, reads, creates or changes users', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/users'],
      ['GET', '/api/users/lead'],
      ['PATCH', '/api/users/lead', { displayName: 'x' }],
      ['POST', '/api/users/lead/totp'],
      ['POST', '/api/users', { id: 'someone', displayName: 'S', roles: ['researcher'], password: 'long-enough-password' }],
    ] as [string, string, unknown?][]) {
      const res = await p.call(method, path, { as: 'researcher', body });
      expect([path, res.status, res.body.reason]).toEqual([path, 403, 'wrong_role']);
    }
  });

  it('platform admin creates a privileged user with a TOTP enrolment URI, updates and reads users', async () => {
    const created = await p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'admin3', displayName: 'Third Admin', roles: ['access_admin'], password: 'a-long-password-3' },
    });
    expect(created.status).toBe(201);
    expect(created.body.totpUri).toMatch(/^otpauth:\/\/totp\/Analyserom:admin3\?/);
    const updated = await p.call('PATCH', '/api/users/admin3', { as: 'operator', body: { displayName: 'Admin Three' } });
    expect(updated.body).toMatchObject({ id: 'admin3', displayName: 'Admin Three', roles: ['access_admin'], hasTotp: true });
    expect((await p.call('GET', '/api/users/admin3', { as: 'operator' })).body.displayName).toBe('Admin Three');
    expect((await p.call('GET', '/api/users', { as: 'operator' })).body.map((u: { id: string }) => u.id)).toContain('admin3');
    const reset = await p.call('POST', '/api/users/admin3/totp', { as: 'operator' });
    expect(reset.status).toBe(201);
    expect(reset.body.totpUri).toMatch(/^otpauth:/);
  });

  it('400 naming the field for a malformed user', async () => {
    const bad = await p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'Bad Name', displayName: 'x', roles: ['researcher'], password: 'long-enough-password' },
    });
    expect([bad.status, bad.body.field]).toEqual([400, 'id']);
    const shortPw = await p.call('POST', '/api/users', { as: 'operator', body: { id: 'shorty', displayName: 'x', roles: ['researcher'], password: 'short' } });
    expect([shortPw.status, shortPw.body.field]).toEqual([400, 'password']);
    const role = await p.call('PATCH', '/api/users/lead', { as: 'operator', body: { roles: ['king'] } });
    expect([role.status, role.body.field]).toEqual([400, 'roles.0']);
  });

  it('409 when the user exists', async () => {
    const dup = await p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'lead', displayName: 'x', roles: ['researcher'], password: 'long-enough-password' },
    });
    expect([dup.status, dup.body.reason]).toEqual([409, 'user_exists']);
  });

  it('disabling a user ends their tokens', async () => {
    await p.call('POST', '/api/users', { as: 'operator', body: { id: 'leaver', displayName: 'L', roles: ['researcher'], password: 'leaver-password-1' } });
    const login = await p.call('POST', '/api/auth/token', { body: { username: 'leaver', password: 'leaver-password-1' } });
    expect((await p.call('PATCH', '/api/users/leaver', { as: 'operator', body: { disabled: true } })).status).toBe(200);
    expect((await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${login.body.token}` } })).status).toBe(401);
    expect((await p.call('POST', '/api/auth/token', { body: { username: 'leaver', password: 'leaver-password-1' } })).status).toBe(401);
  });
});

describe('projects', () => {
  it('200 lists only my projects; oversight roles see all', async () => {
    expect((await p.call('GET', '/api/projects', { as: 'researcher' })).body.map((x: { id: string }) => x.id)).toEqual([projectId]);
    expect((await p.call('GET', '/api/projects', { as: 'outsider' })).body).toEqual([]);
    expect((await p.call('GET', '/api/projects', { as: 'auditor' })).body.map((x: { id: string }) => x.id)).toContain(projectId);
  });

  it('200 shows a project with members and permit to a member', async () => {
    const res = await p.call('GET', `/api/projects/${projectId}`, { as: 'researcher' });
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
      ['lead', 'lead'],
      ['researcher', 'researcher'],
    ]);
    expect(res.body.permit).toMatchObject({ id: permitId, version: 1, authorisedPersons: ['lead', 'researcher'], linkageAllowed: true, optOutHonoured: true });
  });

  it('403 when not a member', async () => {
    for (const path of [`/api/projects/${projectId}`, `/api/projects/${projectId}/permits`, `/api/permits/${permitId}`]) {
      const res = await p.call('GET', path, { as: 'outsider' });
      expect([path, res.status, res.body.reason]).toEqual([path, 403, 'not_a_member']);
    }
  });

  it('400 naming the field for a malformed project id, 404 for an unknown one', async () => {
    const bad = await p.call('GET', '/api/projects/nope', { as: 'auditor' });
    expect([bad.status, bad.body.field]).toEqual([400, 'projectId']);
    expect((await p.call('GET', '/api/projects/prj_doesnotexist', { as: 'auditor' })).status).toBe(404);
  });

  it('lead adds and removes a member; a researcher may not', async () => {
    expect((await p.call('POST', `/api/projects/${projectId}/members`, { as: 'researcher', body: { userId: 'outsider', role: 'researcher' } })).status).toBe(
      403,
    );
    const bad = await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: 'outsider', role: 'owner' } });
    expect([bad.status, bad.body.field]).toEqual([400, 'role']);
    const added = await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: 'outsider', role: 'researcher' } });
    expect(added.status).toBe(201);
    expect(added.body.members.map((m: { userId: string }) => m.userId)).toContain('outsider');
    expect((await p.call('DELETE', `/api/projects/${projectId}/members/outsider`, { as: 'researcher' })).status).toBe(403);
    expect((await p.call('DELETE', `/api/projects/${projectId}/members/outsider`, { as: 'lead' })).status).toBe(204);
  });

  it('200 lists permit versions and reads one permit', async () => {
    const versions = await p.call('GET', `/api/projects/${projectId}/permits`, { as: 'lead' });
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([1]);
    const one = await p.call('GET', `/api/permits/${permitId}?version=1`, { as: 'admin2' });
    expect(one.body).toMatchObject({ id: permitId, version: 1, projectId });
    const bad = await p.call('GET', `/api/permits/${permitId}?version=zero`, { as: 'admin2' });
    expect([bad.status, bad.body.field]).toEqual([400, 'version']);
  });
});

describe('applications and permits', () => {
  it('lead applies, a member cannot decide, an administrator decides and issues; the permit is immutable', async () => {
    const submitted = await p.call('POST', '/api/applications', { as: 'outsider', body: newApplication() });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ kind: 'new', status: 'submitted', submittedBy: 'outsider' });
    const appId = submitted.body.id;
    expect((await p.call('GET', `/api/applications/${appId}`, { as: 'outsider' })).status).toBe(200);
    expect((await p.call('GET', `/api/applications/${appId}`, { as: 'researcher' })).status).toBe(403);
    expect((await p.call('GET', '/api/applications?status=submitted', { as: 'admin1' })).body.map((a: { id: string }) => a.id)).toContain(appId);
    expect((await p.call('GET', '/api/applications', { as: 'lead' })).body.map((a: { id: string }) => a.id)).not.toContain(appId);

    expect((await p.call('POST', `/api/applications/${appId}/decision`, { as: 'outsider', body: { decision: 'approve', reason: 'mine' } })).status).toBe(403);
    const noReason = await p.call('POST', `/api/applications/${appId}/decision`, { as: 'admin1', body: { decision: 'approve' } });
    expect([noReason.status, noReason.body.field]).toEqual([400, 'reason']);
    const early = await p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: appId, expiresAt: '2027-12-31T00:00:00Z' } });
    expect([early.status, early.body.reason]).toEqual([409, 'not_approved']);
    const decided = await p.call('POST', `/api/applications/${appId}/decision`, {
      as: 'admin1',
      body: { decision: 'approve', reason: 'Legal basis and REK in order.' },
    });
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'admin1', decisionReason: 'Legal basis and REK in order.' });
    expect((await p.call('POST', `/api/applications/${appId}/decision`, { as: 'admin2', body: { decision: 'reject', reason: 'again' } })).status).toBe(409);

    expect((await p.call('POST', '/api/permits', { as: 'outsider', body: { applicationId: appId, expiresAt: '2027-12-31T00:00:00Z' } })).status).toBe(403);
    const badExpiry = await p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: appId, expiresAt: 'soon' } });
    expect([badExpiry.status, badExpiry.body.field]).toEqual([400, 'expiresAt']);
    const permit = await p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: appId, expiresAt: '2027-12-31T00:00:00Z' } });
    expect(permit.status).toBe(201);
    expect(permit.body).toMatchObject({
      version: 1,
      projectId: submitted.body.projectId,
      legalBasis: 'hrl-19',
      optOutHonoured: false,
      authorisedPersons: ['outsider'],
    });
    await expect(p.deps.store.query('UPDATE permits SET reason = $1 WHERE id = $2', ['edited', permit.body.id])).rejects.toThrow(/append-only/);
  });

  it('403 when a researcher applies; 400 naming the field for a malformed application', async () => {
    expect((await p.call('POST', '/api/applications', { as: 'researcher', body: newApplication() })).status).toBe(403);
    const app = newApplication();
    app.period = { from: '2020-01-01', to: '2019-01-01' };
    const bad = await p.call('POST', '/api/applications', { as: 'lead', body: app });
    expect([bad.status, bad.body.field]).toEqual([400, 'period.to']);
    const noDatasets = await p.call('POST', '/api/applications', { as: 'lead', body: { ...newApplication(), datasets: [] } });
    expect([noDatasets.status, noDatasets.body.field]).toEqual([400, 'datasets']);
  });

  it('amendments make new versions and keep the old ones', async () => {
    const amended = await p.call('POST', `/api/projects/${projectId}/permit/amendments`, {
      as: 'admin2',
      body: {
        caseType: 'extra_order',
        reason: 'Cause of death added.',
        datasets: [{ dataset: 'cause_of_death', variables: ['death_date', 'underlying_cause'] }],
        // One dataset left: nothing to link (application-checks.ts refuses linkage over one).
        linkageAllowed: false,
      },
    });
    expect(amended.status).toBe(201);
    expect(amended.body).toMatchObject({ id: permitId, version: 2, caseType: 'extra_order' });
    const versions = await p.call('GET', `/api/projects/${projectId}/permits`, { as: 'lead' });
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions.body[0].datasets).toHaveLength(3);
    expect(
      (await p.call('POST', `/api/projects/${projectId}/permit/amendments`, { as: 'lead', body: { caseType: 'extra_order', reason: 'mine' } })).status,
    ).toBe(403);
    const bad = await p.call('POST', `/api/projects/${projectId}/permit/amendments`, { as: 'admin2', body: { caseType: 'whatever', reason: 'x y z' } });
    expect([bad.status, bad.body.field]).toEqual([400, 'caseType']);
  });

  it('a lead asks for an amendment through an application', async () => {
    const res = await p.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'amendment',
        caseType: 'new_period',
        projectId,
        justification: 'Follow-up extended by a year.',
        datasets: [{ dataset: 'population', variables: ['sex'] }],
        period: { from: '2015-01-01', to: '2026-12-31' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'amendment', projectId, caseType: 'new_period' });
    const notLead = await p.call('POST', '/api/applications', {
      as: 'outsider',
      body: {
        kind: 'amendment',
        caseType: 'new_period',
        projectId,
        justification: 'not mine',
        datasets: [{ dataset: 'population', variables: ['sex'] }],
        period: { from: '2015-01-01', to: '2026-12-31' },
      },
    });
    expect([notLead.status, notLead.body.reason]).toEqual([403, 'not_project_lead']);
  });
});

describe('permit expiry', () => {
  it('refuses what opens the project after the permit expired', async () => {
    const permit = (await p.call('GET', `/api/projects/${projectId}`, { as: 'lead' })).body.permit;
    const before = p.clock.now();
    p.clock.set(new Date(new Date(permit.expiresAt).getTime() + 1000));
    p.forgetTokens();
    try {
      const res = await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: 'outsider', role: 'researcher' } });
      expect([res.status, res.body.reason]).toEqual([403, 'permit_expired']);
    } finally {
      p.clock.set(before);
      p.forgetTokens();
    }
  });
});

describe('audit path', () => {
  it('records reads, changes (before and after) and denials with request id and client address', async () => {
    const res = await p.call('GET', `/api/projects/${projectId}`, { as: 'researcher' });
    const rid = res.headers.get('x-request-id');
    const rows = await p.deps.store.query('SELECT actor, role, action, object, project_id, outcome, client_address FROM audit_log WHERE request_id = $1', [
      rid,
    ]);
    expect(rows).toEqual([
      {
        actor: 'researcher',
        role: 'researcher',
        action: 'project.read',
        object: `project:${projectId}`,
        project_id: projectId,
        outcome: 'success',
        client_address: '127.0.0.1',
      },
    ]);

    const change = await p.call('POST', '/api/me/tokens', { as: 'researcher', body: { name: 'audited' } });
    const changeRows = await p.deps.store.query<{ outcome: string }>('SELECT outcome FROM audit_log WHERE request_id = $1 ORDER BY seq', [
      change.headers.get('x-request-id'),
    ]);
    expect(changeRows.map((r) => r.outcome)).toEqual(['initiated', 'success']);

    const denied = await p.call('GET', `/api/projects/${projectId}`, { as: 'outsider' });
    const deniedRows = await p.deps.store.query('SELECT actor, outcome, reason FROM audit_log WHERE request_id = $1', [denied.headers.get('x-request-id')]);
    expect(deniedRows).toEqual([{ actor: 'outsider', outcome: 'denied', reason: 'you are not a member of this project' }]);
  });

  it('refuses the request when the audit log cannot record it', async () => {
    await p.deps.store.query('ALTER TABLE audit_log RENAME TO audit_log_away');
    try {
      const res = await p.call('GET', `/api/projects/${projectId}`, { as: 'researcher' });
      expect([res.status, res.body.reason]).toEqual([503, 'audit_unavailable']);
      expect(JSON.stringify(res.body)).not.toContain('Diabetes');
    } finally {
      await p.deps.store.query('ALTER TABLE audit_log_away RENAME TO audit_log');
    }
  });

  it('serves an OpenAPI document generated from the routes', async () => {
    const res = await p.call('GET', '/api/openapi.json');
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/api/projects/{projectId}'].get['x-audit-action']).toBe('project.read');
    expect(res.body.paths['/api/applications'].post.requestBody.content['application/json'].schema).toBeTruthy();
  });

  it('answers health and readiness', async () => {
    expect((await p.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await p.call('GET', '/readyz')).body).toEqual({ status: 'ready' });
  });
});

describe('public register', () => {
  it('lists every project granted data, without members or cohort, to anyone', async () => {
    const res = await p.call('GET', '/api/public/projects');
    expect(res.status).toBe(200);
    const demo = res.body.find((x: { id: string }) => x.id === projectId);
    expect(demo).toMatchObject({
      title: 'Diabetes medication and cardiovascular outcomes',
      legalBasis: 'hforsk-35',
      status: 'active',
      datasets: expect.arrayContaining(['patient_episodes', 'population', 'prescriptions']),
    });
    expect(Object.keys(demo).sort()).toEqual([
      'dataControllers',
      'datasets',
      'id',
      'legalBasis',
      'legalBasisLabel',
      'period',
      'permitExpiresAt',
      'permitIssuedAt',
      'purpose',
      'status',
      'title',
    ]);
    expect(res.body.every((x: { id: string }) => x.id !== undefined)).toBe(true);
  });
});
