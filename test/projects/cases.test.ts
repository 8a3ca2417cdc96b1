/**
 * The case as a dialogue and the case flow, against a real platform: pre-screening, requests for
 * information that pause the case and move its due date by exactly the time waited (the
 * platform's clock, moved by the test), messages, assignment to an independent handler,
 * attachments typed by their bytes, size-limited, hashed, immutable and audited, withdrawal,
 * and the history listing every step in order.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const DAY = 86_400_000;
const LIMIT = 64 * 1024;
let p: TestPlatform;
let demoProject: string;

const application = (title: string, caseType = 'one_off') => ({
  kind: 'new',
  caseType,
  project: {
    title,
    purpose: 'Statin use and later cardiovascular events.',
    dataControllers: ['NIPH'],
    legalBasis: 'hrl-19',
    period: { from: '2018-01-01', to: '2027-12-31' },
  },
  datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
  period: { from: '2018-01-01', to: '2025-12-31' },
});

async function submit(title: string, caseType?: string): Promise<{ id: string; projectId: string; dueAt: string; submittedAt: string }> {
  const res = await p.call('POST', '/api/applications', { as: 'lead', body: application(title, caseType) });
  expect(res.status).toBe(201);
  return res.body;
}

const step = (id: string, path: string, as: string, body: unknown) => p.call('POST', `/api/applications/${id}/${path}`, { as, body });

async function upload(id: string, as: string, bytes: Buffer, type = 'ethics_approval', filename = 'rek-approval.pdf') {
  const res = await fetch(`${p.url}/api/applications/${id}/attachments?${new URLSearchParams({ type, filename })}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await p.token(as)}`, 'content-type': 'application/octet-stream', accept: 'application/json' },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

beforeAll(async () => {
  p = await startTestPlatform({ cases: { attachmentMaxBytes: LIMIT } });
  demoProject = (await p.call('GET', '/api/projects', { as: 'lead' })).body[0].id;
});
afterAll(() => p?.stop());

describe('the case flow', () => {
  it('a request for information pauses the case and moves the due date by exactly the time waited; the history lists every step in order', async () => {
    const app = await submit('Dialogue study');
    const t0 = Date.parse(app.submittedAt);
    expect(Date.parse(app.dueAt)).toBe(t0 + 60 * DAY);

    expect((await step(app.id, 'assignment', 'admin1', { userId: 'admin2' })).body).toMatchObject({ assignedTo: 'admin2' });
    const returned = await step(app.id, 'prescreening', 'admin2', { outcome: 'incomplete', text: 'Attach the REK approval.' });
    expect(returned.body).toMatchObject({ status: 'awaiting_applicant', pausedMs: 0 });
    const blocked = await p.call('POST', `/api/applications/${app.id}/decision`, { as: 'admin2', body: { decision: 'approve', reason: 'fine' } });
    expect([blocked.status, blocked.body.reason]).toEqual([409, 'awaiting_applicant']);

    const firstWait = 3 * DAY + 5 * 3_600_000;
    p.clock.advance(firstWait);
    const answered = await step(app.id, 'info-answers', 'lead', { text: 'Attached, REK 2026/1234.' });
    expect(answered.body).toMatchObject({ status: 'submitted', pausedMs: firstWait });
    expect(Date.parse(answered.body.dueAt)).toBe(t0 + 60 * DAY + firstWait);

    expect((await step(app.id, 'prescreening', 'admin2', { outcome: 'complete' })).body.status).toBe('in_assessment');
    p.clock.advance(DAY);
    expect((await step(app.id, 'info-requests', 'admin2', { text: 'Why the ATC code at full length?' })).body.status).toBe('awaiting_applicant');
    p.clock.advance(2 * DAY);
    const second = await step(app.id, 'info-answers', 'lead', { text: 'To tell statins apart.' });
    expect(second.body).toMatchObject({ status: 'in_assessment', pausedMs: firstWait + 2 * DAY });
    expect(Date.parse(second.body.dueAt)).toBe(t0 + 60 * DAY + firstWait + 2 * DAY);

    expect((await step(app.id, 'messages', 'lead', { text: 'Anything else?' })).status).toBe(200);
    expect((await step(app.id, 'messages', 'admin2', { text: 'No, deciding now.' })).status).toBe(200);
    const decided = await p.call('POST', `/api/applications/${app.id}/decision`, {
      as: 'admin2',
      body: { decision: 'approve', reason: 'Complete, minimised, lawful.', legalReferences: ['helseregisterloven § 19 b', 'EHDS art. 68'] },
    });
    expect(decided.body).toMatchObject({ status: 'approved', decisionLegalReferences: ['helseregisterloven § 19 b', 'EHDS art. 68'], overdue: false });

    const kase = await p.call('GET', `/api/applications/${app.id}/case`, { as: 'lead' });
    expect(kase.status).toBe(200);
    expect(kase.body.history.map((e: { kind: string; actor: string }) => `${e.kind}:${e.actor}`)).toEqual([
      'submitted:lead',
      'assigned:admin1',
      'prescreen_returned:admin2',
      'info_requested:admin2',
      'info_provided:lead',
      'prescreen_passed:admin2',
      'info_requested:admin2',
      'info_provided:lead',
      'message:lead',
      'message:admin2',
      'decided:admin2',
    ]);
    expect(kase.body.history.at(-1).details).toEqual({
      decision: 'approve',
      reason: 'Complete, minimised, lawful.',
      legalReferences: ['helseregisterloven § 19 b', 'EHDS art. 68'],
    });
    expect(kase.body.history[4].details).toEqual({ text: 'Attached, REK 2026/1234.', pausedMs: firstWait });
    expect(kase.body.can).toEqual({ handle: false, answer: false, withdraw: false, write: true, attach: false });
    expect(kase.body.projectTitle).toBe('Dialogue study');
  });

  it('deciding an application still in pre-screening passes pre-screening first, as its own step', async () => {
    const app = await submit('Implicit pre-screening');
    const decided = await p.call('POST', `/api/applications/${app.id}/decision`, { as: 'admin1', body: { decision: 'reject', reason: 'Out of scope.' } });
    expect(decided.body).toMatchObject({ status: 'rejected', decisionLegalReferences: [] });
    const kase = await p.call('GET', `/api/applications/${app.id}/case`, { as: 'admin1' });
    expect(kase.body.history.map((e: { kind: string; details: unknown }) => [e.kind, e.details])).toEqual([
      ['submitted', {}],
      ['prescreen_passed', { implicit: true }],
      ['decided', { decision: 'reject', reason: 'Out of scope.', legalReferences: [] }],
    ]);
  });

  it('the due date follows the case type; a case past it is flagged overdue, unless it waits for the applicant', async () => {
    const quick = await submit('Extra order, short deadline', 'extra_order');
    expect(Date.parse(quick.dueAt) - Date.parse(quick.submittedAt)).toBe(20 * DAY);
    const paused = await submit('Extra order, waiting', 'extra_order');
    await step(paused.id, 'info-requests', 'admin1', { text: 'Which period exactly?' });
    p.clock.advance(21 * DAY);
    p.forgetTokens();
    const queue = (await p.call('GET', '/api/applications', { as: 'admin1' })).body as { id: string; overdue: boolean; status: string }[];
    expect(queue.find((a) => a.id === quick.id)).toMatchObject({ status: 'submitted', overdue: true });
    expect(queue.find((a) => a.id === paused.id)).toMatchObject({ status: 'awaiting_applicant', overdue: false });
    const answered = await step(paused.id, 'info-answers', 'lead', { text: '2020 to 2022.' });
    expect(answered.body).toMatchObject({ status: 'submitted', overdue: false, pausedMs: 21 * DAY });
  });
});

describe('the other side is told', () => {
  it("of each assignment, request, answer and message, in the transaction of the step; the applicant side hears of a handler's step, the handler of the applicant's", async () => {
    const app = await submit('Notified study');
    const seen = async () =>
      p.deps.store.query<{ user_id: string; kind: string; link: string }>(
        `SELECT user_id, kind, link FROM notifications WHERE params->>'application' = $1 ORDER BY id`,
        [app.id],
      );
    await step(app.id, 'messages', 'lead', { text: 'Unassigned: every independent administrator hears of it.' });
    await step(app.id, 'assignment', 'admin1', { userId: 'admin2' });
    await step(app.id, 'info-requests', 'admin2', { text: 'Which ATC codes?' });
    await step(app.id, 'info-answers', 'lead', { text: 'C10AA.' });
    await step(app.id, 'messages', 'admin2', { text: 'Thank you.' });
    const link = `/applications/${app.id}`;
    expect((await seen()).map((n) => [n.user_id, n.kind, n.link])).toEqual([
      ['admin1', 'application.message', link],
      ['admin2', 'application.message', link],
      ['admin2', 'application.assigned', link],
      ['lead', 'application.info_requested', link],
      ['admin2', 'application.info_provided', link],
      ['lead', 'application.message', link],
    ]);
  });
});

describe('who takes part', () => {
  it('403 when the case is assigned to a member of the project, or to someone who is no access administrator', async () => {
    const operatorMade = await p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'member-admin', displayName: 'Member Admin', roles: ['access_admin', 'researcher'], password: 'member-admin-long-password' },
    });
    expect(operatorMade.status).toBe(201);
    expect((await p.call('POST', `/api/projects/${demoProject}/members`, { as: 'lead', body: { userId: 'member-admin', role: 'researcher' } })).status).toBe(
      201,
    );
    const amendment = await p.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'amendment',
        caseType: 'new_period',
        projectId: demoProject,
        justification: 'Two more years.',
        datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
        period: { from: '2018-01-01', to: '2025-12-31' },
      },
    });
    expect(amendment.status).toBe(201);
    const member = await step(amendment.body.id, 'assignment', 'admin1', { userId: 'member-admin' });
    expect([member.status, member.body.reason, member.body.field]).toEqual([403, 'member_of_project', 'userId']);
    const notAdmin = await step(amendment.body.id, 'assignment', 'admin1', { userId: 'researcher' });
    expect([notAdmin.status, notAdmin.body.reason]).toEqual([403, 'not_a_case_handler']);
    const byLead = await step(amendment.body.id, 'assignment', 'lead', { userId: 'admin1' });
    expect([byLead.status, byLead.body.reason]).toEqual([403, 'not_a_case_handler']);
    const kase = await p.call('GET', `/api/applications/${amendment.body.id}/case`, { as: 'admin1' });
    expect(kase.body.application.assignedTo).toBeNull();
    expect(kase.body.history.map((e: { kind: string }) => e.kind)).toEqual(['submitted']);
    const researcher = await p.call('GET', `/api/applications/${amendment.body.id}/case`, { as: 'researcher' });
    expect([researcher.status, researcher.body.reason]).toEqual([403, 'not_the_applicant']);
  });

  it('the applicant withdraws before a decision; the case is closed to every further step', async () => {
    const app = await submit('Withdrawn study');
    const byResearcher = await step(app.id, 'withdrawal', 'researcher', {});
    expect([byResearcher.status, byResearcher.body.reason]).toEqual([403, 'not_the_applicant']);
    const withdrawn = await step(app.id, 'withdrawal', 'lead', { reason: 'Funding fell through.' });
    expect(withdrawn.body.status).toBe('withdrawn');
    expect((await p.call('GET', `/api/projects/${app.projectId}`, { as: 'lead' })).body.status).toBe('closed');
    const decide = await p.call('POST', `/api/applications/${app.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'late' } });
    expect([decide.status, decide.body.reason]).toEqual([409, 'application_withdrawn']);
    expect((await step(app.id, 'withdrawal', 'lead', {})).body.reason).toBe('application_withdrawn');
    expect((await upload(app.id, 'lead', PDF)).body.reason).toBe('application_withdrawn');
    const kase = await p.call('GET', `/api/applications/${app.id}/case`, { as: 'lead' });
    expect(kase.body.history.map((e: { kind: string; details: unknown }) => [e.kind, e.details])).toEqual([
      ['submitted', {}],
      ['withdrawn', { reason: 'Funding fell through.' }],
    ]);
  });
});

describe('attachments', () => {
  it('typed by their bytes, hashed, served back whole as a download to the applicant and handlers, audited', async () => {
    const app = await submit('Attachments study');
    const pdf = await upload(app.id, 'lead', PDF, 'ethics_approval', 'REK godkjenning.pdf');
    expect(pdf.status).toBe(201);
    const sha256 = createHash('sha256').update(PDF).digest('hex');
    expect(pdf.body).toMatchObject({ type: 'ethics_approval', filename: 'REK godkjenning.pdf', contentType: 'application/pdf', sizeBytes: PDF.length, sha256 });
    // An HTML page named .pdf is text by its bytes, and served as text.
    const html = await upload(app.id, 'admin1', Buffer.from('<html><script>alert(1)</script></html>'), 'protocol', 'protocol.pdf');
    expect(html.body.contentType).toBe('text/plain; charset=utf-8');
    const png = await upload(
      app.id,
      'lead',
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]),
      'dpia',
      'flow.png',
    );
    expect(png.body.contentType).toBe('image/png');

    for (const as of ['lead', 'admin2']) {
      const res = await fetch(`${p.url}/api/applications/${app.id}/attachments/${pdf.body.id}`, { headers: { authorization: `Bearer ${await p.token(as)}` } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
      expect(Object.fromEntries(['content-type', 'content-disposition', 'x-content-type-options'].map((h) => [h, res.headers.get(h)]))).toEqual({
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="REK_godkjenning.pdf"; filename*=UTF-8''REK%20godkjenning.pdf`,
        'x-content-type-options': 'nosniff',
      });
    }
    const researcher = await p.call('GET', `/api/applications/${app.id}/attachments/${pdf.body.id}`, { as: 'researcher' });
    expect([researcher.status, researcher.body.reason]).toEqual([403, 'not_a_case_handler']);

    const kase = await p.call('GET', `/api/applications/${app.id}/case`, { as: 'lead' });
    expect(kase.body.attachments.map((a: { id: string; sha256: string }) => [a.id, a.sha256])).toEqual([
      [pdf.body.id, sha256],
      [html.body.id, html.body.sha256],
      [png.body.id, png.body.sha256],
    ]);
    expect(
      kase.body.history.filter((e: { kind: string }) => e.kind === 'attachment_added').map((e: { details: { attachment: string } }) => e.details.attachment),
    ).toEqual([pdf.body.id, html.body.id, png.body.id]);

    const audit = await p.call(
      'GET',
      `/api/audit/entries?${new URLSearchParams({ action: 'application.attachment.*', outcome: 'success', object: `application:${app.id}` })}`,
      { as: 'auditor' },
    );
    expect(audit.body.entries.map((e: { action: string; actor: string; details: { sha256: string } }) => [e.action, e.actor, e.details.sha256])).toEqual([
      ['application.attachment.add', 'lead', sha256],
      ['application.attachment.add', 'admin1', html.body.sha256],
      ['application.attachment.add', 'lead', png.body.sha256],
      ['application.attachment.download', 'lead', sha256],
      ['application.attachment.download', 'admin2', sha256],
    ]);
  });

  it('400 naming the allowed types for bytes that are none of them; 413 naming the limit beyond it; nothing stored either way', async () => {
    const app = await submit('Refused attachments');
    const zip = await upload(app.id, 'lead', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0xfe, 0x00]), 'protocol', 'protocol.zip');
    expect([zip.status, zip.body.reason, zip.body.field, zip.body.allowed]).toEqual([
      400,
      'unsupported_attachment_type',
      'body',
      ['application/pdf', 'image/png', 'image/jpeg', 'text/plain; charset=utf-8'],
    ]);
    const big = await upload(app.id, 'lead', Buffer.concat([PDF, Buffer.alloc(LIMIT)]));
    expect([big.status, big.body.reason, big.body.limit]).toEqual([413, 'body_too_large', LIMIT]);
    const kase = await p.call('GET', `/api/applications/${app.id}/case`, { as: 'lead' });
    expect([kase.body.attachments, kase.body.history.map((e: { kind: string }) => e.kind)]).toEqual([[], ['submitted']]);
  });

  it('a stored attachment cannot be changed or deleted', async () => {
    const app = await submit('Immutable attachment');
    const pdf = await upload(app.id, 'lead', PDF);
    const store = p.deps.store;
    await expect(store.query(`UPDATE case_attachments SET content = 'x'::bytea WHERE id = $1`, [pdf.body.id])).rejects.toThrow(/append-only/);
    await expect(store.query('DELETE FROM case_attachments WHERE id = $1', [pdf.body.id])).rejects.toThrow(/append-only/);
    const res = await fetch(`${p.url}/api/applications/${app.id}/attachments/${pdf.body.id}`, {
      headers: { authorization: `Bearer ${await p.token('lead')}` },
    });
    expect(res.headers.get('x-content-sha256')).toBe(createHash('sha256').update(PDF).digest('hex'));
  });
});
