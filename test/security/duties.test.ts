/**
 * Separation of duties, tried as an access administrator who wants to decide about their own
 * access: named in an application, a former member deciding an amendment, a member at request
 * time reviewing after being removed. Real platform, real PostgreSQL, real airlock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let p: TestPlatform;
let projectId: string;

async function newAdmin(id: string): Promise<void> {
  const res = await p.call('POST', '/api/users', {
    as: 'operator',
    body: { id, displayName: id, roles: ['access_admin', 'researcher'], password: `${id}-long-password` },
  });
  expect(res.status).toBe(201);
  p.passwords.set(id, `${id}-long-password`);
}

const application = (members: { userId: string; role: string }[]) => ({
  kind: 'new',
  project: {
    title: 'Self-approval attempt',
    purpose: 'An application that names its decider.',
    dataControllers: ['NIPH'],
    legalBasis: 'hrl-19',
    period: { from: '2018-01-01', to: '2027-12-31' },
  },
  datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
  period: { from: '2018-01-01', to: '2025-12-31' },
  members,
});

async function formerMember(id: string): Promise<void> {
  await newAdmin(id);
  expect((await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: id, role: 'researcher' } })).status).toBe(201);
  expect((await p.call('DELETE', `/api/projects/${projectId}/members/${id}`, { as: 'lead' })).status).toBe(204);
}

beforeAll(async () => {
  p = await startTestPlatform();
  projectId = (await p.call('GET', '/api/projects', { as: 'lead' })).body[0].id;
});
afterAll(() => p?.stop());

describe('no one decides about their own access', () => {
  it('403 named_in_application when an administrator named as a member decides or issues; nothing changes', async () => {
    await newAdmin('named-admin');
    const app = await p.call('POST', '/api/applications', { as: 'lead', body: application([{ userId: 'named-admin', role: 'researcher' }]) });
    expect(app.status).toBe(201);
    const decide = await p.call('POST', `/api/applications/${app.body.id}/decision`, {
      as: 'named-admin',
      body: { decision: 'approve', reason: 'looks fine to me' },
    });
    expect([decide.status, decide.body.reason]).toEqual([403, 'named_in_application']);
    expect((await p.call('GET', `/api/applications/${app.body.id}`, { as: 'admin1' })).body.status).toBe('submitted');

    expect(
      (await p.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'in order' } })).status,
    ).toBe(200);
    const issue = await p.call('POST', '/api/permits', { as: 'named-admin', body: { applicationId: app.body.id, expiresAt: '2027-12-31T00:00:00Z' } });
    expect([issue.status, issue.body.reason]).toEqual([403, 'named_in_application']);
    expect((await p.call('GET', `/api/projects/${app.body.projectId}/permits`, { as: 'admin1' })).body).toEqual([]);
    // An independent administrator still can.
    const ok = await p.call('POST', '/api/permits', { as: 'admin2', body: { applicationId: app.body.id, expiresAt: '2027-12-31T00:00:00Z' } });
    expect([ok.status, ok.body.authorisedPersons]).toEqual([201, ['lead', 'named-admin']]);
  });

  it('403 member_of_project when a former member amends the permit or decides an amendment application', async () => {
    await formerMember('former-admin');
    const amend = await p.call('POST', `/api/projects/${projectId}/permit/amendments`, {
      as: 'former-admin',
      body: { caseType: 'extra_order', reason: 'I left, so I may decide', datasets: [{ dataset: 'cause_of_death', variables: ['sex'] }] },
    });
    expect([amend.status, amend.body.reason]).toEqual([403, 'member_of_project']);
    const asked = await p.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'amendment',
        caseType: 'new_period',
        projectId,
        justification: 'One more year.',
        datasets: [{ dataset: 'population', variables: ['sex'] }],
        period: { from: '2015-01-01', to: '2026-12-31' },
      },
    });
    expect(asked.status).toBe(201);
    const decide = await p.call('POST', `/api/applications/${asked.body.id}/decision`, { as: 'former-admin', body: { decision: 'approve', reason: 'fine' } });
    expect([decide.status, decide.body.reason]).toEqual([403, 'member_of_project']);
    const close = await p.call('POST', `/api/projects/${projectId}/close`, { as: 'former-admin', body: { reason: 'my own project' } });
    expect(close.status).toBe(403);
  });

  it('403 named_in_application when an administrator amends the permit to authorise themselves', async () => {
    const res = await p.call('POST', `/api/projects/${projectId}/permit/amendments`, {
      as: 'admin2',
      body: { caseType: 'project_change', reason: 'add me', authorisedPersons: ['lead', 'researcher', 'admin2'] },
    });
    expect([res.status, res.body.reason]).toEqual([403, 'named_in_application']);
    expect((await p.call('GET', `/api/projects/${projectId}`, { as: 'lead' })).body.permit.authorisedPersons).toEqual(['lead', 'researcher']);
  });

  it('403 member_of_project when an administrator who was a member at request time reviews an export or an import after leaving', async () => {
    await newAdmin('was-member');
    expect((await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: 'was-member', role: 'researcher' } })).status).toBe(201);
    const outputs = platformPaths(p.dataDir).outputs(projectId, 'researcher');
    mkdirSync(outputs, { recursive: true });
    writeFileSync(join(outputs, 'duties.csv'), 'group,count\nA,120\nB,340\n');
    const exp = await p.call('POST', `/api/projects/${projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'paper', files: [{ path: 'duties.csv', description: 'counts' }] },
    });
    expect(exp.status).toBe(201);
    const imp = await p.call('POST', `/api/projects/${projectId}/imports`, { as: 'researcher', body: { purpose: 'code' } });
    expect(imp.status).toBe(201);
    const up = await fetch(`${p.url}/api/imports/${imp.body.id}/files/analysis.R`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await p.token('researcher')}`, 'content-type': 'application/octet-stream' },
      body: 'x <- 1\n',
    });
    expect(up.status).toBe(201);
    expect((await p.call('POST', `/api/imports/${imp.body.id}/submit`, { as: 'researcher' })).status).toBe(200);

    expect((await p.call('DELETE', `/api/projects/${projectId}/members/was-member`, { as: 'lead' })).status).toBe(204);
    const review = await p.call('POST', `/api/exports/${exp.body.id}/reviews`, { as: 'was-member', body: { decision: 'approve' } });
    expect([review.status, review.body.reason]).toEqual([403, 'member_of_project']);
    const importReview = await p.call('POST', `/api/imports/${imp.body.id}/reviews`, { as: 'was-member', body: { decision: 'approve' } });
    expect([importReview.status, importReview.body.reason]).toEqual([403, 'member_of_project']);
    expect((await p.call('GET', `/api/imports/${imp.body.id}`, { as: 'admin1' })).body.status).toBe('in_review');
    // Independent reviewers still decide.
    expect((await p.call('POST', `/api/imports/${imp.body.id}/reviews`, { as: 'admin1', body: { decision: 'approve' } })).status).toBe(201);
  });

  it('403 own_roles when a platform admin grants themselves a role; granting it to someone else works', async () => {
    const self = await p.call('PATCH', '/api/users/operator', { as: 'operator', body: { roles: ['platform_admin', 'access_admin'] } });
    expect([self.status, self.body.reason]).toEqual([403, 'own_roles']);
    expect((await p.call('GET', '/api/users/operator', { as: 'operator' })).body.roles).toEqual(['platform_admin']);
    const other = await p.call('PATCH', '/api/users/auditor', { as: 'operator', body: { roles: ['auditor', 'researcher'] } });
    expect([other.status, other.body.roles]).toEqual([200, ['auditor', 'researcher']]);
  });

  it('keeps the membership history append-only, written for every change of the members table', async () => {
    const rows = await p.deps.store.query<{ change: string }>(
      `SELECT change FROM project_member_events WHERE project_id = $1 AND user_id = 'was-member' ORDER BY seq`,
      [projectId],
    );
    expect(rows.map((r) => r.change)).toEqual(['joined', 'left']);
    await expect(p.deps.store.query(`DELETE FROM project_member_events WHERE user_id = 'was-member'`)).rejects.toThrow(/append-only/);
  });
});

describe('a project always keeps independent deciders', () => {
  it('403 no_independent_deciders_left when a lead would make all but one access administrator a member', async () => {
    const independent = async () =>
      (
        await p.deps.store.query<{ id: string }>(
          `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'access_admin'
        WHERE NOT u.disabled AND u.id NOT IN (SELECT user_id FROM project_member_events WHERE project_id = $1)
        ORDER BY u.id`,
          [projectId],
        )
      ).map((r) => r.id);
    const all = await independent();
    expect(all.length).toBeGreaterThan(2);
    for (const id of all.slice(0, -2)) {
      expect((await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: id, role: 'researcher' } })).status).toBe(201);
    }
    const last = all.at(-1)!;
    const res = await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: last, role: 'researcher' } });
    expect([res.status, res.body.reason]).toEqual([403, 'no_independent_deciders_left']);
    expect(await independent()).toEqual(all.slice(-2));
    // Someone without the role is still added.
    expect((await p.call('POST', `/api/projects/${projectId}/members`, { as: 'lead', body: { userId: 'citizen', role: 'researcher' } })).status).toBe(201);
  });
});
