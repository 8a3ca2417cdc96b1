/**
 * Requests refused before any route saw them — a body that is not JSON or is too large, a change
 * from a foreign origin — are audited like the rest: the actor when their credential says who,
 * `denied` for a refusal and `failure` for malformed input, the reason, the request id and the
 * client address, committed before the error is answered. Mounted on `/api` after the body
 * parsers and the origin check, before the routes (whose own wrapper audits what they refuse).
 * If the entry cannot be committed, that error is the answer, as on every other path.
 */
import type { ErrorRequestHandler, Request } from 'express';
import type { AuditService, Principal } from '../platform/index.ts';
import { AuthenticationError, DomainError, NotAllowedError, RateLimitedError } from '../errors/index.ts';
import { clientAddressOf, requestIdOf } from './route.ts';

export const REFUSED_ACTION = 'http.refused';

export function auditRefusals(deps: { audit: AuditService; authenticate(req: Request): Promise<Principal | null> }): ErrorRequestHandler {
  return (err, req, _res, next) => {
    void (async () => {
      const principal = await deps.authenticate(req).catch(() => null);
      const denied = err instanceof AuthenticationError || err instanceof NotAllowedError || err instanceof RateLimitedError;
      const status = (err as { status?: unknown }).status;
      const path = req.originalUrl.split('?')[0]!.slice(0, 500);
      try {
        await deps.audit.record({
          actor: principal?.userId ?? 'anonymous',
          role: principal?.roles[0] ?? 'anonymous',
          action: REFUSED_ACTION,
          object: `route:${req.method} ${path}`,
          projectId: null,
          outcome: denied ? 'denied' : 'failure',
          reason: err instanceof Error ? err.message.slice(0, 500) : 'malformed request',
          requestId: requestIdOf(req),
          clientAddress: clientAddressOf(req),
          details: {
            reason: err instanceof DomainError ? (err.reason ?? null) : 'malformed_request',
            ...(typeof status === 'number' ? { status } : {}),
          },
        });
      } catch (auditErr) {
        next(auditErr);
        return;
      }
      next(err);
    })();
  };
}
