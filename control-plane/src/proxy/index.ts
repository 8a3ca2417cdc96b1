/**
 * The room proxy. Each room is served at its own origin, `<room>.<rooms domain>` (`room-hosts.ts`),
 * routed by `Host` in the raw request listener ahead of Express: a room host serves its room's
 * `/rooms/<room>/…` (HTTP and websockets, forwarded to the room's server for its owner only,
 * `access.ts`), its hand-off (`entry.ts`) and nothing of the platform; a room host naming another
 * room's path is refused. On the platform's host `/rooms/<room>/…` is an entry: the owner is handed
 * off to the room's origin, so the platform's session cookie never reaches a room and a room's
 * script shares no origin with the platform's API.
 *
 * Every answer on a room host carries the platform's policy for rooms (`room-headers.ts`); the
 * room's own CSP and cookies for platform names are dropped.
 *
 * Credentials on a room host (`credential.ts`): the room cookie, or a bearer token (CLI, tests,
 * benchmarks: they connect to the platform's address with the room's `Host`). CSRF: a change (not
 * GET/HEAD/OPTIONS) made with the room cookie must come from the room's own origin (`Origin`, or
 * when a browser sends none, `Referer`); the cookie is SameSite=Strict as well. Jupyter skips its
 * own XSRF check because the proxy injects the token. Websockets: `Origin` must be the room's origin
 * (a cookie client must send it; a bearer client may omit it).
 * Refusals (`path-policy.ts`, `contents-guard.ts`, upload limits, hosts, origins, hand-offs) and
 * session opens/closes are audited; allowed requests are not, one by one. Each refusal is a domain
 * error, answered as a problem by `http/problem.ts` like every other answer of the platform.
 * JupyterLab's own background polls refused because the room or its session is gone are audited as
 * `room.proxy.background` in the role `jupyterlab`, apart from the researcher's refusals (`probes.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { RequestHandler } from 'express';
import type { AuditService, Clock, Logger } from '../platform/index.ts';
import { AuthenticationError, NotAllowedError, NotFoundError, TooLargeError, UpstreamError, type DomainError } from '../errors/index.ts';
import { refuseUpgrade, writeProblem } from '../http/index.ts';
import type { Listening, Store } from '../store/index.ts';
import { createAccessCache, type Decision, type RoomTarget } from './access.ts';
import { credentialOf } from './credential.ts';
import { createEntry, HANDOFF_PATH, type RoomEntry } from './entry.ts';
import { redirect } from './redirect.ts';
import { applyRoomPolicy, roomPolicy } from './room-headers.ts';
import type { RoomHosts } from './room-hosts.ts';
import { judgeContents, sendInspected, type ContentsVerdict } from './contents-guard.ts';
import { roomHeaders } from './upstream-headers.ts';
import { createUpstreamPools, leanForward, type LeanForwardHooks } from './lean-forward.ts';
import { checkPath, pathRefusal, type PathVerdict } from './path-policy.ts';
import { backgroundProbe, restOf } from './probes.ts';
import { listenForAccessChanges } from './access-notify.ts';
import { closeSessions } from './session-close.ts';
import { createSessionTracker } from './sessions.ts';
import { limitUpload } from './uploads.ts';
import { forwardUpgrade } from './ws-forward.ts';

export type { RoomTarget } from './access.ts';
export { checkPath } from './path-policy.ts';
export { createRoomHosts, validRoomsDomain, type RoomHosts } from './room-hosts.ts';
export { parentOf } from './entry.ts';

export interface RoomProxyOptions {
  authCacheMs: number;
  uploadMaxBytes: number;
  contentsMaxBytes: number;
  sessionIdleSeconds: number;
  /**
   * How often touched room sessions' last request times and this control plane's heartbeat are
   * written; a control plane silent for six times this is taken for gone and its sessions closed.
   */
  sessionFlushMs: number;
  activityFlushMs: number;
  /** How long a room session (the room host's cookie) lasts at most. */
  roomSessionMinutes: number;
}

export interface RoomProxyDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  /** Room host names and origins (and the platform's own origin). */
  hosts: RoomHosts;
  options: RoomProxyOptions;
  target(roomId: string): Promise<RoomTarget | undefined>;
  recordActivity(roomId: string, at: Date): Promise<void>;
  /** This control plane among those serving (room sessions name the one that served them last). */
  replicaId: string;
}

export interface RoomProxy {
  /** For Express (`PlatformModule.before`). */
  handler: RequestHandler;
  /**
   * For the raw HTTP server, ahead of Express altogether: returns false for anything but `/rooms/`.
   * Express' per-request work costs more than the proxy itself (bench/rooms), so a control plane
   * should call this from its `request` listener before handing the request to Express.
   */
  handleRaw(req: IncomingMessage, res: ServerResponse): boolean;
  /** Hand-off into a room for its owner (the platform's `POST /api/rooms/:id/handoff`); refusals are domain errors. */
  entry: Pick<RoomEntry, 'handoffUrl'>;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Forget cached decisions about a room (call when its row changes). */
  invalidate(roomId: string): void;
  /** Listens for the store's access notifications and writes the first heartbeat (before serving). */
  start(): Promise<void>;
  /**
   * For the reconcile leader: closes every room session due, of every control plane (idle, room
   * ended, control plane gone; `session-close.ts`), after writing this one's own pending touches.
   */
  sweepSessions(): Promise<number>;
  close(): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `checkPath` is pure: verdicts on short GET targets are kept (bounded) for the hot path. */
const getVerdicts = new Map<string, PathVerdict>();
function pathVerdict(method: string, url: string): PathVerdict {
  if (method !== 'GET' || url.length > 256) return checkPath(method, url);
  let v = getVerdicts.get(url);
  if (!v) {
    if (getVerdicts.size >= 4096) getVerdicts.clear();
    getVerdicts.set(url, (v = checkPath(method, url)));
  }
  return v;
}

export function createRoomProxy(d: RoomProxyDeps): RoomProxy {
  const access = createAccessCache({ store: d.store, clock: d.clock, ttlMs: d.options.authCacheMs, target: d.target });
  const entry = createEntry({
    store: d.store,
    clock: d.clock,
    audit: d.audit,
    hosts: d.hosts,
    roomSessionMinutes: d.options.roomSessionMinutes,
    target: d.target,
  });
  const idleMs = d.options.sessionIdleSeconds * 1000;
  const sessions = createSessionTracker({ store: d.store, audit: d.audit, clock: d.clock, replicaId: d.replicaId, idleMs });
  let listening: Listening | undefined;
  const pools = createUpstreamPools();
  const flushed = new Map<string, number>();
  const sweeper = setInterval(() => void pools.sweep(), 30_000);
  sweeper.unref();
  const flusher = setInterval(() => {
    sessions.flush().catch((err: unknown) => d.logger.warn('room sessions not flushed', { error: String(err) }));
  }, d.options.sessionFlushMs);
  flusher.unref();

  const noteActivity = (roomId: string) => {
    const now = d.clock.now();
    const last = flushed.get(roomId);
    if (last !== undefined && now.getTime() - last < d.options.activityFlushMs) return;
    flushed.set(roomId, now.getTime());
    d.recordActivity(roomId, now).catch((err: unknown) => d.logger.warn('room activity not recorded', { roomId, error: String(err) }));
  };

  const onProxyError = (err: Error, res: ServerResponse | Duplex | undefined) => {
    d.logger.warn('room upstream error', { error: err.message });
    if (!res) return;
    if ('writeHead' in res) {
      const out = res as ServerResponse;
      writeProblem(out, new UpstreamError('the room did not answer', { reason: 'room_unreachable' }));
    } else (res as Duplex).destroy();
  };

  async function audit(
    req: IncomingMessage,
    decision: Pick<Decision & { ok: false }, 'principal' | 'projectId'>,
    roomId: string | undefined,
    reason: string,
    details: Record<string, unknown>,
  ) {
    // JupyterLab's own polls of a stopped room or an ended session are recorded apart (`probes.ts`).
    const probe = backgroundProbe(req, restOf(req.url ?? ''), reason);
    await d.audit.record({
      actor: decision.principal?.userId ?? 'anonymous',
      role: probe ? 'jupyterlab' : decision.principal ? 'researcher' : 'anonymous',
      action: probe ? 'room.proxy.background' : 'room.proxy.refused',
      object: roomId ? `room:${roomId}` : '',
      projectId: decision.projectId,
      outcome: 'denied',
      reason,
      requestId: null,
      clientAddress: req.socket.remoteAddress ?? null,
      details: { method: req.method, path: (req.url ?? '').split('?')[0]!.slice(0, 300), ...details, ...(probe ? { probe } : {}) },
    });
  }

  /** Refuses an answer already received from the room (contents reads), audited with who asked when known. */
  async function refuseAfter(
    req: IncomingMessage,
    res: ServerResponse,
    reason: (ContentsVerdict & { ok: false })['reason'],
    details: Record<string, unknown>,
    roomId: string | undefined,
    decision?: Decision & { ok: true },
  ) {
    await audit(
      req,
      decision ? { principal: decision.principal, projectId: decision.target.projectId } : { principal: null, projectId: null },
      roomId,
      reason,
      details,
    );
    writeProblem(res, new NotAllowedError('this file cannot leave the room this way; use an export request', { reason }));
  }

  /**
   * Runs the checks shared by HTTP and websockets for a request on `hostRoom`'s host; returns the
   * decision or answers the refusal itself (a browser's page load without a credential is sent
   * through the platform's entry instead).
   */
  async function admit(req: IncomingMessage, hostRoom: string, refuse: (err: DomainError) => void, method: string, navigate?: ServerResponse) {
    if (!req.url?.startsWith('/rooms/')) {
      // Nothing of the platform (API, UI, health) is served on a room's host.
      await audit(req, { principal: null, projectId: null }, hostRoom, 'no_such_room', {});
      refuse(new NotFoundError('a room host serves its room only', { reason: 'no_such_room' }));
      return undefined;
    }
    const verdict = checkPath(method, req.url);
    if (verdict.ok && verdict.roomId !== hostRoom) {
      await audit(req, { principal: null, projectId: null }, hostRoom, 'wrong_room_host', { pathRoom: verdict.roomId });
      refuse(new NotFoundError('this host serves another room', { reason: 'wrong_room_host' }));
      return undefined;
    }
    if (!verdict.ok) {
      const decision = await access.decide(req, hostRoom);
      // Who asked matters for the audit; an unauthenticated caller learns nothing about paths.
      if (!decision.ok && decision.error instanceof AuthenticationError) {
        await audit(req, decision, hostRoom, decision.error.reason ?? 'not_authenticated', {});
        refuse(decision.error);
        return undefined;
      }
      await audit(
        req,
        decision.ok
          ? { principal: decision.principal, projectId: decision.target.projectId }
          : { principal: decision.principal, projectId: decision.projectId },
        hostRoom,
        verdict.reason,
        verdict.roomId && verdict.roomId !== hostRoom ? { pathRoom: verdict.roomId } : {},
      );
      refuse(pathRefusal(verdict.reason));
      return undefined;
    }
    const decision = await access.decide(req, verdict.roomId);
    if (!decision.ok) {
      await audit(req, decision, verdict.roomId, decision.error.reason ?? 'refused', {});
      if (navigate && decision.error instanceof AuthenticationError && method === 'GET' && req.headers['sec-fetch-dest'] === 'document') {
        // No room cookie (or an ended one): enter again through the platform, which knows the user.
        redirect(navigate, `${d.hosts.platformOrigin()}${req.url ?? '/'}`);
        return undefined;
      }
      refuse(decision.error);
      return undefined;
    }
    return { verdict, decision };
  }

  /** Whether a change made with the room cookie comes from the room's own page. */
  const fromRoom = (req: IncomingMessage, roomId: string) => {
    const own = d.hosts.origin(roomId);
    const origin = req.headers.origin;
    if (origin) return origin === own;
    return req.headers.referer?.startsWith(`${own}/`) ?? false;
  };

  /** Plain HTTP to the room (`lean-forward.ts`): streamed, or for contents reads buffered and judged first. */
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    verdict: { roomId: string; inspectContents: boolean },
    decision: Decision & { ok: true },
    stream?: Readable,
  ) => {
    const target = decision.target;
    const roomId = verdict.roomId;
    const hooks: LeanForwardHooks = {
      onStatus(status) {
        if (status < 400) noteActivity(roomId);
      },
      onError(err) {
        onProxyError(err, res);
      },
    };
    if (verdict.inspectContents) {
      hooks.onBuffered = (answer) => {
        const v = judgeContents(answer.status, answer.body, answer.bytes, d.options.contentsMaxBytes);
        if (v.ok) {
          sendInspected(res, answer.status, answer.headers, answer.body);
          if (answer.status < 400) noteActivity(roomId);
        } else {
          refuseAfter(req, res, v.reason, v.details, roomId, decision).catch((err: unknown) => {
            d.logger.error('contents check failed', { error: String(err) });
            res.destroy();
          });
        }
      };
    }
    leanForward(req, res, pools.get(target.endpoint), roomHeaders(req.headers, target.token, target.endpoint, 'drop'), hooks, stream);
    return Promise.resolve();
  };

  const policies = new Map<string, string>();
  const policyOf = (roomId: string) => {
    let v = policies.get(roomId);
    if (!v) {
      if (policies.size >= 4096) policies.clear();
      policies.set(roomId, (v = roomPolicy(d.hosts.origin(roomId), d.hosts.wsOrigin(roomId), d.hosts.platformOrigin())));
    }
    return v;
  };

  /** A request on `hostRoom`'s host. */
  const handle = (req: IncomingMessage & { url: string; method: string }, res: ServerResponse, hostRoom: string, next: (err?: unknown) => void) => {
    // Hot path: a safe request without a body, a fresh cached decision and an open session: no awaits.
    if (SAFE_METHODS.has(req.method) && !req.headers['content-length'] && !req.headers['transfer-encoding']) {
      const verdict = pathVerdict(req.method, req.url);
      const cached = verdict.ok && verdict.roomId === hostRoom ? access.peek(req, hostRoom) : undefined;
      if (verdict.ok && cached?.ok && sessions.touchOpen(cached.principal.userId, verdict.roomId)) {
        try {
          void forward(req, res, verdict, cached).catch(() => res.destroy());
        } catch (err) {
          // Never out of the server's request listener: that would end the process.
          next(err);
        }
        return;
      }
    }
    void (async () => {
      const path = req.url.split('?')[0]!;
      if (path === HANDOFF_PATH && req.method === 'GET') return entry.redeem(req, res, hostRoom);
      if (path === '/' && req.method === 'GET') return redirect(res, `/rooms/${hostRoom}/lab`, 302);
      const admitted = await admit(req, hostRoom, (err) => writeProblem(res, err), req.method, res);
      if (!admitted) return;
      const { verdict, decision } = admitted;
      if (!SAFE_METHODS.has(req.method) && decision.credential.kind === 'room' && !fromRoom(req, hostRoom)) {
        await audit(req, { principal: decision.principal, projectId: decision.target.projectId }, verdict.roomId, 'csrf', {
          origin: req.headers.origin ?? null,
        });
        return writeProblem(res, new NotAllowedError("a change to a room must come from the room's own page", { reason: 'csrf' }));
      }
      const body = await limitUpload(req, verdict.contentsWrite, d.options.uploadMaxBytes);
      if (!body.ok) {
        await audit(req, { principal: decision.principal, projectId: decision.target.projectId }, verdict.roomId, body.reason, body.details);
        return writeProblem(res, new TooLargeError(`uploads into a room are limited to ${d.options.uploadMaxBytes} bytes`, { reason: body.reason }));
      }
      if (body.upload) {
        await d.audit.record({
          actor: decision.principal.userId,
          role: 'researcher',
          action: 'room.upload',
          object: `room:${verdict.roomId}`,
          projectId: decision.target.projectId,
          outcome: 'success',
          reason: null,
          requestId: null,
          clientAddress: req.socket.remoteAddress ?? null,
          details: body.upload,
        });
      }
      await sessions.touch(decision.principal.userId, verdict.roomId, decision.target.projectId, req.socket.remoteAddress ?? null);
      await forward(req, res, verdict, decision, body.stream);
    })().catch((err: unknown) => {
      if (!res.headersSent) next(err);
      else res.destroy();
    });
  };

  /** Takes what is the proxy's: everything on a room host, `/rooms/…` on the platform's. */
  const take = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): boolean => {
    const hostRoom = d.hosts.roomOf(req.headers.host);
    if (hostRoom === undefined) {
      if (!req.url?.startsWith('/rooms/')) return false;
      entry.enter(req, res).catch(next);
      return true;
    }
    applyRoomPolicy(res, policyOf(hostRoom ?? 'invalid'));
    if (hostRoom === null) {
      void audit(req, { principal: null, projectId: null }, undefined, 'no_such_room', { host: String(req.headers.host).slice(0, 300) }).then(
        () => writeProblem(res, new NotFoundError('no such room', { reason: 'no_such_room' })),
        next,
      );
      return true;
    }
    handle(req as IncomingMessage & { url: string; method: string }, res, hostRoom, next);
    return true;
  };

  const handler: RequestHandler = (req, res, next) => {
    if (!take(req, res, next)) next();
  };

  const handleRaw = (req: IncomingMessage, res: ServerResponse): boolean =>
    take(req, res, (err) => {
      d.logger.error('room proxy failed', { error: err instanceof Error ? err.message : String(err) });
      writeProblem(res, new UpstreamError('the room proxy failed', { reason: 'proxy_error' }));
    });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const hostRoom = d.hosts.roomOf(req.headers.host);
    if (hostRoom === undefined && !req.url?.startsWith('/rooms/')) return false;
    socket.on('error', () => undefined);
    const refuse = (err: DomainError) => refuseUpgrade(socket, err);
    void (async () => {
      if (!hostRoom) {
        // The platform's host proxies no room; a rooms-domain name that is no room serves nothing.
        const roomId = checkPath('GET', req.url ?? '/').roomId;
        await audit(req, { principal: null, projectId: null }, hostRoom === null ? undefined : roomId, hostRoom === null ? 'no_such_room' : 'room_moved', {
          websocket: true,
        });
        return refuse(
          hostRoom === null
            ? new NotFoundError('no such room', { reason: 'no_such_room' })
            : new NotFoundError('rooms are served at their own origin', { reason: 'room_moved' }),
        );
      }
      const origin = req.headers.origin;
      const viaCookie = credentialOf(req.headers)?.kind === 'room';
      if ((origin && origin !== d.hosts.origin(hostRoom)) || (!origin && viaCookie)) {
        await audit(req, { principal: null, projectId: null }, hostRoom, 'bad_origin', { origin: origin ?? null, websocket: true });
        return refuse(new NotAllowedError("a websocket into a room must come from the room's own page", { reason: 'bad_origin' }));
      }
      const admitted = await admit(req, hostRoom, refuse, 'GET');
      if (!admitted) return;
      const { verdict, decision } = admitted;
      await sessions.touch(decision.principal.userId, verdict.roomId, decision.target.projectId, req.socket.remoteAddress ?? null);
      noteActivity(verdict.roomId);
      const endpoint = decision.target.endpoint;
      forwardUpgrade(req, socket, head, endpoint, roomHeaders(req.headers, decision.target.token, endpoint, 'keep'), (err) => onProxyError(err, socket));
    })().catch((err: unknown) => {
      d.logger.error('room websocket failed', { error: String(err) });
      socket.destroy();
    });
    return true;
  }

  return {
    handler,
    handleRaw,
    upgrade,
    entry: { handoffUrl: entry.handoffUrl },
    invalidate: (roomId) => access.invalidate(roomId),
    async start() {
      listening = listenForAccessChanges(d.store, access, sessions);
      await listening.ready;
      await sessions.flush();
    },
    async sweepSessions() {
      await sessions.flush();
      return closeSessions({ store: d.store, audit: d.audit, clock: d.clock }, { idleMs, replicaGoneMs: 6 * d.options.sessionFlushMs });
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(flusher);
      await listening?.close();
      await sessions.closeOwn().catch((err: unknown) => d.logger.warn('room sessions not closed', { error: String(err) }));
      await pools.close();
    },
  };
}

export { createAccessCache } from './access.ts';
