/**
 * The room proxy: `/rooms/<roomId>/…` (HTTP and websockets) forwarded to the room's server for its
 * owner only (see `access.ts`), mounted ahead of Express' router and body parsing.
 *
 * CSRF: a state-changing request (not GET/HEAD/OPTIONS) made with a browser session must carry the
 * platform's CSRF token (`X-CSRF-Token`) or come from the platform's own origin (`Origin`, or when
 * a browser sends none, `Referer`). JupyterLab's requests are same-origin fetches, which browsers
 * send with `Origin`; a cross-site form post is refused. Bearer-token requests are not
 * CSRF-prone (no ambient credential). Jupyter skips its own XSRF check because the proxy injects
 * the token.
 * Websockets: `Origin` must equal the platform's origin (browser sessions must send it; a bearer
 * client may omit it), then the same access decision as HTTP.
 * Refusals (`policy.ts`, `contents-guard.ts`, upload limits) and session opens/closes are audited;
 * allowed requests are not, one by one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { RequestHandler } from 'express';
import { createProxyServer } from 'httpxy';
import type { AuditService } from '../audit/types.ts';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/logger.ts';
import type { Store } from '../store/index.ts';
import { createAccessCache, credentialOf, type Decision, type RoomTarget } from './access.ts';
import { guardContentsResponse, judgeContents, sendInspected } from './contents-guard.ts';
import { createUpstreamAgent, rewriteHeaders, roomHeaders, targetOf } from './forward.ts';
import { createUpstreamPools, leanForward, type LeanForwardHooks } from './lean-forward.ts';
import { checkPath, type PathVerdict } from './policy.ts';
import { createSessionTracker } from './sessions.ts';
import { limitUpload } from './uploads.ts';

export type { RoomTarget } from './access.ts';
export { checkPath } from './policy.ts';

export interface RoomProxyOptions {
  /** `lean` (default): undici's pool for plain HTTP (`lean-forward.ts`); `httpxy`: httpxy for everything. */
  engine?: 'lean' | 'httpxy';
  authCacheMs: number;
  uploadMaxBytes: number;
  contentsMaxBytes: number;
  sessionIdleSeconds: number;
  activityFlushMs: number;
}

export interface RoomProxyDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  /** The platform's own origin, e.g. `https://tre.example.org`. */
  origin(): string;
  options: RoomProxyOptions;
  target(roomId: string): Promise<RoomTarget | undefined>;
  recordActivity(roomId: string, at: Date): Promise<void>;
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
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Forget cached decisions about a room (call when its row changes). */
  invalidate(roomId: string): void;
  /** Close audit sessions idle past the limit. */
  sweepSessions(): Promise<number>;
  /** Close the audit sessions of a room that ended. */
  endSessions(roomId: string): Promise<number>;
  close(): Promise<void>;
}

/** A request on the httpxy engine, tagged for its `proxyRes` event. */
interface Tagged extends IncomingMessage {
  roomId?: string;
  inspect?: boolean;
  decision?: Decision & { ok: true };
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
  const sessions = createSessionTracker({ audit: d.audit, clock: d.clock, idleMs: d.options.sessionIdleSeconds * 1000 });
  const agent = createUpstreamAgent();
  const pools = createUpstreamPools();
  const proxy = createProxyServer({});
  const flushed = new Map<string, number>();
  const sweeper = setInterval(() => {
    void sessions.sweep().catch(() => undefined);
    void pools.sweep();
  }, 30_000);
  sweeper.unref();

  const noteActivity = (roomId: string) => {
    const now = d.clock.now();
    const last = flushed.get(roomId);
    if (last !== undefined && now.getTime() - last < d.options.activityFlushMs) return;
    flushed.set(roomId, now.getTime());
    d.recordActivity(roomId, now).catch((err: unknown) => d.logger.warn('room activity not recorded', { roomId, error: String(err) }));
  };

  const onProxyRes = (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
    const r = req as Tagged;
    if (r.inspect) {
      void guardContentsResponse(proxyRes, res, d.options.contentsMaxBytes).then(async (verdict) => {
        if (verdict.ok) noteActivity(r.roomId!);
        else await refuseAfter(r, res, verdict.reason, verdict.details, r.roomId, r.decision);
      }).catch((err: unknown) => {
        d.logger.error('contents check failed', { error: String(err) });
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      return;
    }
    if ((proxyRes.statusCode ?? 500) < 400 && r.roomId) noteActivity(r.roomId);
  };
  proxy.on('proxyRes', onProxyRes);
  const onProxyError = (err: Error, res: ServerResponse | Duplex | undefined) => {
    d.logger.warn('room upstream error', { error: err.message });
    if (!res) return;
    if ('writeHead' in res) {
      const out = res as ServerResponse;
      if (!out.headersSent) problem(out, 502, 'room_unreachable', 'the room did not answer');
      else out.destroy();
    } else (res as Duplex).destroy();
  };
  proxy.on('error', (err, _req, res) => onProxyError(err, res as ServerResponse | Duplex | undefined));

  async function audit(req: IncomingMessage, decision: Pick<Decision & { ok: false }, 'principal' | 'projectId'>, roomId: string | undefined, reason: string, details: Record<string, unknown>) {
    await d.audit.record({
      actor: decision.principal?.userId ?? 'anonymous', role: decision.principal ? 'researcher' : 'anonymous', action: 'room.proxy.refused',
      object: roomId ? `room:${roomId}` : '', projectId: decision.projectId, outcome: 'denied', reason, requestId: null,
      clientAddress: req.socket.remoteAddress ?? null, details: { method: req.method, path: (req.url ?? '').split('?')[0]!.slice(0, 300), ...details },
    });
  }

  /** Refuses an answer already received from the room (contents reads), audited with who asked when known. */
  async function refuseAfter(req: IncomingMessage, res: ServerResponse, reason: string, details: Record<string, unknown>, roomId: string | undefined, decision?: Decision & { ok: true }) {
    await audit(req, decision ? { principal: decision.principal, projectId: decision.target.projectId } : { principal: null, projectId: null }, roomId, reason, details);
    problem(res, 403, reason, 'this file cannot leave the room this way; use an export request');
  }

  /** Runs the checks shared by HTTP and websockets; returns the decision or answers the refusal itself. */
  async function admit(req: IncomingMessage, refuse: (status: number, reason: string, message: string) => void, method: string) {
    const verdict = checkPath(method, req.url ?? '/');
    if (!verdict.ok) {
      const decision = verdict.roomId ? await access.decide(req, verdict.roomId) : undefined;
      // Who asked matters for the audit; an unauthenticated caller learns nothing about paths.
      if (decision && !decision.ok && decision.status === 401) {
        await audit(req, decision, verdict.roomId, decision.reason, {});
        refuse(401, decision.reason, decision.message);
        return undefined;
      }
      await audit(req, decision?.ok ? { principal: decision.principal, projectId: decision.target.projectId } : { principal: decision?.principal ?? null, projectId: decision?.projectId ?? null }, verdict.roomId, verdict.reason, {});
      refuse(verdict.status, verdict.reason, verdict.reason === 'bad_path' ? 'this path is not allowed' : 'downloads and exports leave a room only through the airlock');
      return undefined;
    }
    const decision = await access.decide(req, verdict.roomId);
    if (!decision.ok) {
      await audit(req, decision, verdict.roomId, decision.reason, {});
      refuse(decision.status, decision.reason, decision.message);
      return undefined;
    }
    return { verdict, decision };
  }

  const sameOrigin = (value: string | undefined) => {
    if (!value) return false;
    try {
      return new URL(value).origin === new URL(d.origin()).origin;
    } catch {
      return false;
    }
  };

  const lean = (d.options.engine ?? 'lean') === 'lean';
  const forward = (req: IncomingMessage, res: ServerResponse, verdict: { roomId: string; inspectContents: boolean }, decision: Decision & { ok: true }, stream?: Readable) => {
    const target = decision.target;
    if (lean) {
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
    }
    rewriteHeaders(req, target.token, target.endpoint);
    const tagged = req as Tagged;
    tagged.roomId = verdict.roomId;
    tagged.inspect = verdict.inspectContents;
    tagged.decision = decision;
    return proxy.web(req, res, {
      target: targetOf(target.endpoint), agent, xfwd: false, selfHandleResponse: verdict.inspectContents, ...(stream ? { buffer: stream } : {}),
    });
  };

  const handle = (req: IncomingMessage & { url: string; method: string }, res: ServerResponse, next: (err?: unknown) => void) => {
    // Hot path: a safe request without a body, a fresh cached decision and an open session: no awaits.
    if (SAFE_METHODS.has(req.method) && !req.headers['content-length'] && !req.headers['transfer-encoding']) {
      const verdict = pathVerdict(req.method, req.url);
      const cached = verdict.ok ? access.peek(req, verdict.roomId) : undefined;
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
      const refuse = (status: number, reason: string, message: string) => problem(res, status, reason, message);
      const admitted = await admit(req, refuse, req.method);
      if (!admitted) return;
      const { verdict, decision } = admitted;
      if (!SAFE_METHODS.has(req.method) && decision.principal.via === 'session') {
        const origin = req.headers.origin;
        const ok = req.headers['x-csrf-token'] === decision.principal.csrfToken
          || (origin ? sameOrigin(origin) : sameOrigin(req.headers.referer) && req.headers.referer!.startsWith(`${new URL(d.origin()).origin}/`));
        if (!ok) {
          await audit(req, { principal: decision.principal, projectId: decision.target.projectId }, verdict.roomId, 'csrf', {});
          return problem(res, 403, 'csrf', 'missing CSRF token or foreign origin');
        }
      }
      const body = await limitUpload(req, verdict.contentsWrite, d.options.uploadMaxBytes);
      if (!body.ok) {
        await audit(req, { principal: decision.principal, projectId: decision.target.projectId }, verdict.roomId, body.reason, body.details);
        return problem(res, 413, body.reason, `uploads into a room are limited to ${d.options.uploadMaxBytes} bytes`);
      }
      if (body.upload) {
        await d.audit.record({
          actor: decision.principal.userId, role: 'researcher', action: 'room.upload', object: `room:${verdict.roomId}`,
          projectId: decision.target.projectId, outcome: 'success', reason: null, requestId: null,
          clientAddress: req.socket.remoteAddress ?? null, details: body.upload,
        });
      }
      await sessions.touch(decision.principal.userId, verdict.roomId, decision.target.projectId, req.socket.remoteAddress ?? null);
      await forward(req, res, verdict, decision, body.stream);
    })().catch((err: unknown) => {
      if (!res.headersSent) next(err);
      else res.destroy();
    });
  };

  const handler: RequestHandler = (req, res, next) => {
    if (!req.url.startsWith('/rooms/')) return next();
    handle(req, res, next);
  };

  const handleRaw = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith('/rooms/')) return false;
    handle(req as IncomingMessage & { url: string; method: string }, res, (err) => {
      d.logger.error('room proxy failed', { error: err instanceof Error ? err.message : String(err) });
      problem(res, 502, 'proxy_error', 'the room proxy failed');
    });
    return true;
  };

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (!req.url?.startsWith('/rooms/')) return false;
    socket.on('error', () => undefined);
    const refuse = (status: number, reason: string) => {
      if (!socket.writable) return socket.destroy();
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    void (async () => {
      const origin = req.headers.origin;
      const viaCookie = credentialOf(req)?.startsWith('c:');
      if ((origin && !sameOrigin(origin)) || (!origin && viaCookie)) {
        await audit(req, { principal: null, projectId: null }, checkPath('GET', req.url!).roomId, 'bad_origin', { origin: origin ?? null, websocket: true });
        return refuse(403, 'bad_origin');
      }
      const admitted = await admit(req, (status, reason) => refuse(status, reason), 'GET');
      if (!admitted) return;
      const { verdict, decision } = admitted;
      await sessions.touch(decision.principal.userId, verdict.roomId, decision.target.projectId, req.socket.remoteAddress ?? null);
      rewriteHeaders(req, decision.target.token, decision.target.endpoint);
      noteActivity(verdict.roomId);
      await proxy.ws(req, socket as never, { target: targetOf(decision.target.endpoint), agent: false, xfwd: false }, head);
    })().catch((err: unknown) => {
      d.logger.error('room websocket failed', { error: String(err) });
      socket.destroy();
    });
    return true;
  }

  return {
    handler, handleRaw, upgrade,
    invalidate: (roomId) => access.invalidate(roomId),
    sweepSessions: () => sessions.sweep(),
    endSessions: (roomId) => sessions.sweep(roomId),
    async close() {
      clearInterval(sweeper);
      await sessions.closeAll().catch(() => undefined);
      agent.destroy();
      await pools.close();
    },
  };
}

function problem(res: ServerResponse, status: number, reason: string, detail: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, reason });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Content Too Large', 502: 'Bad Gateway', 503: 'Service Unavailable',
};
