/**
 * The two ends of entering a room (`handoff.ts` holds the store side):
 *
 *   - on the platform's host, `GET /rooms/<id>/<rest>` (the UI's "open" link, a bookmark, an old
 *     URL) no longer proxies anything: the platform's logged-in owner is issued a hand-off code
 *     (audited) and sent to `<room origin>/_tre/handoff?code=…&next=/rooms/<id>/<rest>`. The
 *     platform's session cookie is SameSite=Strict, so a navigation another site starts carries
 *     none and gets no code. `POST /api/rooms/<id>/handoff` does the same for scripts (CSRF-checked
 *     like every API change).
 *   - on the room's host, `/_tre/handoff` redeems the code once and sets the room cookie: host-only
 *     (no `Domain`), HttpOnly, SameSite=Strict, Secure (and `__Host-`) under TLS. The answer is a
 *     page that moves on with a meta refresh rather than a redirect: a Strict cookie is not sent on
 *     a redirect chain a cross-site page (the platform, on another site) began, but is on a
 *     navigation the room's own page begins.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { AuditService, Principal, Clock } from '../platform/index.ts';
import { authenticate } from '../identity/index.ts';
import type { Store } from '../store/index.ts';
import type { RoomTarget } from './access.ts';
import { ROOM_COOKIE, SECURE_ROOM_COOKIE } from './credential.ts';
import { HANDOFF_SECONDS, issueHandoff, openRoomSession, redeemHandoff, sessionHash, type Parent } from './handoff.ts';
import { AuthenticationError, DomainError, NotAllowedError, NotFoundError } from '../errors/index.ts';
import { writeProblem } from '../http/index.ts';
import { checkPath } from './path-policy.ts';
import { redirect } from './redirect.ts';
import type { RoomHosts } from './room-hosts.ts';

export const HANDOFF_PATH = '/_tre/handoff';
const PLATFORM_SESSION = /(?:^|;)\s*tre_session=([^;]*)/;

export interface EntryDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  hosts: RoomHosts;
  roomSessionMinutes: number;
  target(roomId: string): Promise<RoomTarget | undefined>;
}

/** Hashes of the platform credential `principal` was authenticated with, as the store keeps them. */
export function parentOf(req: IncomingMessage, principal: Principal): Parent {
  if (principal.via === 'token') {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]?.trim();
    return { platformSession: null, platformToken: bearer ? sessionHash(bearer) : null };
  }
  const v = PLATFORM_SESSION.exec(req.headers.cookie ?? '')?.[1]?.trim();
  return { platformSession: v ? sessionHash(decodeURIComponent(v)) : null, platformToken: null };
}

/** `next` when it is a path of this room the proxy would pass, else the room's lab. */
export function safeNext(roomId: string, next: string | null): string {
  const base = `/rooms/${roomId}/`;
  if (!next?.startsWith(base) || /[\s"'<>\\]/.test(next)) return `${base}lab`;
  const v = checkPath('GET', next);
  return v.ok && v.roomId === roomId ? next : `${base}lab`;
}

export function createEntry(d: EntryDeps) {
  const audit = (
    req: IncomingMessage,
    actor: Principal | null,
    action: string,
    roomId: string,
    projectId: string | null,
    outcome: 'success' | 'denied',
    reason: string | null,
  ) =>
    d.audit.record({
      actor: actor?.userId ?? 'anonymous',
      role: actor ? 'researcher' : 'anonymous',
      action,
      object: `room:${roomId}`,
      projectId,
      outcome,
      reason,
      requestId: null,
      clientAddress: req.socket.remoteAddress ?? null,
      details: { method: req.method, host: String(req.headers.host ?? '').slice(0, 300) },
    });

  /** A hand-off URL for `principal` into their own room (the caller audits the issue); refusals are domain errors. */
  async function handoffUrl(principal: Principal, roomId: string, parent: Parent, next: string | null): Promise<{ url: string; projectId: string }> {
    const target = await d.target(roomId);
    if (!target) throw new NotFoundError(`no room '${roomId}'`, { reason: 'no_such_room' });
    if (target.ownerId !== principal.userId) throw new NotAllowedError('this is not your room', { reason: 'not_room_owner' });
    const code = await issueHandoff(d.store, d.clock, principal.userId, roomId, parent);
    const url = `${d.hosts.origin(roomId)}${HANDOFF_PATH}?code=${code}&next=${encodeURIComponent(safeNext(roomId, next))}`;
    return { url, projectId: target.projectId };
  }

  /** `/rooms/…` on the platform's host. */
  async function enter(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const verdict = checkPath('GET', url);
    const roomId = verdict.ok ? verdict.roomId : verdict.roomId;
    const shim = { headers: req.headers, get: (name: string) => req.headers[name.toLowerCase()] } as unknown as Request;
    const principal = await authenticate(d.store, d.clock, shim);
    if (!roomId) return writeProblem(res, new NotFoundError('no such room', { reason: 'no_such_room' }));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      await audit(req, principal, 'room.proxy.refused', roomId, null, 'denied', 'room_moved');
      return writeProblem(res, new NotFoundError(`rooms are served at their own origin: ${d.hosts.origin(roomId)}`, { reason: 'room_moved' }));
    }
    if (!principal || req.headers['sec-fetch-site'] === 'cross-site') {
      await audit(req, principal, 'room.proxy.refused', roomId, null, 'denied', 'not_authenticated');
      if (String(req.headers.accept ?? '').includes('text/html')) return redirect(res, '/');
      return writeProblem(res, new AuthenticationError('log in first', { reason: 'not_authenticated' }));
    }
    try {
      const { url: to, projectId } = await handoffUrl(principal, roomId, parentOf(req, principal), url);
      await audit(req, principal, 'room.handoff.issue', roomId, projectId, 'success', null);
      redirect(res, to);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await audit(req, principal, 'room.proxy.refused', roomId, null, 'denied', err.reason ?? null);
      writeProblem(res, err);
    }
  }

  /** `/_tre/handoff?code=…&next=…` on a room's host. */
  async function redeem(req: IncomingMessage, res: ServerResponse, roomId: string): Promise<void> {
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const code = query.get('code');
    const who = code && /^[A-Za-z0-9_-]{20,100}$/.test(code) ? await redeemHandoff(d.store, d.clock, code, roomId) : undefined;
    if (!who) {
      await audit(req, null, 'room.proxy.refused', roomId, null, 'denied', 'handoff_refused');
      return writeProblem(
        res,
        new NotAllowedError(`this entry link is used, expired or not for this room; links last ${HANDOFF_SECONDS} s and work once`, {
          reason: 'handoff_refused',
        }),
      );
    }
    const actor = { userId: who.userId } as Principal;
    await audit(req, actor, 'room.handoff.redeem', roomId, null, 'success', null);
    const session = await openRoomSession(d.store, d.clock, who, roomId, d.roomSessionMinutes);
    const secure = d.hosts.origin(roomId).startsWith('https:');
    const cookie = `${secure ? SECURE_ROOM_COOKIE : ROOM_COOKIE}=${session.secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${d.roomSessionMinutes * 60}${secure ? '; Secure' : ''}`;
    const next = safeNext(roomId, query.get('next'));
    const body = `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>Entering the room</title><a href="${next}">Enter the room</a>\n`;
    res.writeHead(200, {
      'set-cookie': cookie,
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  return { enter, redeem, handoffUrl };
}

export type RoomEntry = ReturnType<typeof createEntry>;
