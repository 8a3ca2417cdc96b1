/**
 * Who may use a room through the proxy: the room's OWNER (a room is per member), who must still be
 * a member of the room's project authorised by the permit in force (`requireDataAccess`), proven by
 * the room host's own cookie (a room session, `handoff.ts`) or an `Authorization: Bearer` token:
 * `credential.ts` reads the one credential, and the decision is made and cached under it alone.
 *
 * Decisions are cached per (credential, room) for `ttlMs` (default 5 s): a CACHE, not truth.
 * Every control plane drops the decisions a write makes stale as soon as the store notifies it
 * (`access-notify.ts`: members, permits, projects, rooms, credentials); a change is refused at the
 * latest `ttlMs` after it even when a notification is lost (permits expire by time, which no write
 * announces; the reconcile loop stops the room itself on its next pass). Refusals that can
 * resolve themselves at any moment (room not running yet, unknown room) are never cached, so a
 * starting room is reachable the moment it runs. The cache is bounded and lives in memory only.
 *
 * Concurrent requests that miss the cache for the same (credential, room) share the one decision
 * being made instead of each querying the store (without this every expiry sent all of a member's
 * requests in flight to the store at once). A shared decision began before the request arrived
 * but is younger than any cached one, and its cache entry counts `ttlMs` from when it began, so
 * the bound above holds. `invalidate` drops decisions still being made, and one made across an
 * invalidation is answered but not cached.
 */
import type { Request } from 'express';
import type { IncomingMessage } from 'node:http';
import { AuthenticationError, DomainError, NotAllowedError, NotFoundError, UnavailableError } from '../errors/index.ts';
import { authenticate } from '../identity/index.ts';
import type { Clock, Principal } from '../platform/index.ts';
import { credentialOf, type Credential } from './credential.ts';
import { roomSessionPrincipal } from './handoff.ts';
import { requireDataAccess } from '../projects/index.ts';
import type { Store } from '../store/index.ts';

export interface RoomTarget {
  roomId: string;
  projectId: string;
  ownerId: string;
  running: boolean;
  /** `socketPath` for unix endpoints, else host and port. */
  endpoint: { socketPath: string } | { host: string; port: number } | null;
  /** Jupyter's token, added by the proxy. */
  token: string;
}

export type Decision =
  | { ok: true; principal: Principal; credential: Credential; target: RoomTarget & { endpoint: NonNullable<RoomTarget['endpoint']> } }
  | { ok: false; error: DomainError; principal: Principal | null; projectId: string | null };

export interface AccessDeps {
  store: Store;
  clock: Clock;
  ttlMs: number;
  target(roomId: string): Promise<RoomTarget | undefined>;
}

const MAX_ENTRIES = 10_000;

const notAuthenticated = () => new AuthenticationError('log in first', { reason: 'not_authenticated' });

export function createAccessCache(d: AccessDeps) {
  const byRoom = new Map<string, Map<string, { decision: Decision; until: number }>>();
  const pending = new Map<string, Map<string, Promise<Decision>>>();
  let size = 0;
  /** Bumped by every `invalidate`: a decision begun before one is not cached. */
  let epoch = 0;

  /** Who `cred` is: a bearer through the platform's tokens (and nothing else of the request), a room cookie through room sessions. */
  async function principalOf(cred: Credential, roomId: string): Promise<Principal | null> {
    if (cred.kind === 'room') return roomSessionPrincipal(d.store, d.clock, cred.secret, roomId);
    const headers = { authorization: `Bearer ${cred.secret}` };
    const shim = { headers, get: (name: string) => (name.toLowerCase() === 'authorization' ? headers.authorization : undefined) } as unknown as Request;
    return authenticate(d.store, d.clock, shim);
  }

  async function decideFresh(cred: Credential, roomId: string): Promise<Decision> {
    const refuse = (error: DomainError, principal: Principal | null, projectId: string | null): Decision => ({ ok: false, error, principal, projectId });
    const principal = await principalOf(cred, roomId);
    if (!principal) return refuse(notAuthenticated(), null, null);
    const target = await d.target(roomId);
    if (!target) return refuse(new NotFoundError(`no room '${roomId}'`, { reason: 'no_such_room' }), principal, null);
    if (target.ownerId !== principal.userId)
      return refuse(new NotAllowedError('this is not your room', { reason: 'not_room_owner' }), principal, target.projectId);
    try {
      await requireDataAccess(d.store, principal, target.projectId, d.clock.now());
    } catch (err) {
      if (err instanceof DomainError) return refuse(err, principal, target.projectId);
      throw err;
    }
    if (!target.running || !target.endpoint)
      return refuse(new UnavailableError('the room is not running', { reason: 'room_not_running' }), principal, target.projectId);
    return { ok: true, principal, credential: cred, target: { ...target, endpoint: target.endpoint } };
  }

  /** Drops the cached decisions `hit` matches, and every decision still being made. */
  function dropWhere(hit: (decision: Decision) => boolean): void {
    epoch++;
    pending.clear();
    for (const [roomId, m] of byRoom) {
      for (const [key, entry] of m) {
        if (!hit(entry.decision)) continue;
        m.delete(key);
        size--;
      }
      if (!m.size) byRoom.delete(roomId);
    }
  }

  return {
    /** The cached decision, if fresh: the hot path of the proxy takes it without awaiting anything. */
    peek(req: IncomingMessage, roomId: string): Decision | undefined {
      const cred = credentialOf(req.headers);
      if (!cred) return undefined;
      const hit = byRoom.get(roomId)?.get(cred.key);
      return hit && hit.until > performance.now() ? hit.decision : undefined;
    },
    async decide(req: IncomingMessage, roomId: string): Promise<Decision> {
      const cred = credentialOf(req.headers);
      if (!cred) return { ok: false, error: notAuthenticated(), principal: null, projectId: null };
      const now = performance.now();
      const key = cred.key;
      const hit = byRoom.get(roomId)?.get(key);
      if (hit && hit.until > now) return hit.decision;
      let waiting = pending.get(roomId);
      const shared = waiting?.get(key);
      if (shared) return shared;
      const begun = epoch;
      const made = decideFresh(cred, roomId)
        .then((decision) => {
          // Who the caller is and what they may do change rarely; a room starting or appearing changes any moment.
          const cacheable = decision.ok || decision.error instanceof AuthenticationError || decision.error instanceof NotAllowedError;
          if (cacheable && d.ttlMs > 0 && begun === epoch) {
            if (size >= MAX_ENTRIES) {
              byRoom.clear();
              size = 0;
            }
            let m = byRoom.get(roomId);
            if (!m) byRoom.set(roomId, (m = new Map()));
            if (!m.has(key)) size++;
            m.set(key, { decision, until: now + d.ttlMs });
          }
          return decision;
        })
        .finally(() => {
          const w = pending.get(roomId);
          if (w?.get(key) === made) {
            w.delete(key);
            if (!w.size) pending.delete(roomId);
          }
        });
      if (!waiting) pending.set(roomId, (waiting = new Map()));
      waiting.set(key, made);
      return made;
    },
    /** Forget every decision about a room (it stopped, started or changed owner state). */
    invalidate(roomId: string): void {
      epoch++;
      pending.delete(roomId);
      const m = byRoom.get(roomId);
      if (m) {
        size -= m.size;
        byRoom.delete(roomId);
      }
    },
    /** Forget every decision about a project's rooms (its members, permit or status changed). */
    invalidateProject(projectId: string): void {
      dropWhere((dec) => (dec.ok ? dec.target.projectId : dec.projectId) === projectId);
    },
    /** Forget every decision about a user (a credential ended, the account was disabled). */
    invalidateUser(userId: string): void {
      dropWhere((dec) => dec.principal?.userId === userId);
    },
    /** Forget everything (the store's notifications may have been missed). */
    clear(): void {
      epoch++;
      pending.clear();
      byRoom.clear();
      size = 0;
    },
  };
}

export type AccessCache = ReturnType<typeof createAccessCache>;
