/**
 * Rooms as the API sees them: one live room per project member, started only for a member the
 * permit in force authorises, at most `quotaPerProject` live rooms per project. Starting and
 * stopping only change what the store WANTS; the reconcile loop does the work.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotAllowedError, NotFoundError } from '../errors/index.ts';
import type { Principal, Clock } from '../platform/index.ts';
import { requireDataAccess } from '../projects/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Store } from '../store/index.ts';
import { driverFor, type DriverSet } from './driver-set.ts';
import type { RoomsOptions } from './options.ts';
import type { RoomView } from './schemas.ts';
import {
  claimStandby,
  countLiveInProject,
  getRoom,
  insertRoom,
  liveRoomOf,
  liveRooms,
  requestStop,
  requestStopTelling,
  roomsOfOwner,
  type DriverName,
  type Room,
} from './room-store.ts';

export type { RoomView } from './schemas.ts';

export const roomUrl = (id: string) => `/rooms/${id}/`;
export const tokenContext = (id: string) => `room-token:${id}`;
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function viewOf(r: Room, now: Date): RoomView {
  const active = r.lastActivityAt ?? r.runningAt;
  return {
    id: r.id,
    projectId: r.projectId,
    owner: r.ownerId,
    driver: r.driver,
    program: r.program,
    state: r.state,
    wanted: r.wanted,
    url: roomUrl(r.id),
    failureReason: r.failureReason,
    failureMessage: r.failureMessage,
    stopReason: r.stopReason,
    createdAt: new Date(r.createdAt).toISOString(),
    runningAt: iso(r.runningAt),
    stoppedAt: iso(r.stoppedAt),
    lastActivityAt: iso(r.lastActivityAt),
    ageSeconds: Math.round((now.getTime() - new Date(r.createdAt).getTime()) / 1000),
    idleSeconds: r.state === 'running' && active ? Math.round((now.getTime() - new Date(active).getTime()) / 1000) : null,
  };
}

export interface RoomService {
  start(p: Principal, projectId: string, driver?: DriverName): Promise<{ room: RoomView; created: boolean }>;
  stop(p: Principal, roomId: string): Promise<RoomView>;
  show(p: Principal, roomId: string): Promise<RoomView>;
  mine(p: Principal): Promise<RoomView[]>;
  all(): Promise<RoomView[]>;
  /** The raw row for a caller allowed to see it (progress events). */
  visibleRoom(p: Principal, roomId: string): Promise<Room>;
}

export function createRoomService(d: { store: Store; clock: Clock; box: SecretBox; drivers: DriverSet; options: RoomsOptions; kick(): void }): RoomService {
  const { store, clock } = d;
  async function visibleRoom(p: Principal, roomId: string): Promise<Room> {
    const room = await getRoom(store, roomId);
    if (!room) throw new NotFoundError(`no room '${roomId}'`, { reason: 'no_such_room' });
    if (room.ownerId !== p.userId && !p.roles.includes('platform_admin')) {
      throw new NotAllowedError('this is not your room', { reason: 'not_room_owner' });
    }
    return room;
  }
  return {
    visibleRoom,
    async start(p, projectId, driverName) {
      const driver = driverName ?? d.options.defaultDriver;
      driverFor(d.drivers, driver);
      const result = await store.tx(async (q) => {
        await requireDataAccess(q, p, projectId, clock.now());
        // Serialise starts of one project so the quota holds under concurrent requests.
        await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rooms:${projectId}`]);
        const existing = await liveRoomOf(q, projectId, p.userId);
        if (existing && existing.wanted !== 'standby') return { room: existing, created: false };
        if ((await countLiveInProject(q, projectId)) >= d.options.quotaPerProject) {
          throw new ConflictError(`the project already has ${d.options.quotaPerProject} rooms running`, {
            reason: 'room_quota',
            details: { quota: d.options.quotaPerProject },
          });
        }
        if (existing) {
          // A standby prepared for this member: handed over if it matches what is asked, else recycled.
          if (existing.driver === driver && (await claimStandby(q, existing.id, clock.now()))) return { room: (await getRoom(q, existing.id))!, created: true };
          await requestStop(q, existing.id, 'standby_recycled', clock.now());
          throw new ConflictError('a room prepared for you is being recycled; try again in a few seconds', { reason: 'room_stopping' });
        }
        const id = `r${randomBytes(6).toString('hex')}`;
        const token = randomBytes(32).toString('hex');
        await insertRoom(
          q,
          {
            id,
            projectId,
            ownerId: p.userId,
            driver,
            program: d.options.program,
            jupyterTokenSealed: d.box.seal(token, tokenContext(id)),
          },
          clock.now(),
        );
        return { room: (await getRoom(q, id))!, created: true };
      });
      if (result.created) d.kick();
      return { room: viewOf(result.room, clock.now()), created: result.created };
    },
    async stop(p, roomId) {
      const room = await visibleRoom(p, roomId);
      const reason = room.wanted === 'standby' ? 'standby_recycled' : room.ownerId === p.userId ? 'owner' : 'operator';
      if (await requestStopTelling(store, room, reason, clock.now())) d.kick();
      return viewOf((await getRoom(store, roomId))!, clock.now());
    },
    async show(p, roomId) {
      return viewOf(await visibleRoom(p, roomId), clock.now());
    },
    async mine(p) {
      return (await roomsOfOwner(store, p.userId)).map((r) => viewOf(r, clock.now()));
    },
    async all() {
      return (await liveRooms(store)).map((r) => viewOf(r, clock.now()));
    },
  };
}
