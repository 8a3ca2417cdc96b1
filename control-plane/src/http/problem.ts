/**
 * The one place domain errors become HTTP: status by error class, body as
 * `application/problem+json` (RFC 9457) with the machine-readable `reason`. Every way the
 * platform answers goes through here:
 *   - Express routes: `problemMiddleware`;
 *   - plain Node responses, where no Express runs (the room proxy, the room channel, the
 *     request deadline): `writeProblem`;
 *   - a websocket upgrade refused on its socket: `refuseUpgrade`;
 *   - a problem sent inside a stream already answered 200 (server-sent events): `problemOf`.
 * Nothing else chooses an error status; a handler chooses only among its successes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import {
  AuthenticationError,
  ConflictError,
  DomainError,
  InputError,
  LengthRequiredError,
  NotAllowedError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  TooLargeError,
  UnavailableError,
  UpstreamError,
  type Reason,
} from '../errors/index.ts';
import type { Logger } from '../platform/index.ts';
import { requestIdOf } from './request-id.ts';

const STATUS: [typeof DomainError, number, string][] = [
  [InputError, 400, 'Bad Request'],
  [AuthenticationError, 401, 'Unauthorized'],
  [NotAllowedError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not Found'],
  [RequestTimeoutError, 408, 'Request Timeout'],
  [ConflictError, 409, 'Conflict'],
  [LengthRequiredError, 411, 'Length Required'],
  [TooLargeError, 413, 'Content Too Large'],
  [RateLimitedError, 429, 'Too Many Requests'],
  [UpstreamError, 502, 'Bad Gateway'],
  [UnavailableError, 503, 'Service Unavailable'],
];
const INTERNAL = { status: 500, title: 'Internal Server Error' } as const;

export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  reason: Reason | null;
  instance?: string;
  [extra: string]: unknown;
}

/** The status and title of an error: by its class for domain errors, 500 for anything else. */
export function statusOf(err: unknown): { status: number; title: string } {
  if (err instanceof DomainError) {
    const hit = STATUS.find(([cls]) => err instanceof cls);
    if (hit) return { status: hit[1], title: hit[2] };
  }
  return INTERNAL;
}

/**
 * The problem body for an error. A domain error says its message, reason and details; anything
 * else is an internal error whose message stays in the log, never in the answer.
 */
export function problemOf(err: unknown, instance?: string): Problem {
  const { status, title } = statusOf(err);
  const extra = instance === undefined ? {} : { instance };
  if (err instanceof DomainError && status !== INTERNAL.status) {
    return { type: 'about:blank', title, status, detail: err.message, reason: err.reason ?? null, ...extra, ...(err.details ?? {}) };
  }
  return { type: 'about:blank', title, status, detail: 'internal error', reason: null, ...extra };
}

function headersFor(status: number, length: number, close: boolean): Record<string, string | number> {
  return {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': length,
    'cache-control': 'no-store',
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="analyserom"' } : {}),
    ...(close ? { connection: 'close' } : {}),
  };
}

/**
 * Answers a plain Node response with the problem for `err`. An answer already begun cannot be
 * turned into a problem: its socket is cut instead, so the client sees it incomplete.
 * `close` asks Node to close the connection after the answer (its request body was not read).
 */
export function writeProblem(res: ServerResponse, err: unknown, opts: { instance?: string; close?: boolean } = {}): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify(problemOf(err, opts.instance));
  res.writeHead(statusOf(err).status, headersFor(statusOf(err).status, Buffer.byteLength(body), opts.close ?? false));
  res.end(body);
}

/** Refuses a websocket upgrade on its socket with the problem for `err`, then closes it. */
export function refuseUpgrade(socket: Duplex, err: unknown): void {
  if (!socket.writable) return void socket.destroy();
  const { status, title } = statusOf(err);
  const body = JSON.stringify(problemOf(err));
  const head = Object.entries(headersFor(status, Buffer.byteLength(body), true))
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${title}\r\n${head}\r\n${body}`);
}

/** Whether the request still has body bytes on the wire that nobody read. */
export function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete || req.readableEnded) return false;
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function problemMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const instance = requestIdOf(req);
    // Refused before its body was read: Node then closes the socket rather than read the rest.
    const close = !res.headersSent && bodyUnread(req);
    if (err instanceof DomainError) {
      writeProblem(res, err, { instance, close });
      return;
    }
    // Express' own body-parser errors carry a status (bad JSON, too large).
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = (err as Error).message;
      const refusal = status === 413 ? new TooLargeError(message, { reason: 'body_too_large' }) : new InputError(message, { reason: 'malformed_request' });
      writeProblem(res, refusal, { instance, close });
      return;
    }
    logger.error('request failed', { requestId: instance, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    writeProblem(res, err, { instance, close });
  };
}
