/**
 * Dialogue with researchers on a real platform with real data copies: the projects' public
 * summaries and results (in the register, and on the page of each citizen whose data they used),
 * and a citizen's question that reaches the lead through an independent access administrator
 * with no trace of who asked. The tests run in order: each builds on what the earlier ones did.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkCitizen } from '../../control-plane/src/citizens/index.ts';
import { createUser } from '../../control-plane/src/identity/index.ts';
import { startCopies, waitForCopies, type CopiesTest } from '../data-copies/support.ts';
import { runTre } from '../support/tre.ts';

let t: CopiesTest;
let demo: string;
let other: string;
let unpermitted: string;
/** Everything that would identify the asking citizen. */
const asker = { id: 'ingrid-asks', displayName: 'Ingrid Spørsmålsen', email: 'ingrid.sporsmalsen@example.no', fnr: '', lookup: '' };
/** Every answer body the lead received in the question's flow. */
const seenByLead: unknown[] = [];

async function asLead(method: string, path: string, body?: unknown) {
  const r = await t.p.call(method, path, { as: 'lead', body });
  seenByLead.push(r.body);
  return r;
}

async function notifications(userId: string) {
  return t.p.deps.store.query<{ user_id: string; kind: string; params: Record<string, string>; link: string | null; project_id: string | null }>(
    'SELECT user_id, kind, params, link, project_id FROM notifications WHERE user_id = $1 AND kind LIKE $2 ORDER BY id',
    [userId, 'citizen.%'],
  );
}

async function newAdmin(id: string) {
  const r = await t.p.call('POST', '/api/users', {
    as: 'operator',
    body: { id, displayName: id, roles: ['access_admin', 'researcher'], password: `${id}-long-password` },
  });
  expect(r.status).toBe(201);
  t.p.passwords.set(id, `${id}-long-password`);
}

const application = (title: string, birthYears: [number, number]) => ({
  kind: 'new',
  caseType: 'one_off',
  project: {
    title,
    purpose: `${title}: a registry study.`,
    dataControllers: ['FHI'],
    legalBasis: 'hrl-19',
    period: { from: '2015-01-01', to: '2025-12-31' },
  },
  datasets: [{ dataset: 'population', variables: ['fnr', 'sex', 'birth_date'], reasons: { fnr: 'The person key, made the project pseudonym.' } }],
  period: { from: '2015-01-01', to: '2025-12-31' },
  cohort: { birthYearFrom: birthYears[0], birthYearTo: birthYears[1] },
  linkage: false,
});

beforeAll(async () => {
  t = await startCopies();
  demo = t.projectId;
  // Born 1991-2010: no one of the demo's cohort (1930-1990), so neither demo citizen is in it.
  const app = await t.p.call('POST', '/api/applications', { as: 'lead', body: application('Young adults and asthma', [1991, 2010]) });
  expect(app.status).toBe(201);
  other = app.body.projectId;
  expect(
    (await t.p.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'in order' } })).status,
  ).toBe(200);
  expect((await t.p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: app.body.id, expiresAt: '2027-12-31T00:00:00Z' } })).status).toBe(201);
  const pending = await t.p.call('POST', '/api/applications', { as: 'lead', body: application('Not yet decided', [1950, 1960]) });
  expect(pending.status).toBe(201);
  unpermitted = pending.body.projectId;
  // The asker: a person of the demo cohort (born 1960).
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  const file = join(t.p.dataDir, 'registers/population/demo-1/data.parquet');
  const [row] = (await conn.runAndReadAll(`SELECT fnr FROM read_parquet('${file}') WHERE year(birth_date) = 1960 ORDER BY fnr LIMIT 1`)).getRowObjectsJS();
  conn.closeSync();
  duck.closeSync();
  asker.fnr = String(row!.fnr);
  await t.p.deps.store.tx(async (q) => {
    await createUser(q, t.p.deps.box, { ...asker, roles: ['citizen'], password: 'ingrid-long-password' }, 'test');
    asker.lookup = await linkCitizen(q, t.p.deps.box, asker.id, asker.fnr);
  });
  t.p.passwords.set(asker.id, 'ingrid-long-password');
  // An access administrator who is a member of the demo project.
  await newAdmin('member-admin');
  expect((await t.p.call('POST', `/api/projects/${demo}/members`, { as: 'lead', body: { userId: 'member-admin', role: 'researcher' } })).status).toBe(201);
  await waitForCopies(t, demo, 1);
  await waitForCopies(t, other, 1);
}, 180_000);
afterAll(async () => {
  await t?.p.stop();
});

describe('what projects publish', () => {
  const summary1 = 'We study whether second-line diabetes medicines change the risk of heart attack and stroke.';
  const summary2 = 'We study whether the choice of second-line diabetes medicine changes the risk of heart attack and stroke, in everyone born 1930-1990.';
  const otherSummary = 'We looked at asthma medicines among young adults.';
  const otherResults = 'Use of asthma medicines did not change over the period.';

  it('the lead publishes the summary once granted, each edit a new version with the earlier ones kept', async () => {
    const researcher = await t.p.call('POST', `/api/projects/${demo}/publications/summary`, { as: 'researcher', body: { text: summary1 } });
    expect([researcher.status, researcher.body.reason]).toEqual([403, 'wrong_role']);
    const v1 = await t.p.call('POST', `/api/projects/${demo}/publications/summary`, { as: 'lead', body: { text: summary1 } });
    expect(v1.status).toBe(201);
    expect(v1.body).toEqual({ kind: 'summary', version: 1, text: summary1, link: null, publishedAt: '2026-06-01T12:00:00.000Z' });
    t.p.clock.advance(60_000);
    expect((await t.p.call('POST', `/api/projects/${demo}/publications/summary`, { as: 'lead', body: { text: summary2 } })).body.version).toBe(2);
    const history = await t.p.call('GET', `/api/projects/${demo}/publications`, { as: 'researcher' });
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      summaries: [
        { kind: 'summary', version: 2, text: summary2, link: null, publishedAt: '2026-06-01T12:01:00.000Z', publishedBy: 'lead' },
        { kind: 'summary', version: 1, text: summary1, link: null, publishedAt: '2026-06-01T12:00:00.000Z', publishedBy: 'lead' },
      ],
      results: [],
      canPublishSummary: true,
      canPublishResults: false,
    });
    const audit = await t.p.call('GET', `/api/audit/entries?action=project.publication.summary&outcome=success`, { as: 'auditor' });
    expect(audit.body.entries.map((e: { actor: string; projectId: string }) => [e.actor, e.projectId])).toEqual([
      ['lead', demo],
      ['lead', demo],
    ]);
  });

  it('409 before a permit and for results before a release or closing; 400 naming the field for bad text or link', async () => {
    const early = await t.p.call('POST', `/api/projects/${unpermitted}/publications/summary`, { as: 'lead', body: { text: 'Not yet.' } });
    expect([early.status, early.body.reason]).toEqual([409, 'no_permit_yet']);
    const results = await t.p.call('POST', `/api/projects/${demo}/publications/results`, { as: 'lead', body: { text: 'Too early.' } });
    expect([results.status, results.body.reason]).toEqual([409, 'no_results_yet']);
    const empty = await t.p.call('POST', `/api/projects/${demo}/publications/summary`, { as: 'lead', body: { text: ' ' } });
    expect([empty.status, empty.body.field]).toEqual([400, 'text']);
    const long = await t.p.call('POST', `/api/projects/${demo}/publications/summary`, { as: 'lead', body: { text: 'x'.repeat(4001) } });
    expect([long.status, long.body.field]).toEqual([400, 'text']);
    expect((await t.p.call('POST', `/api/projects/${other}/publications/summary`, { as: 'lead', body: { text: otherSummary } })).status).toBe(201);
    expect((await t.p.call('POST', `/api/projects/${other}/close`, { as: 'admin1', body: { reason: 'study finished' } })).status).toBe(200);
    const badLink = await t.p.call('POST', `/api/projects/${other}/publications/results`, {
      as: 'lead',
      body: { text: otherResults, link: 'javascript:alert(1)' },
    });
    expect([badLink.status, badLink.body.field]).toEqual([400, 'link']);
    const done = await t.p.call('POST', `/api/projects/${other}/publications/results`, {
      as: 'lead',
      body: { text: otherResults, link: '10.1000/asthma.2026' },
    });
    expect(done.status).toBe(201);
  });

  it('the public register shows the latest summary and results of every granted project, to anyone', async () => {
    const r = await fetch(`${t.p.url}/api/public/publications`);
    expect(r.status).toBe(200);
    // In the register's order (first permit, then id); both were granted at the test clock's start.
    const byId = (a: { projectId: string }, b: { projectId: string }) => a.projectId.localeCompare(b.projectId);
    const body = (await r.json()) as { projectId: string }[];
    expect(body.map((x) => x.projectId)).toEqual([demo, other].sort());
    expect(body.sort(byId)).toEqual(
      [
        {
          projectId: demo,
          title: 'Diabetes medication and cardiovascular outcomes',
          summary: { kind: 'summary', version: 2, text: summary2, link: null, publishedAt: '2026-06-01T12:01:00.000Z' },
          results: null,
        },
        {
          projectId: other,
          title: 'Young adults and asthma',
          summary: { kind: 'summary', version: 1, text: otherSummary, link: null, publishedAt: '2026-06-01T12:01:00.000Z' },
          results: { kind: 'results', version: 1, text: otherResults, link: '10.1000/asthma.2026', publishedAt: '2026-06-01T12:01:00.000Z' },
        },
      ].sort(byId),
    );
  });

  it("a citizen's page shows the texts of the projects that used their data, and no other", async () => {
    for (const who of ['citizen', asker.id]) {
      const r = await t.p.call('GET', '/api/citizen/publications', { as: who });
      expect(r.status).toBe(200);
      expect(r.body.map((p: { projectId: string; summary: { version: number } }) => [p.projectId, p.summary.version])).toEqual([[demo, 2]]);
    }
    expect((await t.p.call('GET', '/api/citizen/publications', { as: 'lead' })).status).toBe(403);
  });
});

describe("a citizen's question", () => {
  const question = 'Will you tell us whether the newer medicines were safer for the heart?';
  const answer1 = 'Yes: the results will be published here when the study is done.';
  const answer2 = 'Yes. We will publish the results in this register when the study ends, in plain language.';
  let qid: string;

  it('is screened by an administrator who is not a member, and the lead sees only its id and text', async () => {
    const asked = await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: demo, text: question } });
    expect(asked.status).toBe(201);
    qid = asked.body.id;
    expect(asked.body).toEqual({
      id: expect.stringMatching(/^q_[a-f0-9]{12}$/),
      projectId: demo,
      projectTitle: 'Diabetes medication and cardiovascular outcomes',
      text: question,
      status: 'screening',
      submittedAt: '2026-06-01T12:01:00.000Z',
      rejectReason: null,
      answer: null,
      answeredAt: null,
    });
    // The screening administrators are told; the member-administrator and the lead are not.
    for (const admin of ['admin1', 'admin2'])
      expect(await notifications(admin)).toEqual([
        { user_id: admin, kind: 'citizen.question', params: { question: qid }, link: '/admin/questions', project_id: null },
      ]);
    expect(await notifications('member-admin')).toEqual([]);
    expect(await notifications('lead')).toEqual([]);
    expect((await asLead('GET', `/api/projects/${demo}/questions`)).body).toEqual([]);

    const queue = await t.p.call('GET', '/api/admin/questions', { as: 'member-admin' });
    expect(queue.body.find((x: { id: string }) => x.id === qid).canScreen).toBe(false);
    const member = await t.p.call('POST', `/api/admin/questions/${qid}/screening`, { as: 'member-admin', body: { decision: 'forward' } });
    expect([member.status, member.body.reason]).toEqual([403, 'member_of_project']);
    const forwarded = await t.p.call('POST', `/api/admin/questions/${qid}/screening`, { as: 'admin1', body: { decision: 'forward' } });
    expect(forwarded.status).toBe(200);
    expect(forwarded.body).toMatchObject({ id: qid, status: 'forwarded', canScreen: true });

    const seen = await asLead('GET', `/api/projects/${demo}/questions`);
    expect(seen.body).toEqual([{ id: qid, text: question, status: 'forwarded', forwardedAt: '2026-06-01T12:01:00.000Z', answer: null, returnReason: null }]);
    expect((await t.p.call('GET', `/api/projects/${demo}/questions`, { as: 'researcher' })).status).toBe(403);
  });

  it('the answer goes back through an administrator, who may return it to the lead first, and reaches the citizen', async () => {
    expect((await asLead('POST', `/api/projects/${demo}/questions/${qid}/answer`, { text: answer1 })).body).toMatchObject({
      status: 'answered',
      answer: answer1,
    });
    // The citizen sees that the lead answered, not the answer until an administrator delivers it.
    expect((await t.p.call('GET', '/api/citizen/questions', { as: asker.id })).body[0]).toMatchObject({ status: 'answered', answer: null });
    const noReason = await t.p.call('POST', `/api/admin/questions/${qid}/answer-screening`, { as: 'admin2', body: { decision: 'return' } });
    expect([noReason.status, noReason.body.field]).toEqual([400, 'reason']);
    const returned = await t.p.call('POST', `/api/admin/questions/${qid}/answer-screening`, {
      as: 'admin2',
      body: { decision: 'return', reason: 'Please say where the results will be published.' },
    });
    expect(returned.body.status).toBe('forwarded');
    expect((await asLead('GET', `/api/projects/${demo}/questions`)).body[0]).toMatchObject({
      status: 'forwarded',
      answer: answer1,
      returnReason: 'Please say where the results will be published.',
    });
    expect((await asLead('POST', `/api/projects/${demo}/questions/${qid}/answer`, { text: answer2 })).body.returnReason).toBeNull();
    const member = await t.p.call('POST', `/api/admin/questions/${qid}/answer-screening`, { as: 'member-admin', body: { decision: 'deliver' } });
    expect([member.status, member.body.reason]).toEqual([403, 'member_of_project']);
    expect((await t.p.call('POST', `/api/admin/questions/${qid}/answer-screening`, { as: 'admin2', body: { decision: 'deliver' } })).body.status).toBe(
      'delivered',
    );
    const mine = await t.p.call('GET', '/api/citizen/questions', { as: asker.id });
    expect(mine.body).toEqual([
      expect.objectContaining({ id: qid, status: 'delivered', answer: answer2, answeredAt: '2026-06-01T12:01:00.000Z', rejectReason: null }),
    ]);
    expect(await notifications(asker.id)).toEqual([
      { user_id: asker.id, kind: 'citizen.answer', params: { question: qid }, link: '/citizen#h-dialogue', project_id: null },
    ]);
    // Another citizen does not see it.
    expect((await t.p.call('GET', '/api/citizen/questions', { as: 'citizen' })).body).toEqual([]);
  });

  it('carries no trace of who asked to anything the lead can read; the auditor sees who asked', async () => {
    seenByLead.push((await asLead('GET', `/api/projects/${demo}`)).body, (await asLead('GET', `/api/projects/${demo}/publications`)).body);
    const leadNotes = await notifications('lead');
    expect(leadNotes.map((n) => [n.kind, n.params, n.link, n.project_id])).toEqual([
      ['citizen.question', { question: qid }, `/projects/${demo}#h-dialogue`, demo],
      ['citizen.question', { question: qid, returned: 'true' }, `/projects/${demo}#h-dialogue`, demo],
    ]);
    const everything = JSON.stringify([seenByLead, leadNotes]).toLowerCase();
    const traces = [asker.id, asker.displayName, asker.email, asker.fnr, asker.lookup].filter((s) => everything.includes(s.toLowerCase()));
    expect(traces).toEqual([]);
    expect((await asLead('GET', '/api/audit/entries?action=citizen.question.ask')).status).toBe(403);
    const audit = await t.p.call('GET', '/api/audit/entries?action=citizen.question.ask&outcome=success', { as: 'auditor' });
    expect(audit.body.entries.map((e: { actor: string; object: string; projectId: string }) => [e.actor, e.object, e.projectId])).toEqual([
      [asker.id, `question:${qid}`, demo],
    ]);
  });

  it('a rejected question tells the citizen why and never reaches the lead', async () => {
    const asked = await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: demo, text: 'I am Ingrid, born 1960: was I in it?' } });
    const noReason = await t.p.call('POST', `/api/admin/questions/${asked.body.id}/screening`, { as: 'admin1', body: { decision: 'reject' } });
    expect([noReason.status, noReason.body.field]).toEqual([400, 'reason']);
    const reason = 'The question names you; ask it without your name or birth year.';
    const rejected = await t.p.call('POST', `/api/admin/questions/${asked.body.id}/screening`, { as: 'admin1', body: { decision: 'reject', reason } });
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: reason });
    const again = await t.p.call('POST', `/api/admin/questions/${asked.body.id}/screening`, { as: 'admin2', body: { decision: 'forward' } });
    expect([again.status, again.body.reason]).toEqual([409, 'question_not_waiting']);
    const mine = (await t.p.call('GET', '/api/citizen/questions', { as: asker.id })).body;
    expect(mine.find((x: { id: string }) => x.id === asked.body.id)).toMatchObject({ status: 'rejected', rejectReason: reason, answer: null });
    expect((await t.p.call('GET', `/api/projects/${demo}/questions`, { as: 'lead' })).body.map((x: { id: string }) => x.id)).toEqual([qid]);
    const answer = await t.p.call('POST', `/api/projects/${demo}/questions/${asked.body.id}/answer`, { as: 'lead', body: { text: 'No.' } });
    expect([answer.status, answer.body.reason]).toEqual([409, 'question_not_waiting']);
  });

  it('is size- and rate-limited, and only to projects in the register', async () => {
    const long = await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: demo, text: 'x'.repeat(2001) } });
    expect([long.status, long.body.field]).toEqual([400, 'text']);
    const notPublic = await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: unpermitted, text: 'What is this project?' } });
    expect([notPublic.status, notPublic.body.reason]).toEqual([404, 'not_in_register']);
    expect((await t.p.call('POST', '/api/citizen/questions', { as: 'lead', body: { projectId: demo, text: 'A question' } })).status).toBe(403);
    // Two asked today already; three more fit in the day, the sixth waits until tomorrow.
    for (let i = 0; i < 3; i++)
      expect((await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: other, text: `Question ${i}?` } })).status).toBe(201);
    const sixth = await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: other, text: 'One more?' } });
    expect([sixth.status, sixth.body.reason]).toEqual([429, 'questions_per_day']);
    t.p.clock.advance(25 * 3600 * 1000);
    t.p.forgetTokens();
    expect((await t.p.call('POST', '/api/citizen/questions', { as: asker.id, body: { projectId: other, text: 'One more?' } })).status).toBe(201);
  });
});

describe('tre dialogue', () => {
  const configDir = mkdtempSync(join(tmpdir(), 'tre-dialogue-'));
  const tre = async (as: string, ...args: string[]) =>
    runTre([...args, '--json'], { TRE_URL: t.p.url, TRE_TOKEN: await t.p.token(as), TRE_CONFIG_DIR: configDir });

  it('the lead publishes and reads questions, an administrator screens, with the same answers as the API', async () => {
    const published = await tre('lead', 'dialogue', 'publish', demo, '--summary', '--text', 'A third version of the summary.');
    expect([published.code, published.json.version]).toEqual([0, 3]);
    const both = await tre('lead', 'dialogue', 'publish', demo, '--summary', '--results', '--text', 'Which?');
    expect(both.code).toBe(2);
    const questions = await tre('lead', 'dialogue', 'questions', demo);
    expect(questions.code).toBe(0);
    expect(questions.json).toEqual((await t.p.call('GET', `/api/projects/${demo}/questions`, { as: 'lead' })).body);
    expect(JSON.stringify(questions.json)).not.toContain(asker.id);
    const waiting = (await tre('admin1', 'dialogue', 'queue')).json.find((x: { status: string }) => x.status === 'screening');
    const screened = await tre('admin1', 'dialogue', 'screen', waiting.id, '--decision', 'reject', '--reason', 'Asked twice; see the earlier answer.');
    expect([screened.code, screened.json.status]).toEqual([0, 'rejected']);
    expect((await tre('admin1', 'dialogue', 'screen', waiting.id, '--decision', 'bogus')).code).toBe(2);
  });
});
