/**
 * The Express application: security headers, health, the API routes through the one audit
 * path, the OpenAPI document, the web UI, and the one error mapping at the end.
 * Handlers that must run before Express' router (the room proxy) are passed in `before`.
 */
import express, { type Express, type RequestHandler } from 'express';
import { NotAllowedError, NotFoundError, UnavailableError } from '../errors/index.ts';
import type { Principal, Logger, AuditService } from '../platform/index.ts';
import { buildOpenApi } from './openapi.ts';
import { problemMiddleware } from './problem.ts';
import { auditRefusals } from './refusal-audit.ts';
import { mountRoutes, requestIdOf, type RouteDef } from './route.ts';

export interface AppOptions {
  routes: RouteDef[];
  audit: AuditService;
  logger: Logger;
  version: string;
  authenticate(req: express.Request): Promise<Principal | null>;
  ready(): Promise<boolean>;
  before?: RequestHandler[];
  after?: RequestHandler[];
  /** Directory with the built web UI, served at `/`. */
  webDir?: string | undefined;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A change from another site's page is refused even before CSRF tokens are looked at. */
function sameOriginChanges(): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const origin = req.get('origin');
    if (origin && origin !== 'null') {
      const host = req.get('host');
      let ok = false;
      try {
        ok = new URL(origin).host === host;
      } catch {
        ok = false;
      }
      if (!ok) return next(new NotAllowedError('cross-origin request refused', { reason: 'bad_origin' }));
    }
    next();
  };
}

export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    res.setHeader('X-Request-Id', requestIdOf(req));
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    next();
  });
  for (const h of opts.before ?? []) app.use(h);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await opts.ready().catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' });
  });
  const openapi = buildOpenApi(opts.routes, opts.version);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // No body parser here: a route reads its body after authentication (http/route.ts, http/body.ts).
  app.use('/api', sameOriginChanges());
  app.use('/api', auditRefusals({ audit: opts.audit, authenticate: opts.authenticate }));
  const router = express.Router();
  mountRoutes(router, opts.routes, { audit: opts.audit, authenticate: opts.authenticate });
  app.use(router);
  for (const h of opts.after ?? []) app.use(h);
  // An unknown API route is a refusal too, audited the same way.
  const refused = auditRefusals({ audit: opts.audit, authenticate: opts.authenticate });
  app.use('/api', (req, res, next) => refused(new NotFoundError(`no API route ${req.method} ${req.originalUrl}`, { reason: 'no_such_route' }), req, res, next));
  if (opts.webDir) {
    app.use(express.static(opts.webDir, { index: 'index.html', fallthrough: true }));
    app.get(/^\/(?!api\/|rooms\/).*/, (_req, res) => res.sendFile('index.html', { root: opts.webDir! }));
  } else {
    app.get(/^\/(?!api\/|rooms\/).*/, (_req, _res, next) => {
      next(
        new UnavailableError('The web UI is not built: run `npm run build:web` (`npm start` builds it). The API is at /api.', { reason: 'web_ui_not_built' }),
      );
    });
  }
  app.use(problemMiddleware(opts.logger));
  return app;
}
