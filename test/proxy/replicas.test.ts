/**
 * Control planes sharing one PostgreSQL: room sessions and access decisions follow the store, not
 * one process's memory. Two control planes in this process (each its own manual clock), a third in
 * a process of its own for the case that kills one; rooms are real bubblewrap sandboxes (stub).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRoomsModule, type RoomView } from '../../control-plane/src/rooms/index.ts';
import { startEmbedded } from '../../control-plane/src/store/index.ts';
import { startTestPlatform } from '../support/platform.ts';
import { REPLICA_TEST_OPTIONS } from './replica-options.ts';
import { request } from 'undici';
import { roomsUnavailable, withRooms, type RoomsPlatform } from './support.ts';

const skip = roomsUnavailable();
const CHILD = fileURLToPath(new URL('./replica-child.ts', import.meta.url));

describe.skipIf(skip !== undefined)(`control planes sharing a store${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dbDir: string;
  let db: Awaited<ReturnType<typeof startEmbedded>>;
  let url: string;
  let masterKey: string;
  let a: RoomsPlatform;
  let b: RoomsPlatform;
  let room: RoomView;
  let leadRoom: RoomView;

  const sessionRows = (roomId: string) => a.deps.store.query<{ user_id: string }>('SELECT user_id FROM room_audit_sessions WHERE room_id = $1', [roomId]);
  const audits = (action: string, roomId: string) =>
    a.deps.store.query<{ actor: string; details: Record<string, unknown> }>(
      'SELECT actor, details FROM audit_log WHERE action = $1 AND object = $2 ORDER BY seq',
      [action, `room:${roomId}`],
    );
  /** A room request on the control plane at `baseUrl` (the room's Host, a bearer token), its status. */
  async function status(baseUrl: string, roomId: string, as: string): Promise<number> {
    const res = await request(`${baseUrl}/rooms/${roomId}/api/status`, {
      headers: { host: `${roomId}.rooms.localhost`, authorization: `Bearer ${await a.token(as)}` },
    });
    await res.body.dump();
    return res.statusCode;
  }
  /** Moves both in-process clocks and waits until both control planes have beaten at the new time. */
  async function advance(ms: number): Promise<void> {
    a.clock.advance(ms);
    b.clock.advance(ms);
    const at = a.clock.now();
    await vi.waitFor(
      async () => {
        const [row] = await a.deps.store.query<{ n: number }>('SELECT count(*)::int AS n FROM proxy_replicas WHERE seen_at >= $1', [at]);
        expect(row!.n).toBeGreaterThanOrEqual(2);
      },
      { timeout: 20_000, interval: 50 },
    );
  }
  async function startRoom(as: string): Promise<RoomView> {
    const res = await b.call('POST', `/api/projects/${b.projectId}/rooms`, { as, body: {} });
    for (let i = 0; i < 600 && (await b.call('GET', `/api/rooms/${res.body.id}`, { as })).body.state !== 'running'; i++) {
      await a.rooms.reconciler.runOnce();
      await new Promise((r) => setTimeout(r, 50));
    }
    return b.waitState(res.body.id, 'running');
  }

  beforeAll(async () => {
    dbDir = mkdtempSync(join(tmpdir(), 'proxy-replicas-db-'));
    db = await startEmbedded(dbDir);
    url = `postgres://${db.user}:${encodeURIComponent(db.password)}@localhost:${db.port}/${db.database}?host=${encodeURIComponent(db.socketDir)}`;
    masterKey = randomBytes(32).toString('base64');
    a = await withRooms(await startTestPlatform({ databaseUrl: url, masterKey }, { modules: [createRoomsModule(REPLICA_TEST_OPTIONS)] }));
    b = await withRooms(await startTestPlatform({ databaseUrl: url, masterKey }, { modules: [createRoomsModule(REPLICA_TEST_OPTIONS)] }));
    expect((await a.rooms.reconciler.runOnce()).leader).toBe(true);
    room = await startRoom('researcher');
    leadRoom = await startRoom('lead');
  }, 180_000);
  afterAll(async () => {
    for (const r of [room, leadRoom]) if (r) await a.call('POST', `/api/rooms/${r.id}/stop`, { as: 'operator' });
    await a?.rooms.reconciler.runOnce();
    await b?.stop();
    await a?.stop();
    await db?.stop();
    rmSync(dbDir, { recursive: true, force: true });
  }, 60_000);

  it("a member's requests on both control planes at once open one session, audited once", async () => {
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => status((i % 2 ? a : b).url, room.id, 'researcher')));
    expect(all).toEqual(Array(12).fill(200));
    for (const cp of [a, b]) expect(await status(cp.url, room.id, 'researcher')).toBe(200);
    expect((await sessionRows(room.id)).map((r) => r.user_id)).toEqual(['researcher']);
    const opens = await audits('room.session.open', room.id);
    expect(opens.map((o) => o.actor)).toEqual(['researcher']);
  });

  it("a control plane killed with an open session has it closed by the other's reconcile, audited as gone", async () => {
    const child: ChildProcess = spawn(process.execPath, [CHILD, url, a.clock.now().toISOString()], {
      env: { ...process.env, TRE_MASTER_KEY: masterKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let childDir = '';
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`control plane exited ${code}`)));
        createInterface({ input: child.stdout! }).once('line', resolve);
      });
      const c = JSON.parse(line) as { url: string; dataDir: string };
      childDir = c.dataDir;
      expect(await status(c.url, leadRoom.id, 'lead')).toBe(200);
      expect((await sessionRows(leadRoom.id)).map((r) => r.user_id)).toEqual(['lead']);
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
      // The survivors beat on; the dead one's heartbeat falls behind (600 ms counts as gone, idle is 15 min).
      await advance(60_000);
      expect((await sessionRows(leadRoom.id)).map((r) => r.user_id)).toEqual(['lead']);
      await a.rooms.reconciler.runOnce();
      expect(await sessionRows(leadRoom.id)).toEqual([]);
      const closes = await audits('room.session.close', leadRoom.id);
      expect(closes.map((e) => ({ actor: e.actor, why: e.details.why }))).toEqual([{ actor: 'lead', why: 'replica_gone' }]);
      // The researcher's session, served by the living, stays open.
      expect((await sessionRows(room.id)).map((r) => r.user_id)).toEqual(['researcher']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (childDir) rmSync(childDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("the leader closes an idle session, audited once, and the member's next request opens a new one", async () => {
    const before = (await audits('room.session.open', room.id)).length;
    await advance(15 * 60_000 + 1_000);
    await a.rooms.reconciler.runOnce();
    expect(await sessionRows(room.id)).toEqual([]);
    expect((await audits('room.session.close', room.id)).map((e) => ({ actor: e.actor, why: e.details.why }))).toEqual([{ actor: 'researcher', why: 'idle' }]);
    // The close reaches the other control plane through the store's notification.
    await vi.waitFor(
      async () => {
        expect(await status(b.url, room.id, 'researcher')).toBe(200);
        expect((await audits('room.session.open', room.id)).length).toBe(before + 1);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect((await sessionRows(room.id)).map((r) => r.user_id)).toEqual(['researcher']);
  });

  it("a stopped room's session is closed by the pass that stops it", async () => {
    expect(await status(b.url, leadRoom.id, 'lead')).toBe(200);
    expect((await sessionRows(leadRoom.id)).map((r) => r.user_id)).toEqual(['lead']);
    expect((await b.call('POST', `/api/rooms/${leadRoom.id}/stop`, { as: 'lead' })).status).toBe(202);
    await a.rooms.reconciler.runOnce();
    expect((await b.call('GET', `/api/rooms/${leadRoom.id}`, { as: 'lead' })).body.state).toBe('stopped');
    expect(await sessionRows(leadRoom.id)).toEqual([]);
    expect((await audits('room.session.close', leadRoom.id)).map((e) => e.details.why)).toEqual(['replica_gone', 'room_ended']);
  });

  it('a member removed on one control plane is refused at once on the other, though its decisions are kept ten minutes', async () => {
    expect(await status(b.url, room.id, 'researcher')).toBe(200);
    expect(await status(a.url, room.id, 'researcher')).toBe(200);
    expect((await a.call('DELETE', `/api/projects/${a.projectId}/members/researcher`, { as: 'lead' })).status).toBe(204);
    await vi.waitFor(
      async () => {
        expect([await status(b.url, room.id, 'researcher'), await status(a.url, room.id, 'researcher')]).toEqual([403, 403]);
      },
      { timeout: 20_000, interval: 100 },
    );
  });
});
