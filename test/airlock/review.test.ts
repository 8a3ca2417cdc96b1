import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROSSTAB, SAFE_CSV, microdataCsv, startAirlock, validFnr, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function request(files: Array<{ path: string; description?: string; table?: unknown }>, as = 'researcher') {
  return t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
    as,
    body: { purpose: 'Table 1 of the paper', files: files.map((f) => ({ description: 'counts by group', ...f })) },
  });
}

describe('export review', () => {
  it('201 with files staged by sha256 and checks attached, waiting for two reviewers', async () => {
    t.output('researcher', 'table1.csv', SAFE_CSV);
    const res = await request([{ path: 'table1.csv' }]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'in_review',
      approvalsRequired: 2,
      checksStatus: 'pass',
      requestedBy: 'researcher',
      version: 1,
      files: [{ id: 'f1', name: 'table1.csv', contentType: 'csv', checkStatus: 'pass', sizeBytes: SAFE_CSV.length }],
      reviews: { sealed: true, required: 2, decided: [], mine: null },
    });
    expect(res.body.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.policy).toMatchObject({ profile: 'default', sources: ['policies/default.yaml'] });
  });

  it('403 when a project member reviews', async () => {
    t.output('researcher', 'm.csv', SAFE_CSV);
    const { body } = await request([{ path: 'm.csv' }]);
    const res = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'lead', body: { decision: 'approve' } });
    expect(res.status).toBe(403);
    expect(res.body.reason).toBe('wrong_role');
  });

  it('403 when an access administrator who is a member of the project reviews', async () => {
    const created = await t.p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'admin3', displayName: 'Member Admin', roles: ['access_admin', 'researcher'], password: 'a long password 3' },
    });
    expect(created.status).toBe(201);
    t.p.passwords.set('admin3', 'a long password 3');
    expect((await t.p.call('POST', `/api/projects/${t.projectId}/members`, { as: 'lead', body: { userId: 'admin3', role: 'researcher' } })).status).toBe(201);
    t.output('researcher', 'm3.csv', SAFE_CSV);
    const { body } = await request([{ path: 'm3.csv' }]);
    const res = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'admin3', body: { decision: 'approve' } });
    expect(res.status).toBe(403);
    expect(res.body.reason).toBe('member_of_project');
  });

  it('not released with one approval when two are required; the second reviewer does not see the first decision before deciding', async () => {
    t.output('researcher', 'two.csv', SAFE_CSV);
    const { body } = await request([{ path: 'two.csv' }]);
    const first = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'admin1', body: { decision: 'approve', reason: 'fine' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'in_review', decided: false });
    const seenBySecond = await t.p.call('GET', `/api/exports/${body.id}`, { as: 'admin2' });
    expect(seenBySecond.body.reviews).toEqual({
      sealed: true,
      required: 2,
      mine: null,
      decided: [{ reviewer: 'admin1', decided: true, decidedAt: expect.any(String) }],
    });
    expect(JSON.stringify(seenBySecond.body)).not.toContain('fine');
    const download = await t.p.call('GET', `/api/exports/${body.id}/files/f1/download`, { as: 'researcher' });
    expect(download.status).toBe(403);
    expect(download.body.reason).toBe('not_approved');
    const again = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'admin1', body: { decision: 'approve' } });
    expect(again.status).toBe(409);
    const second = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'admin2', body: { decision: 'approve' } });
    expect(second.body).toMatchObject({ status: 'approved', decided: true });
    expect(second.body.detail.reviews).toMatchObject({
      sealed: false,
      reviews: [
        { reviewer: 'admin1', decision: 'approve', reason: 'fine' },
        { reviewer: 'admin2', decision: 'approve', reason: null },
      ],
    });
  });

  it('400 without a reason to reject, to return, or to approve over a failed check', async () => {
    t.output('researcher', 'micro.csv', microdataCsv());
    t.output('researcher', 'crosstab.csv', SAFE_CSV);
    const { body } = await request([{ path: 'crosstab.csv', table: { source: { output: 'micro.csv' }, spec: CROSSTAB } }]);
    expect(body.checksStatus).toBe('fail');
    // The requester outside the room gets the verdict; the reviewer the failing cells.
    expect(body.files[0].checks.table.withheld).toMatchObject({ reason: 'table_only_in_room', findings: { threshold: 2 } });
    const table = (await t.p.call('GET', `/api/exports/${body.id}`, { as: 'admin1' })).body.files[0].checks.table;
    expect(table.rules.threshold).toContainEqual({ row: ['east'], col: ['f'] });
    expect(table.source).toMatchObject({ kind: 'output', file: 'micro.csv' });
    for (const decision of ['reject', 'return', 'approve']) {
      const res = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'admin1', body: { decision } });
      expect(res.status).toBe(400);
      expect(res.body.reason).toBe(decision === 'approve' ? 'reason_required_over_failed_check' : 'reason_required');
    }
    const ok = await t.p.call('POST', `/api/exports/${body.id}/reviews`, {
      as: 'admin1',
      body: { decision: 'approve', reason: 'east is suppressed in the paper' },
    });
    expect(ok.status).toBe(201);
  });

  it('flags a file holding an 11-digit national identity number with valid check digits', async () => {
    const fnr = validFnr();
    t.output('researcher', 'notes.txt', `patients of interest:\n  ${fnr} had two episodes\n`);
    const { body } = await request([{ path: 'notes.txt' }]);
    expect(body.checksStatus).toBe('fail');
    expect(body.files[0].checkStatus).toBe('fail');
    expect(body.files[0].checks.file.findings).toEqual([{ check: 'national-id', line: 2 }]);
    const reviewed = (await t.p.call('GET', `/api/exports/${body.id}`, { as: 'admin1' })).body;
    expect(reviewed.files[0].checks.file.findings).toEqual([{ check: 'national-id', line: 2, value: `${fnr.slice(0, 6)}*****` }]);
    expect(JSON.stringify(body)).not.toContain(fnr);
    expect(JSON.stringify(reviewed)).not.toContain(fnr);
  });

  it('flags an identity number in a comma-separated CSV field', async () => {
    const fnr = validFnr('010203');
    t.output('researcher', 'list.csv', `row,id,age\n1,${fnr},40\n`);
    const { body } = await request([{ path: 'list.csv' }]);
    expect(body.files[0]).toMatchObject({ contentType: 'csv', checkStatus: 'fail' });
    expect(body.files[0].checks.file.findings).toContainEqual({ check: 'national-id', line: 2 });
    const reviewed = (await t.p.call('GET', `/api/exports/${body.id}`, { as: 'admin1' })).body;
    expect(reviewed.files[0].checks.file.findings).toContainEqual({ check: 'national-id', line: 2, value: '010203*****' });
  });

  it('return for changes and resubmission keep the history of both versions', async () => {
    t.output('researcher', 'r.csv', SAFE_CSV);
    const { body: v1 } = await request([{ path: 'r.csv' }]);
    await t.p.call('POST', `/api/exports/${v1.id}/reviews`, { as: 'admin1', body: { decision: 'return', reason: 'label the groups' } });
    const decided = await t.p.call('POST', `/api/exports/${v1.id}/reviews`, { as: 'admin2', body: { decision: 'approve' } });
    expect(decided.body.status).toBe('returned');
    t.output('researcher', 'r.csv', 'group,count\nAdults,120\nChildren,340\n');
    const notMine = await t.p.call('POST', `/api/exports/${v1.id}/resubmit`, { as: 'lead', body: { files: [{ path: 'r.csv', description: 'x' }] } });
    expect(notMine.status).toBe(403);
    const v2 = await t.p.call('POST', `/api/exports/${v1.id}/resubmit`, {
      as: 'researcher',
      body: { files: [{ path: 'r.csv', description: 'labelled groups' }] },
    });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: 2, previousId: v1.id, status: 'in_review', purpose: 'Table 1 of the paper', versions: [v1.id] });
    const old = await t.p.call('GET', `/api/exports/${v1.id}`, { as: 'researcher' });
    expect(old.body).toMatchObject({ status: 'returned', nextId: v2.body.id });
    expect(old.body.events.map((e: { event: string }) => e.event)).toEqual(['requested', 'reviewed', 'reviewed', 'returned', 'superseded']);
    expect(old.body.reviews.reviews[0]).toMatchObject({ reviewer: 'admin1', decision: 'return', reason: 'label the groups' });
    expect(old.body.files[0].sha256).not.toBe(v2.body.files[0].sha256);
    const twice = await t.p.call('POST', `/api/exports/${v1.id}/resubmit`, { as: 'researcher', body: { files: [{ path: 'r.csv', description: 'y' }] } });
    expect(twice.status).toBe(409);
  });

  it('withdrawal by the requester keeps the request and ends its review', async () => {
    t.output('researcher', 'w.csv', SAFE_CSV);
    const { body } = await request([{ path: 'w.csv' }]);
    expect((await t.p.call('POST', `/api/exports/${body.id}/withdraw`, { as: 'lead', body: {} })).status).toBe(403);
    const res = await t.p.call('POST', `/api/exports/${body.id}/withdraw`, { as: 'researcher', body: { reason: 'wrong file' } });
    expect(res.body).toMatchObject({ status: 'withdrawn' });
    expect(res.body.events.at(-1)).toMatchObject({ event: 'withdrawn', reason: 'wrong file', actor: 'researcher' });
    const review = await t.p.call('POST', `/api/exports/${body.id}/reviews`, { as: 'admin1', body: { decision: 'approve' } });
    expect(review.status).toBe(409);
  });

  it('the review queue lists requests in review for administrators only', async () => {
    const queue = await t.p.call('GET', '/api/exports?status=in_review', { as: 'admin2' });
    expect(queue.status).toBe(200);
    expect(queue.body.length).toBeGreaterThan(0);
    expect(queue.body.every((r: { status: string }) => r.status === 'in_review')).toBe(true);
    expect((await t.p.call('GET', '/api/exports', { as: 'researcher' })).status).toBe(403);
  });
});
