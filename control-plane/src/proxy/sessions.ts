/**
 * Room sessions for the audit log: a session opens with a member's first allowed request to a room
 * (`room.session.open`, committed before that request is forwarded) and closes after
 * `idleMs` without requests (`room.session.close`). Every request is not audited: only opens,
 * closes and refusals. The open sessions are per control plane, in memory: after a restart a
 * member's next request opens a new session.
 */
import type { AuditService, Clock } from '../platform/index.ts';

interface Open {
  userId: string;
  roomId: string;
  projectId: string;
  openedAt: number;
  lastSeen: number;
}

export function createSessionTracker(d: { audit: AuditService; clock: Clock; idleMs: number }) {
  const open = new Map<string, Open>();
  const record = (s: Open, action: 'room.session.open' | 'room.session.close', clientAddress: string | null, details: Record<string, unknown>) =>
    d.audit.record({
      actor: s.userId, role: 'researcher', action, object: `room:${s.roomId}`, projectId: s.projectId, outcome: 'success',
      reason: null, requestId: null, clientAddress, details,
    });
  return {
    /** Marks a request of an open session and returns true; false when the session must be opened (`touch`). */
    touchOpen(userId: string, roomId: string): boolean {
      const s = open.get(`${userId}\n${roomId}`);
      if (!s) return false;
      s.lastSeen = d.clock.now().getTime();
      return true;
    },
    /** Marks a request; resolves once a new session's open entry is committed. */
    async touch(userId: string, roomId: string, projectId: string, clientAddress: string | null): Promise<void> {
      const key = `${userId}\n${roomId}`;
      const now = d.clock.now().getTime();
      const s = open.get(key);
      if (s) {
        s.lastSeen = now;
        return;
      }
      const fresh: Open = { userId, roomId, projectId, openedAt: now, lastSeen: now };
      await record(fresh, 'room.session.open', clientAddress, {});
      open.set(key, fresh);
    },
    /** Closes sessions idle past the limit (or all of a room when `roomId` is given). */
    async sweep(roomId?: string): Promise<number> {
      const now = d.clock.now().getTime();
      let closed = 0;
      for (const [key, s] of open) {
        if (roomId ? s.roomId !== roomId : now - s.lastSeen < d.idleMs) continue;
        open.delete(key);
        await record(s, 'room.session.close', null, { seconds: Math.round((s.lastSeen - s.openedAt) / 1000), why: roomId ? 'room_ended' : 'idle' });
        closed++;
      }
      return closed;
    },
    async closeAll(): Promise<void> {
      for (const [key, s] of open) {
        open.delete(key);
        await record(s, 'room.session.close', null, { seconds: Math.round((s.lastSeen - s.openedAt) / 1000), why: 'shutdown' });
      }
    },
  };
}
