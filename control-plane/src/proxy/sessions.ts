/**
 * Room sessions for the audit log, as rows (`room_audit_sessions`): a session opens with a member's
 * first allowed request to a room through any control plane (`room.session.open`) and is closed
 * by the reconcile leader (`session-close.ts`) when idle, when its room ended or when the control
 * plane that last served it stopped beating (`room.session.close`). Only opens, closes and
 * refusals are audited, not every request.
 *
 * The open is committed before the request that opened it is forwarded: the row is inserted, the
 * audit entry committed, then the row's transaction commits. Another control plane inserting the
 * same (user, room) meanwhile waits on the uncommitted row (unique key), then finds it and adopts
 * the session: one open per member and room across control planes. If the row's commit fails after
 * the entry, the entry stands without a row and the next request opens again. Opens in flight are
 * few (`MAX_OPENING`): each holds a store connection while the audit log needs another.
 *
 * Requests of an open session are not written one by one: `touchOpen` / `touch` note the time in
 * memory and `flush` (every few seconds) writes the touched sessions' `last_seen` in one statement,
 * with this control plane's heartbeat. A session found closed elsewhere is forgotten, by the flush
 * or by `forget` (the store's notification of a close), and the next request opens a new one. At
 * most `MAX_OPEN` sessions are held: the oldest is forgotten, and its next request adopts its row.
 */
import { randomBytes } from 'node:crypto';
import type { AuditService, Clock } from '../platform/index.ts';
import type { Store } from '../store/index.ts';
import { closeSessions } from './session-close.ts';

interface Open {
  id: string;
  key: string;
  lastSeen: number;
  /** `lastSeen` as last written; below it the session needs a flush. */
  flushed: number;
}

interface SessionTrackerDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  /** This control plane, as `proxy_replicas` knows it. */
  replicaId: string;
  idleMs: number;
}

const HEARTBEAT =
  'INSERT INTO proxy_replicas (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_at = GREATEST(proxy_replicas.seen_at, EXCLUDED.seen_at)';
const MAX_OPEN = 10_000;
const MAX_OPENING = 4;

export function createSessionTracker(d: SessionTrackerDeps) {
  const open = new Map<string, Open>();
  const byId = new Map<string, Open>();
  const opening = new Map<string, Promise<void>>();
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  const remember = (s: Open) => {
    const old = open.get(s.key);
    if (old) drop(old);
    else if (open.size >= MAX_OPEN) drop(open.values().next().value!);
    open.set(s.key, s);
    byId.set(s.id, s);
  };
  const drop = (s: Open) => {
    if (open.get(s.key) === s) open.delete(s.key);
    byId.delete(s.id);
  };

  async function limited<T>(fn: () => Promise<T>): Promise<T> {
    while (inFlight >= MAX_OPENING) await new Promise<void>((r) => waiters.push(r));
    inFlight++;
    try {
      return await fn();
    } finally {
      inFlight--;
      waiters.shift()?.();
    }
  }

  /** Opens (or adopts) the session of `userId` in `roomId`; resolves once it is committed. */
  async function openSession(key: string, userId: string, roomId: string, projectId: string, clientAddress: string | null): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = d.clock.now();
      const id = `rs-${randomBytes(9).toString('base64url')}`;
      // The row names this control plane: its heartbeat must exist before the row does (and is
      // written on its own, so opens do not queue on its row lock).
      await d.store.query(HEARTBEAT, [d.replicaId, now]);
      const found = await limited(() =>
        d.store.tx(async (q) => {
          const inserted = await q.query(
            `INSERT INTO room_audit_sessions (id, user_id, room_id, project_id, opened_at, last_seen, replica) VALUES ($1, $2, $3, $4, $5, $5, $6)
           ON CONFLICT (user_id, room_id) DO NOTHING RETURNING id`,
            [id, userId, roomId, projectId, now, d.replicaId],
          );
          if (inserted.length) {
            await d.audit.record({
              actor: userId,
              role: 'researcher',
              action: 'room.session.open',
              object: `room:${roomId}`,
              projectId,
              outcome: 'success',
              reason: null,
              requestId: null,
              clientAddress,
              details: { session: id },
            });
            return { id, adopted: false };
          }
          const [row] = await q.query<{ id: string }>('SELECT id FROM room_audit_sessions WHERE user_id = $1 AND room_id = $2', [userId, roomId]);
          return row ? { id: row.id, adopted: true } : undefined;
        }),
      );
      if (!found) continue; // closed between the insert and the look-up: open anew
      // An adopted session is flushed at once, so the row names a live control plane.
      remember({ id: found.id, key, lastSeen: now.getTime(), flushed: found.adopted ? 0 : now.getTime() });
      return;
    }
    throw new Error(`room session of ${userId} in ${roomId} kept closing while being opened`);
  }

  /**
   * Writes this control plane's heartbeat and the touched sessions' last request times; forgets
   * sessions closed elsewhere and those idle here past the limit (the leader closes their rows).
   */
  async function flush(): Promise<void> {
    const now = d.clock.now();
    await d.store.query(HEARTBEAT, [d.replicaId, now]);
    const dirty = [...open.values()].filter((s) => s.lastSeen > s.flushed);
    for (const s of open.values()) if (now.getTime() - s.lastSeen >= d.idleMs) drop(s);
    if (!dirty.length) return;
    const seen = dirty.map((s) => s.lastSeen);
    const kept = await d.store.query<{ id: string }>(
      `UPDATE room_audit_sessions s SET last_seen = GREATEST(s.last_seen, v.seen), replica = $1
         FROM unnest($2::text[], $3::timestamptz[]) AS v(id, seen) WHERE s.id = v.id RETURNING s.id`,
      [d.replicaId, dirty.map((s) => s.id), seen.map((t) => new Date(t))],
    );
    const alive = new Set(kept.map((r) => r.id));
    dirty.forEach((s, i) => {
      if (alive.has(s.id)) s.flushed = Math.max(s.flushed, seen[i]!);
      else drop(s);
    });
  }

  return {
    /** Marks a request of a session known open and returns true; false when it must be opened (`touch`). */
    touchOpen(userId: string, roomId: string): boolean {
      const s = open.get(`${userId}\n${roomId}`);
      if (!s) return false;
      s.lastSeen = d.clock.now().getTime();
      return true;
    },
    /** Marks a request; resolves once a new session's open is committed. */
    async touch(userId: string, roomId: string, projectId: string, clientAddress: string | null): Promise<void> {
      const key = `${userId}\n${roomId}`;
      const s = open.get(key);
      if (s) {
        s.lastSeen = d.clock.now().getTime();
        return;
      }
      let pending = opening.get(key);
      if (!pending) {
        pending = openSession(key, userId, roomId, projectId, clientAddress).finally(() => opening.delete(key));
        opening.set(key, pending);
      }
      await pending;
    },
    flush,
    /** A session closed (by any control plane): its next request opens a new one. */
    forget(sessionId: string): void {
      const s = byId.get(sessionId);
      if (s) drop(s);
    },
    /** Forgets every session (notifications may have been missed): the next requests adopt or open. */
    clear(): void {
      open.clear();
      byId.clear();
    },
    /** On shutdown: writes what is pending, then closes the sessions this control plane served last. */
    async closeOwn(): Promise<number> {
      await flush();
      open.clear();
      byId.clear();
      const closed = await closeSessions({ store: d.store, audit: d.audit, clock: d.clock }, { replica: d.replicaId });
      await d.store.query('DELETE FROM proxy_replicas WHERE id = $1', [d.replicaId]);
      return closed;
    },
  };
}

export type SessionTracker = ReturnType<typeof createSessionTracker>;
