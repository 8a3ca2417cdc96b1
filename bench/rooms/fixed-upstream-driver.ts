/**
 * A room driver for the proxy throughput benchmark only: every room "runs" at one fixed upstream
 * socket, so the figures measure the proxy (authentication, access cache, policy, forwarding) and
 * not a room's server. Rooms in the cold-start measurement use the real local driver.
 */
import type { OwnedRoom, RoomDriver, RoomObservation, RoomSpec, SavedRoomState } from '../../control-plane/src/rooms/index.ts';

export function fixedUpstreamDriver(socketPath: string): RoomDriver {
  const rooms = new Map<string, RoomSpec>();
  const obs = (roomId: string): RoomObservation =>
    rooms.has(roomId)
      ? { roomId, state: 'running', endpoint: { kind: 'unix', socketPath }, startedAt: new Date().toISOString() }
      : { roomId, state: 'stopped' };
  return {
    name: 'local',
    async start(spec) {
      rooms.set(spec.roomId, spec);
      return obs(spec.roomId);
    },
    async poll(roomId) {
      return obs(roomId);
    },
    async stop(roomId) {
      rooms.delete(roomId);
    },
    getState: (roomId): SavedRoomState | undefined => (rooms.has(roomId) ? { driver: 'fixed', version: 1 } : undefined),
    loadState: () => undefined,
    async listOwned(): Promise<OwnedRoom[]> {
      return [...rooms.values()].map((s) => ({ roomId: s.roomId, projectId: s.projectId, state: 'running' }));
    },
  };
}
