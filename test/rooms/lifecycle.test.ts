/**
 * Room lifecycle on real components: the rooms module in a real control plane (embedded PostgreSQL),
 * rooms as real bubblewrap sandboxes running the stub server. The reconcile loop is driven by hand
 * (`runOnce`) with the control plane's manual clock, so idle and lifetime limits need no waiting.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startPlatform } from '../../control-plane/src/server/index.ts';
import { silentLogger } from '../../control-plane/src/platform/index.ts';
import { createLocalDriver, createRoomsModule, type RoomView } from '../../control-plane/src/rooms/index.ts';
import { startEmbedded } from '../../control-plane/src/store/index.ts';
import { startTestPlatform } from '../support/platform.ts';
import { roomCall, roomsUnavailable, rootfsDir, startRoomsPlatform, TEST_ROOM_OPTIONS, withRooms, type RoomsPlatform } from '../proxy/support.ts';

const skip = roomsUnavailable();

/** The proxy writes a room's activity after answering (off the request's path): wait for it to land. */
async function activityRecorded(p: RoomsPlatform, roomId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await p.deps.store.query<{ at: string | Date | null }>('SELECT last_activity_at AS at FROM rooms WHERE id = $1', [roomId]);
    if (row?.at && new Date(row.at).getTime() >= p.clock.now().getTime()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`activity of room ${roomId} never recorded`);
}
const run = promisify(execFile);

type RoomState = RoomView['state'];

/** The `data` of each server-sent event of a response, parsed, until the server ends the stream. */
async function* sseFrames(res: Response): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      buffer = buffer.slice(end + 2);
      if (data) yield JSON.parse(data);
    }
  }
}

describe.skipIf(skip !== undefined)(`room lifecycle${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let p: RoomsPlatform;
  beforeAll(async () => {
    p = await startRoomsPlatform({ quotaPerProject: 1, idleMinutes: 30, maxHours: 4 });
  }, 120_000);
  afterAll(async () => {
    for (const r of (await p.call('GET', '/api/operator/rooms', { as: 'operator' })).body as { id: string }[]) {
      await p.call('POST', `/api/rooms/${r.id}/stop`, { as: 'operator' });
    }
    await p.rooms.reconciler.runOnce();
    await p.stop();
  }, 60_000);

  const owned = async () => (await p.rooms.drivers.get('local')!.listOwned()).map((r) => r.roomId);
  const stopAndSettle = async (roomId: string) => {
    await p.call('POST', `/api/rooms/${roomId}/stop`, { as: 'operator' });
    await p.waitState(roomId, 'stopped');
  };

  it('a member starts a room that reaches running, and stopping it removes the runtime', async () => {
    const res = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'researcher', body: {} });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ projectId: p.projectId, owner: 'researcher', driver: 'local', url: `/rooms/${res.body.id}/` });
    const running = await p.waitState(res.body.id, 'running');
    expect(running.runningAt).not.toBeNull();
    expect(await owned()).toEqual([res.body.id]);
    // Asking again returns the same room.
    const again = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'researcher', body: {} });
    expect({ status: again.status, id: again.body.id }).toEqual({ status: 200, id: res.body.id });
    const stop = await p.call('POST', `/api/rooms/${res.body.id}/stop`, { as: 'researcher' });
    expect(stop.status).toBe(202);
    const stopped = await p.waitState(res.body.id, 'stopped');
    expect(stopped.stopReason).toBe('owner');
    expect(await owned()).toEqual([]);
  }, 60_000);

  it('the state stream of a room asked to stop follows it until it has stopped, not only to running', async () => {
    const room = await p.startRoom('researcher');
    // The loop paused: the room stays running, wanted stopped, until it resumes.
    await p.rooms.reconciler.stop();
    try {
      expect((await p.call('POST', `/api/rooms/${room.id}/stop`, { as: 'researcher' })).body).toMatchObject({ state: 'running', wanted: 'stopped' });
      const res = await fetch(`${p.url}/api/rooms/${room.id}/events`, { headers: { authorization: `Bearer ${await p.token('researcher')}` } });
      const frames = sseFrames(res);
      expect(await frames.next()).toMatchObject({ value: { id: room.id, state: 'running', wanted: 'stopped' } });
      p.rooms.reconciler.start();
      const rest: RoomState[] = [];
      for await (const view of frames) rest.push((view as { state: RoomState }).state);
      expect(rest.at(-1)).toBe('stopped');
    } finally {
      p.rooms.reconciler.start();
    }
  }, 60_000);

  it('tre rooms start --wait --json prints id, state and url; tre rooms stop stops it', async () => {
    const env = { ...process.env, TRE_URL: p.url, TRE_TOKEN: await p.token('researcher') };
    // The control plane runs in this process: the CLI must run without blocking it.
    const tre = async (...args: string[]) =>
      JSON.parse(
        (await run(resolve('node_modules/.bin/node'), ['control-plane/src/cli/main.ts', 'rooms', ...args, '--json'], { env, encoding: 'utf8' })).stdout,
      ) as Record<string, unknown>;
    const started = await tre('start', p.projectId, '--driver', 'local', '--wait');
    expect(started).toEqual({ id: expect.stringMatching(/^r[0-9a-f]{12}$/), state: 'running', url: `/rooms/${String(started.id)}/` });
    expect(await tre('list')).toContainEqual(expect.objectContaining({ id: started.id, state: 'running' }));
    expect(await tre('show', String(started.id))).toMatchObject({ id: started.id, state: 'running', projectId: p.projectId });
    expect(await tre('stop', String(started.id))).toEqual({ id: started.id, state: 'running', url: started.url });
    await p.waitState(String(started.id), 'stopped');
  }, 60_000);

  it('409 room_quota when the project already has its quota of live rooms', async () => {
    const room = await p.startRoom('researcher');
    const res = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'lead', body: {} });
    expect({ status: res.status, reason: res.body.reason }).toEqual({ status: 409, reason: 'room_quota' });
    await stopAndSettle(room.id);
  }, 60_000);

  it('403 for a user who is not a member, and another member cannot see or stop my room', async () => {
    const res = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'citizen', body: {} });
    expect({ status: res.status, reason: res.body.reason }).toEqual({ status: 403, reason: 'not_a_member' });
    const room = await p.startRoom('researcher');
    const show = await p.call('GET', `/api/rooms/${room.id}`, { as: 'lead' });
    const stop = await p.call('POST', `/api/rooms/${room.id}/stop`, { as: 'lead' });
    expect([show.status, show.body.reason, stop.status]).toEqual([403, 'not_room_owner', 403]);
    const all = await p.call('GET', '/api/operator/rooms', { as: 'operator' });
    expect(all.body).toEqual([
      expect.objectContaining({
        id: room.id,
        projectId: p.projectId,
        state: 'running',
        driver: 'local',
        ageSeconds: expect.any(Number),
        idleSeconds: expect.any(Number),
      }),
    ]);
    expect((await p.call('GET', '/api/operator/rooms', { as: 'researcher' })).status).toBe(403);
    await stopAndSettle(room.id);
  }, 60_000);

  it('an idle room is stopped once past the idle limit, a busy one is not', async () => {
    const room = await p.startRoom('researcher');
    p.clock.advance(20 * 60_000);
    await p.rooms.reconciler.runOnce();
    expect((await p.waitState(room.id, 'running')).state).toBe('running');
    p.clock.advance(11 * 60_000);
    const report = await p.rooms.reconciler.runOnce();
    expect(report.stopped).toEqual([{ roomId: room.id, reason: 'idle' }]);
    expect(await p.waitState(room.id, 'stopped')).toMatchObject({ stopReason: 'idle' });
    expect(await owned()).toEqual([]);
  }, 60_000);

  it('a room past its maximum lifetime is stopped even when busy', async () => {
    const room = await p.startRoom('researcher');
    // Busy every 25 minutes (idle limit 30) for 3 h 45 min, then past the 4 h lifetime.
    for (let step = 0; step < 9; step++) {
      const r = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/api/status`, { as: 'researcher' });
      expect(r.status).toBe(200);
      await activityRecorded(p, room.id);
      p.clock.advance(25 * 60_000);
      expect((await p.rooms.reconciler.runOnce()).stopped).toEqual([]);
    }
    expect((await roomCall(p, room.id, 'GET', `/rooms/${room.id}/api/status`, { as: 'researcher' })).status).toBe(200);
    p.clock.advance(20 * 60_000);
    expect((await p.rooms.reconciler.runOnce()).stopped).toEqual([{ roomId: room.id, reason: 'max_lifetime' }]);
    await p.waitState(room.id, 'stopped');
  }, 60_000);

  it('an orphan runtime carrying our owner label is removed', async () => {
    const work = mkdtempSync(join(tmpdir(), 'orphan-'));
    chmodSync(work, 0o755); // rooms run as an unprivileged host uid that must reach these folders
    const orphan = createLocalDriver({ ownerId: p.rooms.ownerId, rootfsDir, stateDir: join(work, 'state'), stopGraceMs: 200 });
    const id = `orphan-${randomBytes(3).toString('hex')}`;
    const dirs = {
      dataDir: join(work, 'data'),
      homeDir: join(work, 'home'),
      outputsDir: join(work, 'out'),
      importsDir: join(work, 'in'),
      socketDir: join(work, 'sock'),
    };
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    try {
      await orphan.start({
        roomId: id,
        projectId: p.projectId,
        ...dirs,
        limits: { memoryBytes: 512 << 20, cpuMillis: 500, pids: 64 },
        jupyterToken: 'o'.repeat(40),
        baseUrl: `/rooms/${id}/`,
        program: 'stub',
      });
      for (let i = 0; i < 200 && (await orphan.poll(id)).state !== 'running'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await owned()).toContain(id);
      const report = await p.rooms.reconciler.runOnce();
      expect(report.orphansRemoved).toEqual([id]);
      expect(await owned()).toEqual([]);
    } finally {
      await orphan.stop(id);
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it('every room of a project whose permit expired is stopped, and no room starts after', async () => {
    const room = await p.startRoom('researcher');
    const amend = await p.call('POST', `/api/projects/${p.projectId}/permit/amendments`, {
      as: 'admin1',
      body: { caseType: 'new_period', reason: 'shorter period for the test', expiresAt: new Date(p.clock.now().getTime() + 3_600_000).toISOString() },
    });
    expect(amend.status).toBe(201);
    p.clock.advance(2 * 3_600_000);
    p.forgetTokens();
    const report = await p.rooms.reconciler.runOnce();
    expect(report.stopped).toEqual([{ roomId: room.id, reason: 'permit_expired' }]);
    await p.waitState(room.id, 'stopped');
    const again = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'researcher', body: {} });
    expect({ status: again.status, reason: again.body.reason }).toEqual({ status: 403, reason: 'permit_expired' });
  }, 60_000);
  it("the operators' room history lists every room of the file's runs, newest first, with start, stop and the reason, per project and per room", async () => {
    const all = await p.call('GET', '/api/operator/rooms/history?limit=200', { as: 'operator' });
    expect(all.status).toBe(200);
    const rows = await p.deps.store.query<{ id: string; stopReason: string | null }>(
      `SELECT id, stop_reason AS "stopReason" FROM rooms ORDER BY created_at DESC, id`,
    );
    expect(all.body.map((r: { id: string; stopReason: string | null }) => ({ id: r.id, stopReason: r.stopReason }))).toEqual(rows);
    expect(all.body.map((r: { stopReason: string | null }) => r.stopReason)).toEqual(
      expect.arrayContaining(['idle', 'max_lifetime', 'permit_expired', 'operator']),
    );
    for (const r of all.body) expect(r).toMatchObject({ projectId: p.projectId, projectTitle: expect.any(String), createdAt: expect.any(String) });
    const first = all.body.at(-1);
    expect(first.runningAt && first.stoppedAt).toBeTruthy();
    const one = await p.call('GET', `/api/operator/rooms/history?room=${first.id}`, { as: 'operator' });
    expect(one.body.map((r: { id: string }) => r.id)).toEqual([first.id]);
    const page = await p.call('GET', `/api/operator/rooms/history?limit=2&project=${p.projectId}`, { as: 'operator' });
    expect(page.body.map((r: { id: string }) => r.id)).toEqual(rows.slice(0, 2).map((r) => r.id));
    const next = await p.call('GET', `/api/operator/rooms/history?limit=2&before=${encodeURIComponent(page.body[1].createdAt)}`, { as: 'operator' });
    expect(next.body.map((r: { id: string }) => r.id)).toEqual(rows.slice(2, 4).map((r) => r.id));
    expect((await p.call('GET', '/api/operator/rooms/history', { as: 'auditor' })).status).toBe(403);
    expect((await p.call('GET', '/api/operator/rooms/history?limit=201', { as: 'operator' })).status).toBe(400);
  }, 60_000);
});

describe.skipIf(skip !== undefined)('one data-access gate for the proxy and the reconcile loop', () => {
  it('a member removed from the project is refused by the proxy and their room stopped by the reconcile loop, for the same reason', async () => {
    const p = await startRoomsPlatform();
    try {
      const room = await p.startRoom('researcher');
      expect((await roomCall(p, room.id, 'GET', `/rooms/${room.id}/`, { as: 'researcher' })).status).toBe(200);
      const removed = await p.call('DELETE', `/api/projects/${p.projectId}/members/researcher`, { as: 'lead' });
      expect(removed.status).toBeLessThan(300);
      const refused = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/`, { as: 'researcher' });
      const report = await p.rooms.reconciler.runOnce();
      expect({ proxy: [refused.status, refused.body.reason], stopped: report.stopped }).toEqual({
        proxy: [403, 'not_a_member'],
        stopped: [{ roomId: room.id, reason: 'not_a_member' }],
      });
      expect(await p.waitState(room.id, 'stopped')).toMatchObject({ stopReason: 'not_a_member' });
    } finally {
      await p.rooms.reconciler.runOnce().catch(() => undefined);
      await p.stop();
    }
  }, 120_000);
});

describe.skipIf(skip !== undefined)('standby rooms prepared ahead of demand', () => {
  it('a recent member gets a standby room of their own, unreachable until handed over at start, then a fresh one', async () => {
    const p = await startRoomsPlatform({ poolSize: 1 });
    try {
      const first = await p.startRoom('researcher');
      await p.call('POST', `/api/rooms/${first.id}/stop`, { as: 'researcher' });
      await p.waitState(first.id, 'stopped');
      let standby: { id: string; owner: string; wanted: string; state: string } | undefined;
      for (let i = 0; i < 200 && standby?.state !== 'running'; i++) {
        await p.rooms.reconciler.runOnce();
        standby = ((await p.call('GET', '/api/operator/rooms', { as: 'operator' })).body as (typeof standby)[])[0];
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(standby).toMatchObject({ owner: 'researcher', wanted: 'standby', state: 'running' });
      expect((await roomCall(p, standby!.id, 'GET', `/rooms/${standby!.id}/lab`, { as: 'researcher' })).status).toBe(503);
      expect((await p.call('GET', '/api/rooms', { as: 'researcher' })).body.map((r: { id: string }) => r.id)).toEqual([first.id]);
      const started = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'researcher', body: {} });
      expect({ status: started.status, id: started.body.id, state: started.body.state, wanted: started.body.wanted }).toEqual({
        status: 201,
        id: standby!.id,
        state: 'running',
        wanted: 'running',
      });
      expect((await roomCall(p, standby!.id, 'GET', `/rooms/${standby!.id}/lab`, { as: 'researcher' })).status).toBe(200);
      const tokens = await p.deps.store.query<{ t: string }>('SELECT jupyter_token_sealed AS t FROM rooms WHERE id = ANY($1)', [[first.id, standby!.id]]);
      expect(new Set(tokens.map((r) => r.t)).size).toBe(2);
      // Nobody else's room is prepared, and the member's next standby comes only after this one ends.
      await p.rooms.reconciler.runOnce();
      expect(((await p.call('GET', '/api/operator/rooms', { as: 'operator' })).body as unknown[]).length).toBe(1);
      await p.call('POST', `/api/rooms/${standby!.id}/stop`, { as: 'researcher' });
      await p.waitState(standby!.id, 'stopped');
      await p.rooms.reconciler.runOnce();
      const next = (await p.call('GET', '/api/operator/rooms', { as: 'operator' })).body as { id: string; wanted: string; owner: string }[];
      expect(next.map((r) => [r.owner, r.wanted])).toEqual([['researcher', 'standby']]);
      expect(next[0]!.id).not.toBe(standby!.id);
      await p.call('POST', `/api/rooms/${next[0]!.id}/stop`, { as: 'operator' });
      await p.rooms.reconciler.runOnce();
    } finally {
      await p.stop();
    }
  }, 120_000);
});

describe.skipIf(skip !== undefined)('room lifecycle across control-plane restarts', () => {
  it('a restarted control plane adopts its running room and ends with no orphan', async () => {
    const first = await startRoomsPlatform();
    const room = await first.startRoom('researcher');
    const { dataDir } = first;
    await first.close(); // rooms survive: the local driver does not tie them to the control plane
    const config = loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: true, demoPassword: 'demo' });
    const second = await startPlatform(config, { clock: first.clock, logger: silentLogger, modules: [createRoomsModule(TEST_ROOM_OPTIONS)] });
    try {
      const rooms = second.modules.rooms;
      const report = await rooms.reconciler.runOnce();
      expect(report).toEqual({ leader: true, orphansRemoved: [], stopped: [] });
      expect((await rooms.service.all()).map((r) => [r.id, r.state])).toEqual([[room.id, 'running']]);
      expect((await rooms.drivers.get('local')!.listOwned()).map((r) => r.roomId)).toEqual([room.id]);
      await rooms.service.stop({ userId: 'researcher', displayName: '', roles: ['researcher'], via: 'token' }, room.id);
      await rooms.reconciler.runOnce();
      expect(await rooms.drivers.get('local')!.listOwned()).toEqual([]);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('two control planes on one database: one holds the lease and reconciles, both serve', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'rooms-shared-db-'));
    const db = await startEmbedded(dbDir);
    const url = `postgres://${db.user}:${encodeURIComponent(db.password)}@localhost:${db.port}/${db.database}?host=${encodeURIComponent(db.socketDir)}`;
    const masterKey = randomBytes(32).toString('base64');
    const a = await withRooms(await startTestPlatform({ databaseUrl: url, masterKey }, { modules: [createRoomsModule(TEST_ROOM_OPTIONS)] }));
    const b = await withRooms(await startTestPlatform({ databaseUrl: url, masterKey }, { modules: [createRoomsModule(TEST_ROOM_OPTIONS)] }));
    try {
      const first = await a.rooms.reconciler.runOnce();
      const second = await b.rooms.reconciler.runOnce();
      expect([first.leader, second.leader]).toEqual([true, false]);
      // A room asked of the follower is started by the leader and reachable through either proxy.
      const res = await b.call('POST', `/api/projects/${b.projectId}/rooms`, { as: 'researcher', body: {} });
      for (let i = 0; i < 200 && (await b.call('GET', `/api/rooms/${res.body.id}`, { as: 'researcher' })).body.state !== 'running'; i++) {
        await a.rooms.reconciler.runOnce();
        await new Promise((r) => setTimeout(r, 50));
      }
      await b.waitState(res.body.id, 'running');
      for (const cp of [a, b]) expect((await roomCall(cp, res.body.id, 'GET', `/rooms/${res.body.id}/api/status`, { as: 'researcher' })).status).toBe(200);
      expect((await b.rooms.reconciler.runOnce()).leader).toBe(false);
      // The leader leaves: the follower takes over and stops the room it is asked to stop.
      await a.rooms.reconciler.stop();
      await b.call('POST', `/api/rooms/${res.body.id}/stop`, { as: 'researcher' });
      expect((await b.rooms.reconciler.runOnce()).leader).toBe(true);
      expect((await b.call('GET', `/api/rooms/${res.body.id}`, { as: 'researcher' })).body.state).toBe('stopped');
    } finally {
      await a.close();
      await b.close();
      await db.stop();
      rmSync(dbDir, { recursive: true, force: true });
      rmSync(a.dataDir, { recursive: true, force: true });
      rmSync(b.dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
