/** Rows of `rooms` and the few statements the service, the loop and the proxy run on them. */
import type { Reason, RoomStopReason } from '../errors/index.ts';
import { notify } from '../notifications/index.ts';
import type { Queryable, Store } from '../store/index.ts';
import type { RoomEndpoint, SavedRoomState } from './drivers/types.ts';
import type { DriverName, RoomState } from './schemas.ts';

export type { DriverName, RoomState } from './schemas.ts';

export interface Room {
  id: string;
  projectId: string;
  ownerId: string;
  driver: DriverName;
  program: 'jupyterlab' | 'stub';
  /** `standby`: started ahead of demand for its owner, not reachable until handed over. */
  wanted: 'running' | 'stopped' | 'standby';
  state: RoomState;
  failureReason: Reason | null;
  failureMessage: string | null;
  stopReason: string | null;
  driverState: SavedRoomState | null;
  endpoint: RoomEndpoint | null;
  jupyterTokenSealed: string;
  createdAt: Date;
  startedAt: Date | null;
  runningAt: Date | null;
  stoppedAt: Date | null;
  updatedAt: Date;
  lastActivityAt: Date | null;
  usageAt: Date | null;
  cpuSecondsSeen: number;
  dataDir: string | null;
}

const COLUMNS = `id, project_id AS "projectId", owner_id AS "ownerId", driver, program, wanted, state,
  failure_reason AS "failureReason", failure_message AS "failureMessage", stop_reason AS "stopReason",
  driver_state AS "driverState", endpoint, jupyter_token_sealed AS "jupyterTokenSealed", created_at AS "createdAt",
  started_at AS "startedAt", running_at AS "runningAt", stopped_at AS "stoppedAt", updated_at AS "updatedAt",
  last_activity_at AS "lastActivityAt", usage_at AS "usageAt", cpu_seconds_seen AS "cpuSecondsSeen", data_dir AS "dataDir"`;

/**
 * Rooms of every state, newest first, for the operators' room history: optionally of one project,
 * one room or one owner, at most `limit`, created before `before` (the previous page's last).
 */
export async function roomHistory(
  q: Queryable,
  f: { project?: string | undefined; room?: string | undefined; owner?: string | undefined; before?: string | undefined; limit: number },
): Promise<(Room & { projectTitle: string })[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (f.project) where.push(`project_id = $${params.push(f.project)}`);
  if (f.room) where.push(`id = $${params.push(f.room)}`);
  if (f.owner) where.push(`owner_id = $${params.push(f.owner)}`);
  if (f.before) where.push(`created_at < $${params.push(f.before)}`);
  return q.query(
    `SELECT h.*, p.title AS "projectTitle" FROM (
       SELECT ${COLUMNS} FROM rooms ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT $${params.push(f.limit)}
     ) h JOIN projects p ON p.id = h."projectId" ORDER BY h."createdAt" DESC, h.id`,
    params,
  );
}

export async function getRoom(q: Queryable, id: string): Promise<Room | undefined> {
  return (await q.query<Room>(`SELECT ${COLUMNS} FROM rooms WHERE id = $1`, [id]))[0];
}

export async function liveRooms(q: Queryable): Promise<Room[]> {
  return q.query<Room>(`SELECT ${COLUMNS} FROM rooms WHERE state NOT IN ('stopped', 'failed') ORDER BY created_at`);
}

export async function liveRoomOf(q: Queryable, projectId: string, ownerId: string): Promise<Room | undefined> {
  return (
    await q.query<Room>(`SELECT ${COLUMNS} FROM rooms WHERE project_id = $1 AND owner_id = $2 AND state NOT IN ('stopped', 'failed')`, [projectId, ownerId])
  )[0];
}

/** Live rooms that count against the project's quota (standbys do not). */
export async function countLiveInProject(q: Queryable, projectId: string): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM rooms WHERE project_id = $1 AND state NOT IN ('stopped', 'failed') AND wanted <> 'standby'`,
    [projectId],
  );
  return rows[0]?.n ?? 0;
}

/** The caller's rooms: every live one and the latest 20 ended ones. */
export async function roomsOfOwner(q: Queryable, ownerId: string): Promise<Room[]> {
  return q.query<Room>(
    `(SELECT ${COLUMNS} FROM rooms WHERE owner_id = $1 AND state NOT IN ('stopped', 'failed') AND wanted <> 'standby')
     UNION ALL
     (SELECT ${COLUMNS} FROM rooms WHERE owner_id = $1 AND state IN ('stopped', 'failed') AND stop_reason IS DISTINCT FROM 'standby_recycled' ORDER BY created_at DESC LIMIT 20)
     ORDER BY "createdAt" DESC`,
    [ownerId],
  );
}

export async function insertRoom(
  q: Queryable,
  r: Pick<Room, 'id' | 'projectId' | 'ownerId' | 'driver' | 'program' | 'jupyterTokenSealed'> & { wanted?: 'running' | 'standby' },
  now: Date,
): Promise<void> {
  await q.query(
    `INSERT INTO rooms (id, project_id, owner_id, driver, program, wanted, state, jupyter_token_sealed, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $8, 'requested', $6, $7, $7)`,
    [r.id, r.projectId, r.ownerId, r.driver, r.program, r.jupyterTokenSealed, now, r.wanted ?? 'running'],
  );
}

/** Hands a standby room over to its owner: from now on it is theirs, reachable, and its lifetime counts. */
export async function claimStandby(q: Queryable, id: string, now: Date): Promise<boolean> {
  const rows = await q.query(
    `UPDATE rooms SET wanted = 'running', started_at = $2, last_activity_at = $2, updated_at = $2
      WHERE id = $1 AND wanted = 'standby' AND state NOT IN ('stopped', 'failed', 'stopping') RETURNING id`,
    [id, now],
  );
  return rows.length > 0;
}

type Patch = Partial<
  Pick<
    Room,
    | 'wanted'
    | 'state'
    | 'failureReason'
    | 'failureMessage'
    | 'stopReason'
    | 'driverState'
    | 'endpoint'
    | 'startedAt'
    | 'runningAt'
    | 'stoppedAt'
    | 'usageAt'
    | 'cpuSecondsSeen'
    | 'dataDir'
  >
>;
const PATCH_COLUMNS: Record<keyof Patch, string> = {
  wanted: 'wanted',
  state: 'state',
  failureReason: 'failure_reason',
  failureMessage: 'failure_message',
  stopReason: 'stop_reason',
  driverState: 'driver_state',
  endpoint: 'endpoint',
  startedAt: 'started_at',
  runningAt: 'running_at',
  stoppedAt: 'stopped_at',
  usageAt: 'usage_at',
  cpuSecondsSeen: 'cpu_seconds_seen',
  dataDir: 'data_dir',
};

export async function updateRoom(q: Queryable, id: string, patch: Patch, now: Date): Promise<void> {
  const sets: string[] = ['updated_at = $2'];
  const params: unknown[] = [id, now];
  for (const [k, v] of Object.entries(patch) as [keyof Patch, unknown][]) {
    params.push(k === 'driverState' || k === 'endpoint' ? (v === null ? null : JSON.stringify(v)) : v);
    sets.push(`${PATCH_COLUMNS[k]} = $${params.length}`);
  }
  await q.query(`UPDATE rooms SET ${sets.join(', ')} WHERE id = $1`, params);
}

/** Asks for a stop; a room already ending keeps its first reason. Returns false when the room was not live. */
export async function requestStop(q: Queryable, id: string, reason: RoomStopReason, now: Date): Promise<boolean> {
  const rows = await q.query(
    `UPDATE rooms SET wanted = 'stopped', stop_reason = COALESCE(stop_reason, $2), updated_at = $3
      WHERE id = $1 AND state NOT IN ('stopped', 'failed') RETURNING id`,
    [id, reason, now],
  );
  return rows.length > 0;
}

/**
 * `requestStop`, and in the same transaction a notification to the room's owner when someone or
 * something else stopped it (an operator, the permit's expiry, idleness): the owner stopping
 * their own room, or a standby being recycled, tells no one.
 */
export async function requestStopTelling(
  store: Store,
  room: Pick<Room, 'id' | 'projectId' | 'ownerId' | 'wanted'>,
  reason: RoomStopReason,
  now: Date,
): Promise<boolean> {
  return store.tx(async (q) => {
    if (!(await requestStop(q, room.id, reason, now))) return false;
    if (room.wanted !== 'standby' && reason !== 'owner' && reason !== 'standby_recycled') {
      await notify(
        q,
        [room.ownerId],
        { kind: 'room.stopped', params: { room: room.id, reason }, link: `/projects/${room.projectId}/room`, projectId: room.projectId },
        now,
      );
    }
    return true;
  });
}

/** Activity only moves forward, whichever control plane writes it. */
export async function recordActivity(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query('UPDATE rooms SET last_activity_at = GREATEST(COALESCE(last_activity_at, $2), $2) WHERE id = $1', [id, at]);
}
