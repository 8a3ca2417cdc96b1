/**
 * The reconcile loop: compares what the store wants with what the drivers see and acts,
 * idempotently, so that a crash at any point is repaired by the next pass.
 *
 *   - Status is rebuilt from the world on every pass (`poll`), never remembered as truth.
 *   - After a control-plane restart each room's saved driver state is loaded into the new driver
 *     instance before its first poll, so running rooms are adopted; rooms the store no longer
 *     wants are stopped; runtimes the store does not know (`listOwned`) are removed as orphans.
 *   - A running room is stopped when idle past `idleMinutes` (activity = the proxy's last
 *     successful response), past `maxHours` since it started, or when its project is closed, its
 *     permit expired, or its owner is no longer a member authorised by the permit.
 *     A room still starting is never reaped for idleness (only for `startTimeoutSeconds`).
 *   - Usage of running rooms is added to `room_usage` on every pass.
 *   - Only the holder of the store lease reconciles; the others keep serving and proxying.
 *   - With `poolSize > 0`, standby rooms are prepared ahead of demand for members who used a room
 *     recently and have none live: each is a room of its own (own sandbox, the member's home and the
 *     project's current data, a fresh token), unreachable until the member starts a room and it is
 *     handed over (`claimStandby`). A sandbox is never reused across members or rooms; standbys are
 *     recycled after `maxHours` or when the project's data copy changed.
 */
import type { AuditService, Clock, Logger } from '../platform/index.ts';
import { DomainError, type Reason, type RoomStopReason } from '../errors/index.ts';
import { dataAccessVerdicts } from '../projects/index.ts';
import type { Store } from '../store/index.ts';
import type { RoomDriver, RoomObservation, RoomSpec } from './drivers/types.ts';
import type { DriverSet } from './driver-set.ts';
import type { Lease } from './lease.ts';
import type { RoomsOptions } from './options.ts';
import { randomBytes } from 'node:crypto';
import { getRoom, insertRoom, liveRooms, requestStop, requestStopTelling, updateRoom, type Room } from './room-store.ts';
import { accountUsage } from './usage.ts';

export interface ReconcilerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  drivers: DriverSet;
  lease: Lease;
  options: RoomsOptions;
  specFor(room: Room): Promise<RoomSpec>;
  /** After the runtime of `room` was created from `spec` (its folders exist): the welcome notebook. Never throws. */
  started?(room: Room, spec: RoomSpec): Promise<void>;
  /** The data folder a new runtime of the project would get (standbys with another one are recycled). */
  dataDirFor(projectId: string): Promise<string>;
  /** A fresh sealed Jupyter token for a new room id. */
  sealToken(roomId: string): string;
  /** Called after a room's row changed (progress events, proxy cache). */
  changed(roomId: string): void;
  /** Closes the room sessions due (idle, room ended, control plane gone): the proxy's `sweepSessions`. */
  closeSessions(): Promise<unknown>;
}

export interface PassReport {
  leader: boolean;
  orphansRemoved: string[];
  stopped: { roomId: string; reason: RoomStopReason }[];
}

export interface Reconciler {
  /** One full pass now (after any pass in flight). */
  runOnce(full?: boolean): Promise<PassReport>;
  /** Ask for a pass soon (a room was requested or asked to stop). */
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

/** Live rooms as subjects of the data-access gate (`projects/data-access.ts`): each room's owner on its project. */
const LIVE_ROOM_OWNERS = `
  SELECT r.id AS key, r.project_id, r.owner_id AS user_id FROM rooms r
   WHERE r.wanted IN ('running', 'standby') AND r.state NOT IN ('stopped', 'failed')`;

// Members who used a room recently, may still use one, and have none live: who gets a standby.
const POOL_CANDIDATES = `
  SELECT r.project_id AS "projectId", r.owner_id AS "ownerId", max(r.created_at) AS last
    FROM rooms r JOIN projects p ON p.id = r.project_id AND p.status = 'active'
    JOIN project_members m ON m.project_id = r.project_id AND m.user_id = r.owner_id
    JOIN LATERAL (SELECT expires_at, authorised_persons FROM permits WHERE project_id = r.project_id ORDER BY version DESC LIMIT 1) pm
      ON pm.expires_at > $1 AND r.owner_id = ANY (pm.authorised_persons)
   WHERE r.created_at > $2 AND r.stop_reason IS DISTINCT FROM 'standby_recycled'
     AND NOT EXISTS (SELECT 1 FROM rooms l WHERE l.project_id = r.project_id AND l.owner_id = r.owner_id AND l.state NOT IN ('stopped', 'failed'))
   GROUP BY r.project_id, r.owner_id ORDER BY last DESC LIMIT $3`;

export function createReconciler(d: ReconcilerDeps): Reconciler {
  const { store: q, clock, logger, options } = d;
  const loaded = new Set<string>();
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let busy = false;

  async function update(id: string, patch: Parameters<typeof updateRoom>[2]): Promise<void> {
    await updateRoom(q, id, patch, clock.now());
    d.changed(id);
  }

  async function systemStop(room: Room, reason: RoomStopReason, report: PassReport): Promise<void> {
    if (!(await requestStopTelling(q, room, reason, clock.now()))) return;
    d.changed(room.id);
    await d.audit.record({
      actor: 'system',
      role: 'system',
      action: 'room.stop',
      object: `room:${room.id}`,
      projectId: room.projectId,
      outcome: 'success',
      reason,
      requestId: null,
      clientAddress: null,
      details: { owner: room.ownerId },
    });
    report.stopped.push({ roomId: room.id, reason });
    logger.info('room stop requested', { roomId: room.id, reason });
  }

  async function persistState(driver: RoomDriver, room: Room): Promise<void> {
    const state = driver.getState(room.id);
    if (state) await update(room.id, { driverState: state });
  }

  async function fail(driver: RoomDriver, room: Room, reason: Reason, message: string | undefined): Promise<void> {
    const now = clock.now();
    if (room.state === 'running') await accountUsage(q, room, undefined, now);
    await driver.stop(room.id).catch((err: unknown) => logger.warn('room cleanup after failure failed', { roomId: room.id, error: String(err) }));
    await update(room.id, {
      ...(room.wanted === 'standby' ? { stopReason: 'standby_recycled' } : {}),
      state: 'failed',
      wanted: 'stopped',
      failureReason: reason,
      failureMessage: message ?? null,
      endpoint: null,
      driverState: null,
      stoppedAt: now,
    });
    loaded.delete(room.id);
    logger.warn('room failed', { roomId: room.id, reason });
  }

  async function stopRoom(driver: RoomDriver, room: Room): Promise<void> {
    if (room.state !== 'stopping') {
      await update(room.id, { state: 'stopping' });
    }
    if (room.state === 'running') {
      const obs = await driver.poll(room.id).catch(() => undefined);
      await accountUsage(q, room, obs?.usage, clock.now());
    }
    await driver.stop(room.id);
    await update(room.id, { state: 'stopped', endpoint: null, driverState: null, stoppedAt: clock.now() });
    loaded.delete(room.id);
  }

  async function observe(driver: RoomDriver, room: Room, obs: RoomObservation, report: PassReport): Promise<void> {
    const now = clock.now();
    if (obs.stateChanged) await persistState(driver, room);
    switch (obs.state) {
      case 'running': {
        if (room.state !== 'running') {
          await update(room.id, { state: 'running', runningAt: now, usageAt: now, endpoint: obs.endpoint ?? null });
          return;
        }
        if (JSON.stringify(obs.endpoint ?? null) !== JSON.stringify(room.endpoint)) await update(room.id, { endpoint: obs.endpoint ?? null });
        await accountUsage(q, room, obs.usage, now);
        if (room.wanted === 'standby') {
          const stale =
            now.getTime() - new Date(room.startedAt ?? room.createdAt).getTime() >= options.maxHours * 3_600_000 ||
            (room.dataDir !== null && room.dataDir !== (await d.dataDirFor(room.projectId)));
          if (stale && (await requestStop(q, room.id, 'standby_recycled', now))) d.changed(room.id);
          return;
        }
        const lastActive = new Date(room.lastActivityAt ?? room.runningAt ?? now).getTime();
        const started = new Date(room.startedAt ?? room.createdAt).getTime();
        if (now.getTime() - started >= options.maxHours * 3_600_000) await systemStop(room, 'max_lifetime', report);
        else if (now.getTime() - lastActive >= options.idleMinutes * 60_000) await systemStop(room, 'idle', report);
        return;
      }
      case 'starting': {
        const started = new Date(room.startedAt ?? room.createdAt).getTime();
        if (now.getTime() - started >= options.startTimeoutSeconds * 1000) await fail(driver, room, 'start_timeout', 'the room did not answer in time');
        return;
      }
      case 'failed':
        return fail(driver, room, obs.reason ?? 'failed', obs.message);
      case 'stopped':
        return fail(driver, room, 'runtime_gone', 'the room runtime disappeared');
    }
  }

  async function reconcileRoom(room: Room, report: PassReport): Promise<void> {
    const driver = d.drivers.get(room.driver);
    if (!driver) {
      logger.warn('room driver not configured on the reconciling control plane', { roomId: room.id, driver: room.driver });
      return;
    }
    if (!loaded.has(room.id)) {
      if (room.driverState) driver.loadState(room.id, room.driverState);
      loaded.add(room.id);
    }
    if (room.wanted === 'stopped') return stopRoom(driver, room);
    if (room.state === 'requested') {
      let obs: RoomObservation;
      let spec: RoomSpec;
      try {
        spec = await d.specFor(room);
        await update(room.id, { state: 'starting', startedAt: clock.now(), dataDir: spec.dataDir });
        obs = await driver.start(spec);
      } catch (err) {
        return fail(
          driver,
          room,
          err instanceof DomainError ? (err.reason ?? 'start_refused') : 'start_error',
          err instanceof Error ? err.message : String(err),
        );
      }
      await persistState(driver, room);
      await d.started?.(room, spec);
      const fresh = await getRoom(q, room.id);
      if (fresh) await observe(driver, fresh, obs, report);
      return;
    }
    await observe(driver, room, await driver.poll(room.id), report);
  }

  async function removeOrphans(report: PassReport): Promise<void> {
    for (const [name, driver] of d.drivers) {
      const owned = await driver.listOwned().catch((err: unknown) => {
        logger.warn('listing room runtimes failed', { driver: name, error: String(err) });
        return [];
      });
      if (owned.length === 0) continue;
      // Read what the store wants only after listing, so a room requested meanwhile is not an orphan.
      const wanted = new Set((await liveRooms(q)).filter((r) => r.driver === name).map((r) => r.id));
      for (const o of owned) {
        if (wanted.has(o.roomId)) continue;
        await driver.stop(o.roomId);
        report.orphansRemoved.push(o.roomId);
        logger.warn('orphan room removed', { roomId: o.roomId, projectId: o.projectId, driver: name });
        await d.audit.record({
          actor: 'system',
          role: 'system',
          action: 'room.orphan.remove',
          object: `room:${o.roomId}`,
          projectId: null,
          outcome: 'success',
          reason: 'runtime not wanted by the store',
          requestId: null,
          clientAddress: null,
          details: { driver: name, projectId: o.projectId },
        });
      }
    }
  }

  /** Keeps up to `poolSize` standby rooms for recent users, each with its own sandbox, home, data mount and token. */
  async function fillPool(): Promise<void> {
    if (options.poolSize <= 0) return;
    const live = await liveRooms(q);
    const free = options.poolSize - live.filter((r) => r.wanted === 'standby').length;
    if (free <= 0) return;
    const now = clock.now();
    const since = new Date(now.getTime() - options.poolRecentDays * 86_400_000);
    for (const c of await q.query<{ projectId: string; ownerId: string }>(POOL_CANDIDATES, [now, since, free])) {
      const id = `r${randomBytes(6).toString('hex')}`;
      try {
        await insertRoom(
          q,
          {
            id,
            projectId: c.projectId,
            ownerId: c.ownerId,
            driver: options.defaultDriver,
            program: options.program,
            jupyterTokenSealed: d.sealToken(id),
            wanted: 'standby',
          },
          now,
        );
        logger.info('standby room requested', { roomId: id, projectId: c.projectId });
      } catch (err) {
        // The member started a room meanwhile (one live room per member): nothing to prepare.
        logger.debug('standby room not requested', { projectId: c.projectId, error: String(err) });
      }
    }
  }

  async function pass(full = true): Promise<PassReport> {
    const report: PassReport = { leader: false, orphansRemoved: [], stopped: [] };
    if (!(await d.lease.acquire())) return report;
    report.leader = true;
    for (const g of await dataAccessVerdicts(q, LIVE_ROOM_OWNERS, clock.now())) {
      if (!g.reason) continue;
      const room = await getRoom(q, g.key);
      if (room) await systemStop(room, g.reason, report);
    }
    const rooms = await liveRooms(q);
    await Promise.all(
      rooms.map(async (room) => {
        try {
          await reconcileRoom(room, report);
        } catch (err) {
          logger.error('room reconcile failed', { roomId: room.id, error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
    // A stop requested during this pass (idle, permit) is carried out at once.
    if (report.stopped.length) {
      for (const room of await liveRooms(q)) if (room.wanted === 'stopped') await reconcileRoom(room, report).catch(() => undefined);
    }
    await fillPool();
    if (full) await removeOrphans(report);
    if (full)
      await d.closeSessions().catch((err: unknown) => logger.warn('room sessions not closed', { error: err instanceof Error ? err.message : String(err) }));
    return report;
  }

  let lastFull = 0;
  /** A full pass also lists every runtime for orphans; the quick passes while a room starts do not. */
  function runOnce(full = true): Promise<PassReport> {
    const next = chain.then(async () => {
      busy = true;
      try {
        const now = performance.now();
        const doFull = full || now - lastFull >= options.reconcileMs;
        if (doFull) lastFull = now;
        return await pass(doFull);
      } finally {
        busy = false;
      }
    });
    chain = next.catch(() => undefined);
    return next;
  }

  function schedule(ms: number): void {
    if (!running) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = undefined;
      let soon = false;
      try {
        const report = await runOnce(false);
        soon =
          report.leader &&
          (await liveRooms(q)).some((r) => r.state === 'requested' || r.state === 'starting' || r.state === 'stopping' || r.wanted === 'stopped');
      } catch (err) {
        logger.error('reconcile pass failed', { error: err instanceof Error ? err.message : String(err) });
      }
      if (!timer) schedule(soon ? options.fastReconcileMs : options.reconcileMs);
    }, ms);
    timer.unref();
  }

  return {
    runOnce,
    kick: () => {
      if (!busy) schedule(0);
      else if (running && !timer) schedule(options.fastReconcileMs);
    },
    start() {
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await chain;
      await d.lease.release().catch(() => undefined);
    },
  };
}
