/**
 * Closing room sessions (`sessions.ts`), each in one transaction with its audit entry: the row is
 * locked, judged again on what is committed now, deleted, the close audited
 * (`room.session.close`, details `why` and `seconds`), then committed. The delete notifies every
 * control plane, which forgets the session. Two closers racing record one close: the second finds
 * no row. If the audit log cannot record the close, the row stays for the next pass.
 *
 * Why a session closes:
 *   - `room_ended`   its room is stopped, failed, asked to stop, or gone;
 *   - `replica_gone` the control plane that served it last has not beaten for `replicaGoneMs`
 *                    (killed, or cut off from the store): nobody is forwarding for it;
 *   - `idle`         no request for `idleMs`;
 *   - `shutdown`     its control plane stopped cleanly (`closeOwn`).
 *
 * Heartbeats are written with each control plane's clock and judged with the leader's, as the
 * reconcile lease is: hosts sharing a store keep their clocks in step (NTP).
 */
import type { AuditService, Clock } from '../platform/index.ts';
import type { Queryable, Store } from '../store/index.ts';

type SessionCloseReason = 'room_ended' | 'replica_gone' | 'idle' | 'shutdown';

/** Every open session that must close now, with why; `$1` idle cut-off, `$2` heartbeat cut-off. */
const DUE = `
  SELECT s.id, CASE
      WHEN r.id IS NULL OR r.wanted = 'stopped' OR r.state IN ('stopped', 'failed') THEN 'room_ended'
      WHEN p.id IS NULL OR p.seen_at < $2 THEN 'replica_gone'
      WHEN s.last_seen < $1 THEN 'idle'
    END AS why
    FROM room_audit_sessions s
    LEFT JOIN rooms r ON r.id = s.room_id
    LEFT JOIN proxy_replicas p ON p.id = s.replica`;

interface Row {
  id: string;
  user_id: string;
  room_id: string;
  project_id: string;
  opened_at: string;
  last_seen: string;
  replica: string;
}

interface CloseDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
}

async function closeOne(d: CloseDeps, id: string, judge: (q: Queryable, row: Row) => Promise<SessionCloseReason | null>): Promise<boolean> {
  return d.store.tx(async (q) => {
    const [row] = await q.query<Row>(
      'SELECT id, user_id, room_id, project_id, opened_at, last_seen, replica FROM room_audit_sessions WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (!row) return false;
    const why = await judge(q, row);
    if (!why) return false;
    await q.query('DELETE FROM room_audit_sessions WHERE id = $1', [id]);
    await d.audit.record({
      actor: row.user_id,
      role: 'researcher',
      action: 'room.session.close',
      object: `room:${row.room_id}`,
      projectId: row.project_id,
      outcome: 'success',
      reason: null,
      requestId: null,
      clientAddress: null,
      details: { session: row.id, why, seconds: Math.round((new Date(row.last_seen).getTime() - new Date(row.opened_at).getTime()) / 1000) },
    });
    return true;
  });
}

/**
 * Closes sessions: with `replica`, those that control plane served last (`shutdown`); else every
 * one due (the reconcile leader's pass), after which heartbeats of control planes gone with no
 * session left are removed. Returns how many were closed.
 */
export async function closeSessions(d: CloseDeps, which: { replica: string } | { idleMs: number; replicaGoneMs: number }): Promise<number> {
  let closed = 0;
  if ('replica' in which) {
    const rows = await d.store.query<{ id: string }>('SELECT id FROM room_audit_sessions WHERE replica = $1', [which.replica]);
    for (const { id } of rows) {
      // Another control plane may have served it since the look-up: then it stays open.
      if (await closeOne(d, id, async (_q, row) => (row.replica === which.replica ? 'shutdown' : null))) closed++;
    }
    return closed;
  }
  const now = d.clock.now().getTime();
  const cutoffs = [new Date(now - which.idleMs), new Date(now - which.replicaGoneMs)];
  const due = await d.store.query<{ id: string; why: SessionCloseReason | null }>(`SELECT id, why FROM (${DUE}) x WHERE why IS NOT NULL`, cutoffs);
  for (const { id } of due) {
    // Judged again under the row's lock: a flush may have landed since.
    const again = async (q: Queryable) =>
      (await q.query<{ why: SessionCloseReason | null }>(`SELECT why FROM (${DUE} WHERE s.id = $3) x`, [...cutoffs, id]))[0]?.why ?? null;
    if (await closeOne(d, id, again)) closed++;
  }
  await d.store.query('DELETE FROM proxy_replicas p WHERE p.seen_at < $1 AND NOT EXISTS (SELECT 1 FROM room_audit_sessions s WHERE s.replica = p.id)', [
    cutoffs[1],
  ]);
  return closed;
}
