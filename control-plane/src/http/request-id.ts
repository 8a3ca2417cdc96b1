import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/** The request's id (the `X-Request-Id` answered and the audit entries' `requestId`), made on first use. */
export function requestIdOf(req: Request): string {
  const r = req as Request & { requestId?: string };
  r.requestId ??= randomUUID();
  return r.requestId;
}
