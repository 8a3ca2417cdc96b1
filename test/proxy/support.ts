/**
 * Shared by the rooms lifecycle and proxy tests: a control plane with the rooms module on the real
 * local (bubblewrap) driver, rooms running the `stub` server unless told otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createRoomsModule,
  type RoomsModule,
  type RoomsOptionsInput,
  type RoomView,
  type RoomEndpoint,
  type RoomSpec,
  getRoom,
  roomUrl,
  tokenContext,
} from '../../control-plane/src/rooms/index.ts';
import type { ConfigInput } from '../../control-plane/src/server/index.ts';
import { Agent, fetch as undiciFetch } from 'undici';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

export const rootfsDir = process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs');

/** Why room tests cannot run here, or undefined. */
export function roomsUnavailable(): string | undefined {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'bubblewrap is not installed';
  }
  if (!existsSync(join(rootfsDir, 'usr/local/lib/analyserom/stub-server.py'))) return `room file system not built at ${rootfsDir}`;
  return undefined;
}

/** Settings for tests: the loop runs only when kicked or called, decisions are not cached. */
export const TEST_ROOM_OPTIONS: RoomsOptionsInput = {
  program: 'stub',
  rootfsDir,
  reconcileMs: 3_600_000,
  fastReconcileMs: 50,
  proxyAuthCacheMs: 0,
  activityFlushMs: 0,
  localStopGraceMs: 200,
  startTimeoutSeconds: 600,
  idleMinutes: 60,
  maxHours: 12,
};

export interface RoomsPlatform extends TestPlatform {
  rooms: RoomsModule;
  projectId: string;
  waitState(roomId: string, state: RoomView['state'], timeoutMs?: number): Promise<RoomView>;
  startRoom(as: string, body?: Record<string, unknown>): Promise<RoomView>;
}

export async function startRoomsPlatform(options: RoomsOptionsInput = {}, config: ConfigInput = {}): Promise<RoomsPlatform> {
  const p = await startTestPlatform(config, { modules: [createRoomsModule({ ...TEST_ROOM_OPTIONS, ...options })] });
  return withRooms(p);
}

export async function withRooms(p: TestPlatform): Promise<RoomsPlatform> {
  const rooms = p.modules.rooms;
  const projects = await p.call('GET', '/api/projects', { as: 'researcher' });
  const projectId = (projects.body as { id: string }[])[0]!.id;
  // The demo copy is made in the background after start; a room started before it would be
  // recycled when it lands. Rooms tests begin once the project's data is in place.
  for (let i = 0; i < 600; i++) {
    const copies = await p.call('GET', `/api/projects/${projectId}/copies`, { as: 'researcher' });
    if ((copies.body as { copies?: unknown[] }).copies?.length) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  async function waitState(roomId: string, state: RoomView['state'], timeoutMs = 30_000): Promise<RoomView> {
    const deadline = Date.now() + timeoutMs;
    let last: RoomView | undefined;
    while (Date.now() < deadline) {
      const r = await p.call('GET', `/api/rooms/${roomId}`, { as: 'operator' });
      last = r.body as RoomView;
      if (last.state === state) return last;
      if (last.state === 'failed' && state !== 'failed') throw new Error(`room failed: ${last.failureReason} ${last.failureMessage}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`room ${roomId} not ${state} in time (last ${last?.state})`);
  }
  async function startRoom(as: string, body: Record<string, unknown> = {}): Promise<RoomView> {
    const r = await p.call('POST', `/api/projects/${projectId}/rooms`, { as, body });
    if (r.status !== 201 && r.status !== 200) throw new Error(`start failed: ${r.status} ${JSON.stringify(r.body)}`);
    return waitState((r.body as RoomView).id, 'running');
  }
  return Object.assign(p, { rooms, projectId, waitState, startRoom });
}

/** The `Host` a room is served at (its own origin's host), for clients connecting to the platform's address. */
export function roomHost(p: RoomsPlatform, roomId: string): string {
  return new URL(p.rooms.hosts.origin(roomId)).host;
}

/**
 * Resolves every name to loopback, as browsers do for `*.localhost` (Node's resolver does not):
 * clients here reach a room at its own origin, `http://<room>.rooms.localhost:<port>`.
 */
export const loopback = new Agent({ connect: { lookup: (_host, _opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) } });

/** `fetch` at a room's own origin; redirects are not followed. */
export function roomFetch(
  p: RoomsPlatform,
  roomId: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; signal?: AbortSignal } = {},
) {
  return undiciFetch(`${p.rooms.hosts.origin(roomId)}${path}`, { redirect: 'manual', dispatcher: loopback, ...init });
}

/** Like `p.call`, at a room's own origin. */
export async function roomCall(
  p: RoomsPlatform,
  roomId: string,
  method: string,
  path: string,
  opts: { as?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.as) headers.authorization = `Bearer ${await p.token(opts.as)}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await roomFetch(p, roomId, path, { method, headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

/**
 * Enters a room as a browser does: the platform session (`cookie`) asks the platform's
 * `/rooms/<id>/lab`, which hands off to the room's origin; the room's answer sets the room cookie.
 * Returns the room cookie (`name=value`) and the hand-off URL that was used.
 */
export async function enterRoom(p: RoomsPlatform, roomId: string, platformCookie: string): Promise<{ cookie: string; handoff: string }> {
  const first = await fetch(`${p.url}/rooms/${roomId}/lab`, { headers: { cookie: platformCookie }, redirect: 'manual' });
  const handoff = first.headers.get('location');
  if (first.status !== 303 || !handoff) throw new Error(`no hand-off: ${first.status} ${await first.text()}`);
  const u = new URL(handoff);
  const landed = await roomFetch(p, roomId, `${u.pathname}${u.search}`);
  const set = landed.headers.get('set-cookie');
  if (landed.status !== 200 || !set) throw new Error(`hand-off refused: ${landed.status} ${await landed.text()}`);
  return { cookie: set.split(';')[0]!, handoff };
}

/** What the room clients (`test/rooms/room-client.ts`) need to run code in a platform's room: its endpoint and token. */
export async function roomAccess(p: RoomsPlatform, roomId: string): Promise<{ endpoint: RoomEndpoint; spec: RoomSpec }> {
  const room = (await getRoom(p.deps.store, roomId))!;
  const token = p.deps.box.open(room.jupyterTokenSealed, tokenContext(roomId)).toString('utf8');
  return { endpoint: room.endpoint!, spec: { baseUrl: roomUrl(roomId), jupyterToken: token } as RoomSpec };
}
