/**
 * Notifications on a real platform (embedded PostgreSQL, demo seed): each change that notifies
 * writes rows for exactly the right users; a user reads, counts and marks read only their own;
 * the live stream is bounded. Then two control planes on one PostgreSQL: a stream on one receives
 * what the other wrote, and e-mail goes through a real SMTP server on loopback (smtp-server),
 * retried after the server was down; without SMTP configured nothing is sent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertRoom, updateRoom } from '../../control-plane/src/rooms/index.ts';
import { startEmbedded } from '../../control-plane/src/store/index.ts';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { decodeMail, mark, openStream, rowsSince, startSmtp, type SmtpSink } from './support.ts';
import { mkdirSync, writeFileSync } from 'node:fs';

const SAFE_CSV = 'group,count\nA,120\nB,340\n';

/** A new project's application by the lead, as small as the catalogue allows. */
const application = (title: string) => ({
  kind: 'new',
  project: {
    title,
    purpose: 'A study that needs a decision to go on.',
    dataControllers: ['NIPH'],
    legalBasis: 'hrl-19',
    period: { from: '2018-01-01', to: '2027-12-31' },
  },
  datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
  period: { from: '2018-01-01', to: '2025-12-31' },
  members: [],
});

async function rejectedApplication(p: TestPlatform, title: string): Promise<string> {
  const app = await p.call('POST', '/api/applications', { as: 'lead', body: application(title) });
  expect(app.status).toBe(201);
  const decided = await p.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'reject', reason: 'not in order' } });
  expect(decided.status).toBe(200);
  return app.body.id as string;
}

async function recordedRoom(p: TestPlatform, projectId: string, owner: string): Promise<string> {
  const id = `r${randomBytes(6).toString('hex')}`;
  await insertRoom(p.deps.store, { id, projectId, ownerId: owner, driver: 'local', program: 'stub', jupyterTokenSealed: '' }, p.clock.now());
  await updateRoom(p.deps.store, id, { state: 'running' }, p.clock.now());
  return id;
}

describe('notifications on one control plane', () => {
  let p: TestPlatform;
  let projectId: string;

  beforeAll(async () => {
    p = await startTestPlatform({ notifications: { streamsPerUser: 2, heartbeatMs: 200 }, copies: { reconcileMs: 100 }, rooms: { reconcileMs: 3_600_000 } });
    projectId = (await p.call('GET', '/api/projects', { as: 'lead' })).body[0].id;
  }, 120_000);
  afterAll(() => p?.stop());

  it('the first data copy tells the project members, and no one else', async () => {
    await vi.waitFor(async () => expect((await p.deps.store.query("SELECT 1 FROM notifications WHERE kind = 'copy.new_version'")).length).toBe(2), {
      timeout: 60_000,
      interval: 200,
    });
    expect(await rowsSince(p, 0)).toEqual(
      expect.arrayContaining([
        { user: 'lead', kind: 'copy.new_version', params: { version: '1', reason: 'first_copy' }, link: `/projects/${projectId}` },
        { user: 'researcher', kind: 'copy.new_version', params: { version: '1', reason: 'first_copy' }, link: `/projects/${projectId}` },
      ]),
    );
  }, 90_000);

  it('a decision on an application tells its applicant only', async () => {
    const since = await mark(p);
    const id = await rejectedApplication(p, 'A decision to be told');
    expect(await rowsSince(p, since)).toEqual([
      { user: 'lead', kind: 'application.decided', params: { application: id, decision: 'rejected' }, link: `/applications/${id}` },
    ]);
  });

  it('an export request tells the independent reviewers; its outcome tells the requester once both decided, not before', async () => {
    const file = join(platformPaths(p.dataDir).outputs(projectId, 'researcher'), 'table1.csv');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, SAFE_CSV);
    const since = await mark(p);
    const req = await p.call('POST', `/api/projects/${projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'Table 1', files: [{ path: 'table1.csv', description: 'counts by group' }] },
    });
    expect(req.status).toBe(201);
    const exportId = req.body.id as string;
    const submitted = { kind: 'export.submitted', params: { export: exportId }, link: '/admin/reviews' };
    expect(await rowsSince(p, since)).toEqual([
      { user: 'admin1', ...submitted },
      { user: 'admin2', ...submitted },
    ]);
    const afterSubmit = await mark(p);
    expect((await p.call('POST', `/api/exports/${exportId}/reviews`, { as: 'admin1', body: { decision: 'approve' } })).status).toBe(201);
    expect(await rowsSince(p, afterSubmit)).toEqual([]);
    expect((await p.call('POST', `/api/exports/${exportId}/reviews`, { as: 'admin2', body: { decision: 'approve' } })).status).toBe(201);
    expect(await rowsSince(p, afterSubmit)).toEqual([
      { user: 'researcher', kind: 'export.reviewed', params: { export: exportId, decision: 'approved' }, link: `/projects/${projectId}/exports` },
    ]);
  });

  it("an operator stopping a member's room tells its owner; the owner stopping their own tells no one", async () => {
    const theirs = await recordedRoom(p, projectId, 'researcher');
    const own = await recordedRoom(p, projectId, 'lead');
    const since = await mark(p);
    expect((await p.call('POST', `/api/rooms/${theirs}/stop`, { as: 'operator' })).status).toBe(202);
    expect((await p.call('POST', `/api/rooms/${own}/stop`, { as: 'lead' })).status).toBe(202);
    expect(await rowsSince(p, since)).toEqual([
      { user: 'researcher', kind: 'room.stopped', params: { room: theirs, reason: 'operator' }, link: `/projects/${projectId}/room` },
    ]);
    // The loop carries the stops out; a room stopped already tells no one again.
    await p.modules.rooms.reconciler.runOnce();
    expect((await p.call('GET', `/api/rooms/${theirs}`, { as: 'researcher' })).body.state).toBe('stopped');
    expect(await rowsSince(p, since)).toHaveLength(1);
  });

  it('a new permit version makes a new copy version, and the members are told why', async () => {
    const since = await mark(p);
    const amended = await p.call('POST', `/api/projects/${projectId}/permit/amendments`, {
      as: 'admin1',
      body: { caseType: 'new_period', reason: 'one more year of data', period: { from: '2015-01-01', to: '2025-06-30' } },
    });
    expect(amended.status).toBe(201);
    await vi.waitFor(async () => expect((await rowsSince(p, since)).filter((r) => r.kind === 'copy.new_version')).toHaveLength(2), {
      timeout: 60_000,
      interval: 200,
    });
    expect((await rowsSince(p, since)).filter((r) => r.kind === 'copy.new_version')).toEqual([
      { user: 'lead', kind: 'copy.new_version', params: { version: '2', reason: 'permit_changed' }, link: `/projects/${projectId}` },
      { user: 'researcher', kind: 'copy.new_version', params: { version: '2', reason: 'permit_changed' }, link: `/projects/${projectId}` },
    ]);
  }, 90_000);

  it('lists mine newest first a page at a time, counts the unread and marks one and then all read', async () => {
    await rejectedApplication(p, 'One more to count');
    const all = await p.call('GET', '/api/notifications?limit=100', { as: 'lead' });
    expect(all.status).toBe(200);
    const ids = all.body.items.map((n: { id: number }) => n.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.body.items.every((n: { readAt: string | null }) => n.readAt === null)).toBe(true);
    expect(all.body.unread).toBe(ids.length);
    expect((await p.call('GET', '/api/notifications/unread', { as: 'lead' })).body).toEqual({ unread: ids.length });

    const first = await p.call('GET', '/api/notifications?limit=2', { as: 'lead' });
    expect(first.body.items.map((n: { id: number }) => n.id)).toEqual(ids.slice(0, 2));
    const second = await p.call('GET', `/api/notifications?limit=2&before=${first.body.next}`, { as: 'lead' });
    expect(second.body.items.map((n: { id: number }) => n.id)).toEqual(ids.slice(2, 4));

    const one = await p.call('POST', `/api/notifications/${ids[0]}/read`, { as: 'lead' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: ids[0], readAt: p.clock.now().toISOString() });
    expect((await p.call('GET', '/api/notifications/unread', { as: 'lead' })).body).toEqual({ unread: ids.length - 1 });
    expect((await p.call('GET', '/api/notifications?unread=true&limit=100', { as: 'lead' })).body.items.map((n: { id: number }) => n.id)).toEqual(ids.slice(1));

    const rest = await p.call('POST', '/api/notifications/read-all', { as: 'lead' });
    expect(rest.body).toEqual({ marked: ids.length - 1, unread: 0 });
    const [audited] = await p.deps.store.query<{ actor: string; outcome: string }>(
      "SELECT actor, outcome FROM audit_log WHERE action = 'notification.mark_read' AND object = $1 ORDER BY seq DESC LIMIT 1",
      [`notification:${ids[0]}`],
    );
    expect(audited).toEqual({ actor: 'lead', outcome: 'success' });
  });

  it("404 when a user reads or marks another user's notification, which stays unread", async () => {
    await rejectedApplication(p, 'Not for the researcher');
    const [theirs] = (await p.call('GET', '/api/notifications?unread=true&limit=1', { as: 'lead' })).body.items;
    const read = await p.call('GET', `/api/notifications/${theirs.id}`, { as: 'researcher' });
    expect(read.status).toBe(404);
    expect(read.body.reason).toBe('no_such_notification');
    const marked = await p.call('POST', `/api/notifications/${theirs.id}/read`, { as: 'researcher' });
    expect(marked.status).toBe(404);
    expect((await p.call('GET', `/api/notifications/${theirs.id}`, { as: 'lead' })).body.readAt).toBeNull();
    const everything = await p.call('GET', '/api/notifications?limit=100', { as: 'researcher' });
    expect(everything.body.items.some((n: { id: number }) => n.id === theirs.id)).toBe(false);
  });

  it('the stream needs a login, starts with the unread count, beats, and holds at most the configured number per user (429 beyond)', async () => {
    const anonymous = await fetch(`${p.url}/api/notifications/stream`);
    expect(anonymous.status).toBe(401);
    const token = await p.token('lead');
    const a = await openStream(p.url, token);
    const b = await openStream(p.url, token);
    try {
      expect([a.status, b.status]).toEqual([200, 200]);
      const unread = (await p.call('GET', '/api/notifications/unread', { as: 'lead' })).body.unread;
      expect((await a.next('unread')).data).toEqual({ unread });
      const third = await p.call('GET', '/api/notifications/stream', { as: 'lead' });
      expect(third.status).toBe(429);
      expect(third.body.reason).toBe('too_many_streams');
      await vi.waitFor(() => expect(a.comments()).toContain('keep-alive'), { timeout: 5_000 });
      const id = await rejectedApplication(p, 'Told live');
      expect((await a.next('notification', (n) => n.params.application === id)).data).toMatchObject({ kind: 'application.decided', readAt: null });
      expect((await a.next('unread')).data).toEqual({ unread: unread + 1 });
      b.close();
      const again = async () => {
        const s = await openStream(p.url, token);
        s.close();
        return s.status;
      };
      await vi.waitFor(async () => expect(await again()).toBe(200), { timeout: 5_000 });
    } finally {
      a.close();
      b.close();
    }
  });

  it('nothing is mailed without an SMTP server configured: the rows stay unsent', async () => {
    expect(p.modules.notifications.mailer).toBeUndefined();
    expect((await p.call('PATCH', '/api/users/lead', { as: 'operator', body: { email: 'lead@analyserom.test' } })).status).toBe(200);
    const since = await mark(p);
    await rejectedApplication(p, 'No mail for this one');
    await new Promise((r) => setTimeout(r, 500));
    const rows = await p.deps.store.query('SELECT emailed_at, email_error, email_attempts FROM notifications WHERE id > $1', [since]);
    expect(rows).toEqual([{ emailed_at: null, email_error: null, email_attempts: 0 }]);
  });

  it('a room still running when its permit expires is stopped by the reconcile loop, and its owner is told why', async () => {
    const room = await recordedRoom(p, projectId, 'researcher');
    const [permit] = await p.deps.store.query<{ expires_at: string }>('SELECT expires_at FROM permits WHERE project_id = $1 ORDER BY version DESC LIMIT 1', [
      projectId,
    ]);
    p.clock.set(new Date(new Date(permit!.expires_at).getTime() + 60_000));
    const since = await mark(p);
    const report = await p.modules.rooms.reconciler.runOnce();
    expect(report.stopped).toContainEqual({ roomId: room, reason: 'permit_expired' });
    expect(await rowsSince(p, since)).toEqual([
      { user: 'researcher', kind: 'room.stopped', params: { room, reason: 'permit_expired' }, link: `/projects/${projectId}/room` },
    ]);
  });
});

describe('notifications across control planes, and by e-mail', () => {
  let dbDir: string;
  let db: Awaited<ReturnType<typeof startEmbedded>>;
  let a: TestPlatform;
  let b: TestPlatform | undefined;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await startSmtp();
    dbDir = mkdtempSync(join(tmpdir(), 'notifications-db-'));
    db = await startEmbedded(dbDir);
    const databaseUrl = `postgres://${db.user}:${encodeURIComponent(db.password)}@localhost:${db.port}/${db.database}?host=${encodeURIComponent(db.socketDir)}`;
    const masterKey = randomBytes(32).toString('base64');
    const quiet = { copies: { reconcileMs: 3_600_000 }, rooms: { reconcileMs: 3_600_000 } };
    a = await startTestPlatform({
      databaseUrl,
      masterKey,
      ...quiet,
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      smtpFrom: 'analyserom@analyserom.test',
      notifications: { mailPollMs: 50, mailRetryMs: 60_000, mailAttempts: 3 },
    });
    b = await startTestPlatform({ databaseUrl, masterKey, ...quiet });
  }, 180_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await db?.stop();
    await smtp?.close();
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it('a stream on one control plane delivers the notification another one wrote', async () => {
    const stream = await openStream(a.url, await a.token('lead'));
    try {
      expect(stream.status).toBe(200);
      await stream.next('unread');
      const id = await rejectedApplication(b!, 'Decided on the other replica');
      const frame = await stream.next('notification', (n) => n.params.application === id);
      expect(frame.data).toMatchObject({ kind: 'application.decided', params: { application: id, decision: 'rejected' }, link: `/applications/${id}` });
      expect((await stream.next('unread')).data).toEqual({ unread: (await a.call('GET', '/api/notifications/unread', { as: 'lead' })).body.unread });
    } finally {
      stream.close();
    }
  });

  it("mails a notification to its user's address in both languages; a user without an address gets none", async () => {
    await vi.waitFor(async () => expect(await a.deps.store.query('SELECT 1 FROM notifications WHERE email_error IS NULL AND emailed_at IS NULL')).toEqual([]), {
      timeout: 10_000,
    });
    expect(smtp.mails).toEqual([]);
    expect((await a.call('PATCH', '/api/users/lead', { as: 'operator', body: { email: 'lead@analyserom.test' } })).status).toBe(200);
    const id = await rejectedApplication(b!, 'Told by mail');
    const about = (x: string) => smtp.mails.filter((m) => decodeMail(m.raw).includes(x));
    await vi.waitFor(() => expect(about(id)).toHaveLength(1), { timeout: 10_000 });
    const [mail] = about(id);
    expect(mail!.from).toBe('analyserom@analyserom.test');
    expect(mail!.to).toEqual(['lead@analyserom.test']);
    const text = decodeMail(mail!.raw);
    expect(text).toContain(`Søknad ${id} er avslått`);
    expect(text).toContain(`Application ${id} was rejected`);
    expect(text).toContain(`${a.url}/applications/${id}`);
    expect(text).toMatch(/^Subject: Analyserom: /m);
    const row = () =>
      a.deps.store.query<{ emailed_at: string | null; email_attempts: number }>(
        "SELECT emailed_at, email_attempts FROM notifications WHERE params->>'application' = $1",
        [id],
      );
    await vi.waitFor(async () => expect(await row()).toEqual([{ emailed_at: a.clock.now().toISOString(), email_attempts: 0 }]), { timeout: 5_000 });
    const [skipped] = await a.deps.store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM notifications WHERE user_id = 'researcher' AND email_error = 'no_address'",
    );
    expect(skipped!.n).toBeGreaterThan(0);
    expect(smtp.mails.flatMap((m) => m.to).filter((to) => to !== 'lead@analyserom.test')).toEqual([]);
  });

  it('retries after the SMTP server was down, with back-off, and sends once it is back', async () => {
    await smtp.down();
    const id = await rejectedApplication(b!, 'Told after the outage');
    const about = () => smtp.mails.filter((m) => decodeMail(m.raw).includes(id));
    const row = () =>
      a.deps.store.query<{ emailed_at: string | null; email_attempts: number; email_error: string | null; email_next_at: string | null }>(
        "SELECT emailed_at, email_attempts, email_error, email_next_at FROM notifications WHERE params->>'application' = $1",
        [id],
      );
    await vi.waitFor(async () => expect((await row())[0]!.email_attempts).toBe(1), { timeout: 10_000 });
    const [failed] = await row();
    expect(failed).toEqual({ emailed_at: null, email_attempts: 1, email_error: null, email_next_at: new Date(a.clock.now().getTime() + 60_000).toISOString() });
    await smtp.up();
    // Back-off: nothing is tried again before the wait is over.
    await new Promise((r) => setTimeout(r, 300));
    expect(about()).toEqual([]);
    a.clock.advance(61_000);
    await vi.waitFor(() => expect(about()).toHaveLength(1), { timeout: 10_000 });
    expect(decodeMail(about()[0]!.raw)).toContain(`Application ${id} was rejected`);
    await vi.waitFor(async () => expect((await row())[0]).toMatchObject({ emailed_at: a.clock.now().toISOString(), email_attempts: 1, email_error: null }), {
      timeout: 5_000,
    });
  });

  it('keeps the error after the last attempt and leaves the row', async () => {
    await smtp.down();
    try {
      const id = await rejectedApplication(b!, 'Never told by mail');
      const row = () =>
        a.deps.store.query<{ email_attempts: number; email_error: string | null }>(
          "SELECT email_attempts, email_error FROM notifications WHERE params->>'application' = $1",
          [id],
        );
      for (let attempt = 1; attempt <= 3; attempt++) {
        await vi.waitFor(async () => expect((await row())[0]!.email_attempts).toBe(attempt), { timeout: 10_000 });
        a.clock.advance(60_000 * 2 ** attempt);
      }
      const [left] = await row();
      expect(left!.email_attempts).toBe(3);
      expect(left!.email_error).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      await smtp.up();
    }
  });

  it('a control plane that stops ends its open streams at once instead of waiting for them', async () => {
    const stopping = b!;
    const stream = await openStream(stopping.url, await stopping.token('lead'));
    expect(stream.status).toBe(200);
    await stream.next('unread');
    b = undefined;
    const started = Date.now();
    await stopping.stop();
    await stream.ended;
    // The server's grace for connections still busy is 10 s; a stream is not left to run into it.
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 30_000);
});
