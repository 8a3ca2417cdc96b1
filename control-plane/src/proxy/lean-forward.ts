/**
 * Plain HTTP forwarding to a room's server with undici's connection pool (`Pool.dispatch`), not
 * `http.request` and its Agent. Measured (bench/rooms, CPU per proxied request) to cost about half
 * of the node:http client: the room proxy's throughput is bounded by per-request work in one
 * process, and the client half was the larger part of it. What it does: hop-by-hop headers dropped
 * both ways (and the room's own CSP and platform-named cookies, `room-headers.ts`), body streamed both ways with backpressure, the upstream request cancelled when the
 * client goes away, and for contents reads the answer buffered (up to `HARD_CAP`) and handed to the
 * caller before anything reaches the client. Websockets go through `ws-forward.ts`.
 *
 * Timeouts are off (as with node:http): Jupyter answers some requests slowly (kernel restarts,
 * large directories), and the client going away still cancels the upstream request.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import { HARD_CAP } from './contents-guard.ts';
import { roomResponseHeaders } from './room-headers.ts';

/** Response headers of one hop; Node frames the body to the client itself. */
const RESPONSE_DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'upgrade', 'te', 'trailer', 'transfer-encoding']);

export type Endpoint = { socketPath: string } | { host: string; port: number };

export interface Buffered {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Bytes received; above `HARD_CAP` the answer was cut there (`body` is then incomplete). */
  bytes: number;
}

export interface LeanForwardHooks {
  /** The answer's status, as its headers are sent on to the client (below 400 counts as room activity). */
  onStatus(status: number): void;
  /** When set, the answer is buffered and handed here instead of being streamed to the client. */
  onBuffered?(answer: Buffered): void;
  /** The room did not answer (or broke off); the client is answered by the caller. */
  onError(err: Error): void;
}

/**
 * One pool of keep-alive connections per room endpoint. Pools idle for `idleMs` are closed by
 * `sweep()` (a stopped room's pool has nothing left to do).
 */
export function createUpstreamPools(opts: { connections?: number; idleMs?: number } = {}) {
  const pools = new Map<string, { pool: Pool; used: number }>();
  const idleMs = opts.idleMs ?? 10 * 60_000;
  const keyOf = (e: Endpoint) => ('socketPath' in e ? e.socketPath : `${e.host}:${e.port}`);
  return {
    get(e: Endpoint): Pool {
      const key = keyOf(e);
      let entry = pools.get(key);
      if (!entry) {
        const pool =
          'socketPath' in e
            ? new Pool('http://localhost', { socketPath: e.socketPath, ...poolOptions(opts.connections) })
            : new Pool(`http://${e.host}:${e.port}`, poolOptions(opts.connections));
        pools.set(key, (entry = { pool, used: 0 }));
      }
      entry.used = performance.now();
      return entry.pool;
    },
    async sweep(): Promise<void> {
      const now = performance.now();
      for (const [key, entry] of pools) {
        if (now - entry.used < idleMs) continue;
        pools.delete(key);
        await entry.pool.close().catch(() => undefined);
      }
    },
    async close(): Promise<void> {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
    },
  };
}

const poolOptions = (connections = 256): Pool.Options => ({
  connections,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  headersTimeout: 0,
  bodyTimeout: 0,
});

/**
 * Forwards `req` to `pool` with `headers` (`roomHeaders(…, 'drop')`: no hop-by-hop ones) and streams
 * the answer into `res` (or buffers it for `hooks.onBuffered`). `body` replaces the request stream
 * when the caller has read or counted it already.
 */
export function leanForward(
  req: IncomingMessage,
  res: ServerResponse,
  pool: Dispatcher,
  headers: Record<string, string | string[]>,
  hooks: LeanForwardHooks,
  body?: Readable,
): void {
  const hasBody = body !== undefined || req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const options: Dispatcher.DispatchOptions = { method: req.method!, path: req.url!, headers, body: hasBody ? (body ?? req) : null };
  // Without a body nothing is consumed by a refused connect, so the request can be sent again.
  const handler = new Forwarding(res, hooks, hasBody ? undefined : () => pool.dispatch(options, handler));
  res.once('close', handler.onClientClose);
  pool.dispatch(options, handler);
}

/**
 * Connect errors after which the room never saw the request: its socket's backlog was full
 * (a unix socket refuses at once, EAGAIN) or its server was between accept loops. A room that is
 * gone (ENOENT, no socket file) is not retried.
 */
const REFUSED_CONNECT = new Set(['EAGAIN', 'ECONNREFUSED']);
/** Delays before the second, third and fourth attempt: a burst drains in milliseconds. */
const RETRY_DELAYS_MS = [10, 40, 120];

/** One request's dispatch handler: a class so the per-request cost is one object and one closure. */
class Forwarding implements Dispatcher.DispatchHandler {
  private readonly res: ServerResponse;
  private readonly hooks: LeanForwardHooks;
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders | undefined;
  private chunks: Buffer[] | undefined;
  private size = 0;
  private done = false;
  private attempts = 0;
  private readonly resend: (() => void) | undefined;
  readonly onClientClose: () => void;

  constructor(res: ServerResponse, hooks: LeanForwardHooks, resend?: () => void) {
    this.res = res;
    this.hooks = hooks;
    this.resend = resend;
    this.onClientClose = () => {
      if (this.done || res.writableFinished) return;
      // Nobody to answer: the room's request is cancelled, and that is not the room's error.
      this.done = true;
      this.controller?.abort(new Error('client went away'));
    };
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done || this.res.destroyed) {
      this.done = true;
      controller.abort(new Error('client went away'));
    }
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.status = status;
    if (this.hooks.onBuffered) {
      this.headers = headers;
      this.chunks = [];
      return;
    }
    this.res.writeHead(status, roomResponseHeaders(headers, RESPONSE_DROP));
    this.hooks.onStatus(status);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks) {
      this.size += chunk.length;
      if (this.size > HARD_CAP) {
        this.finishBuffered();
        controller.abort(new Error('answer too large to inspect'));
        return;
      }
      this.chunks.push(chunk);
      return;
    }
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    if (this.chunks) return this.finishBuffered();
    this.done = true;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.done) return;
    const code = (err as Error & { code?: string }).code;
    if (this.resend && this.status === 0 && code !== undefined && REFUSED_CONNECT.has(code) && this.attempts < RETRY_DELAYS_MS.length) {
      const resend = this.resend;
      setTimeout(
        () => {
          if (!this.done) resend();
        },
        RETRY_DELAYS_MS[this.attempts++],
      );
      return;
    }
    this.done = true;
    this.hooks.onError(err);
  }

  private finishBuffered(): void {
    if (this.done) return;
    this.done = true;
    const chunks = this.chunks!;
    this.hooks.onBuffered!({
      status: this.status,
      headers: this.headers!,
      bytes: this.size,
      body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
    });
  }
}
