/**
 * Shared by the rooms lifecycle and proxy tests: a control plane with the rooms module on the real
 * local (bubblewrap) driver, rooms running the `stub` server unless told otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRoomsModule, type RoomsModule, type RoomsOptionsInput, type RoomView } from '../../control-plane/src/rooms/index.ts';
import type { ConfigInput } from '../../control-plane/src/config/index.ts';
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
  program: 'stub', rootfsDir, reconcileMs: 3_600_000, fastReconcileMs: 50, proxyAuthCacheMs: 0, activityFlushMs: 0, localStopGraceMs: 200,
  startTimeoutSeconds: 600, idleMinutes: 60, maxHours: 12,
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
  const rooms = p.modules.get('rooms') as RoomsModule;
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
