/**
 * Routes are declared, not hand-wired: a `RouteDef` names its input schemas, who may call it
 * and its audit action; `mountRoutes` validates input with zod, authenticates, enforces CSRF
 * for browser sessions, and passes every call through the one audit path:
 *   - a change (any method but GET/HEAD) commits an `initiated` entry before the handler runs;
 *   - the outcome (`success`, `denied`, `failure`) is committed before the response goes out.
 * If an entry cannot be committed the request fails and nothing is answered but the error.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { AuditOutcome, AuditService, Principal, Role } from '../platform/index.ts';
import { AuthenticationError, DomainError, InputError, NotAllowedError, RateLimitedError } from '../errors/index.ts';
import { isRawAnswer, type RawAnswer } from './answers.ts';
import { readJsonBody } from './body.ts';
import { assertResponse, assertStatus, checkResponses, ResponseContractError } from './response-check.ts';
import { requestIdOf } from './request-id.ts';

export { requestIdOf };

export type Access = 'public' | 'authenticated' | readonly Role[];

export interface AuditScope {
  object: string;
  projectId: string | null;
  role: string | null;
  details: Record<string, unknown>;
}

export interface RouteContext<P, Q, B> {
  principal: Principal | null;
  params: P;
  query: Q;
  body: B;
  audit: AuditScope;
  requestId: string;
  clientAddress: string;
  req: Request;
  res: Response;
  /**
   * Commits the success entry now. For handlers that write the response themselves
   * (downloads, streams): call it before the first byte leaves.
   */
  commitSuccess(): Promise<void>;
}

/** Returned by a handler to choose the status (default 200, or 201 for POST) or to say it has answered itself. */
export interface HttpResult {
  status?: number;
  body?: unknown;
  /** The handler wrote the response itself (after `commitSuccess`). */
  sent?: boolean;
}

export interface RouteDef<P = any, Q = any, B = any> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path, e.g. `/api/projects/:projectId`. */
  path: string;
  summary: string;
  tag: string;
  /** Audit action, e.g. `project.read`. */
  action: string;
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * What a success answers: a zod schema of the JSON body (the OpenAPI document and the test-time
   * response check both read it), or a `RawAnswer` (`http/answers.ts`) for no body, a redirect,
   * a file or a stream.
   */
  response?: z.ZodType | RawAnswer;
  /**
   * The success status of a JSON answer when it is not the default (201 for POST, else 200); a
   * list when the route answers one of several (201 for a room it started, 200 for the one running).
   */
  status?: number | readonly number[];
  /** Media types the route answers instead of JSON when the client asks for them (`Accept`), with what they hold. */
  alsoAnswers?: Record<string, string>;
  /** Cookie-authenticated changes need the CSRF header; a few public entry points (login) cannot have one. */
  csrfExempt?: boolean;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown | HttpResult>;
}

export function defineRoute<P = Record<string, never>, Q = Record<string, never>, B = undefined>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> {
  return def;
}

/** The status a route's success answers with: a raw answer's own, the declared one, or the method's default. */
export function successStatuses(route: Pick<RouteDef, 'method' | 'response' | 'status'>): readonly number[] {
  if (isRawAnswer(route.response)) return [route.response.status];
  if (route.status === undefined) return [route.method === 'post' ? 201 : 200];
  return typeof route.status === 'number' ? [route.status] : route.status;
}

export function isHttpResult(v: unknown): v is HttpResult {
  return typeof v === 'object' && v !== null && ('status' in v || 'sent' in v) && Object.keys(v).every((k) => ['status', 'body', 'sent'].includes(k));
}

export interface RouteDeps {
  audit: AuditService;
  authenticate(req: Request): Promise<Principal | null>;
}

function parseOrThrow<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : where;
  throw new InputError(`${where} ${field}: ${issue.message}`, { reason: 'invalid_input', details: { field: issue.path.length ? field : where, in: where } });
}

function outcomeOf(err: unknown): AuditOutcome {
  return err instanceof AuthenticationError || err instanceof NotAllowedError || err instanceof RateLimitedError ? 'denied' : 'failure';
}

/** Where a request came from: the peer's address, or what a channel without one named itself (`room:<id>`). */
export function clientAddressOf(req: Request): string {
  return (req as Request & { channelAddress?: string }).channelAddress ?? req.socket.remoteAddress ?? 'unknown';
}

/** Names the origin of a request arriving over a unix socket channel, for the audit log. */
export function setChannelAddress(req: object, address: string): void {
  (req as { channelAddress?: string }).channelAddress = address;
}

function defaultScope(params: unknown): AuditScope {
  const p = (params ?? {}) as Record<string, unknown>;
  const projectId = typeof p.projectId === 'string' ? p.projectId : null;
  const idKey = Object.keys(p).find((k) => k !== 'projectId' && k.endsWith('Id'));
  const object = idKey ? `${idKey.slice(0, -2)}:${String(p[idKey])}` : projectId ? `project:${projectId}` : '';
  return { object, projectId, role: null, details: {} };
}

export function mountRoutes(router: Router, routes: readonly RouteDef[], deps: RouteDeps): void {
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response, next: NextFunction) => {
      const requestId = requestIdOf(req);
      const clientAddress = clientAddressOf(req);
      let principal: Principal | null = null;
      const audit = defaultScope(req.params);
      let committed = false;
      const record = async (outcome: AuditOutcome, reason: string | null) => {
        await deps.audit.record({
          actor: principal?.userId ?? 'anonymous',
          role: audit.role ?? principal?.roles[0] ?? 'anonymous',
          action: route.action,
          object: audit.object,
          projectId: audit.projectId,
          outcome,
          reason,
          requestId,
          clientAddress,
          details: audit.details,
        });
      };
      try {
        principal = await deps.authenticate(req);
        if (route.access !== 'public') {
          if (!principal) throw new AuthenticationError('log in first', { reason: 'not_authenticated' });
          if (Array.isArray(route.access)) {
            const role = route.access.find((r) => principal!.roles.includes(r));
            if (!role) throw new NotAllowedError(`this needs the role ${route.access.join(' or ')}`, { reason: 'wrong_role' });
            audit.role = role;
          }
        }
        const changes = route.method !== 'get';
        if (changes && principal?.via === 'session' && !route.csrfExempt) {
          const sent = req.get('x-csrf-token');
          if (!sent || sent !== principal.csrfToken) throw new NotAllowedError('missing or wrong CSRF token', { reason: 'csrf' });
        }
        // The body is read only now, once the caller is known and allowed (see http/body.ts).
        if (route.body) await readJsonBody(req, res, principal ? 'authenticated' : 'public');
        const params = parseOrThrow(route.params, req.params, 'path');
        const query = parseOrThrow(route.query, req.query, 'query');
        const body = parseOrThrow(route.body, req.body, 'body');
        if (changes) await record('initiated', null);
        const ctx: RouteContext<unknown, unknown, unknown> = {
          principal,
          params,
          query,
          body,
          audit,
          requestId,
          clientAddress,
          req,
          res,
          async commitSuccess() {
            if (committed) return;
            await record('success', null);
            committed = true;
          },
        };
        const result = await route.handler(ctx);
        const declared = successStatuses(route);
        if (checkResponses && route.response) {
          const name = `${route.method.toUpperCase()} ${route.path}`;
          if (isRawAnswer(route.response)) {
            const bodyless = isHttpResult(result) && (result.sent || result.body === undefined);
            if (!bodyless) throw new ResponseContractError(`response of ${name} is JSON, its declaration says it is not`);
            assertStatus(name, declared, result.sent ? res.statusCode : (result.status ?? 204));
          } else if (!(isHttpResult(result) && (result.sent || result.body === undefined))) {
            if (isHttpResult(result)) assertStatus(name, declared, result.status ?? 200);
            assertResponse(name, route.response, isHttpResult(result) ? result.body : (result ?? null));
          }
        }
        await ctx.commitSuccess();
        if (isHttpResult(result)) {
          if (result.sent) return;
          if (result.body === undefined) res.status(result.status ?? 204).end();
          else res.status(result.status ?? 200).json(result.body);
        } else {
          res.status(declared[0]!).json(result ?? null);
        }
      } catch (err) {
        if (!committed) {
          try {
            await record(outcomeOf(err), err instanceof DomainError ? err.message : 'internal error');
          } catch (auditErr) {
            return next(auditErr);
          }
        }
        if (res.headersSent) {
          res.destroy(err instanceof Error ? err : undefined);
          return;
        }
        next(err);
      }
    });
  }
}
