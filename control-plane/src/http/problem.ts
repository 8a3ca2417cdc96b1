/**
 * The one place domain errors become HTTP: status by error class, body as
 * `application/problem+json` (RFC 9457) with the machine-readable `reason`.
 */
import type { NextFunction, Request, Response } from 'express';
import {
  AuthenticationError, ConflictError, DomainError, InputError, NotAllowedError, NotFoundError, RateLimitedError, TooLargeError, UnavailableError,
} from '../errors/index.ts';
import type { Logger } from '../platform/index.ts';
import { bodyUnread } from './body.ts';
import { requestIdOf } from './route.ts';

const STATUS: [new (...a: any[]) => DomainError, number, string][] = [
  [InputError, 400, 'Bad Request'],
  [AuthenticationError, 401, 'Unauthorized'],
  [NotAllowedError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not Found'],
  [ConflictError, 409, 'Conflict'],
  [TooLargeError, 413, 'Content Too Large'],
  [RateLimitedError, 429, 'Too Many Requests'],
  [UnavailableError, 503, 'Service Unavailable'],
];

export function problemBody(status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return { type: 'about:blank', title, status, detail, ...extra };
}

export function sendProblem(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): void {
  res.status(status).type('application/problem+json').send(JSON.stringify(problemBody(status, title, detail, extra)));
}

export function problemMiddleware(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const instance = requestIdOf(req);
    // Refused before its body was read: Node then closes the socket rather than read the rest.
    if (!res.headersSent && bodyUnread(req)) res.setHeader('Connection', 'close');
    if (err instanceof DomainError) {
      const [, status, title] = STATUS.find(([cls]) => err instanceof cls) ?? [DomainError, 500, 'Internal Server Error'];
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="analyserom"');
      sendProblem(res, status, title, err.message, { reason: err.reason ?? null, instance, ...(err.details ?? {}) });
      return;
    }
    // Express' own body-parser errors carry a status (bad JSON, too large).
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendProblem(res, status, 'Bad Request', (err as Error).message, { reason: 'malformed_request', instance });
      return;
    }
    logger.error('request failed', { requestId: instance, path: req.path, error: err instanceof Error ? err.stack : String(err) });
    sendProblem(res, 500, 'Internal Server Error', 'internal error', { instance });
  };
}
