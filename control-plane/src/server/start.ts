/**
 * Builds and starts one control plane: store (embedded or external) and migrations, master
 * key, audit path, demo seed, HTTP(S) listener. `close()` stops accepting, lets requests in
 * flight finish, drains the audit log and closes the store.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAuditService } from '../audit/index.ts';
import { publicUrl as urlOf, redactConfig, type Config } from '../config/index.ts';
import { seedDemo } from '../demo/index.ts';
import { dialogueRoutes } from '../dialogue/index.ts';
import { ensureFirstAdmin, authenticate, identityRoutes, oidcRoutes } from '../identity/index.ts';
import { createApp, SECURITY_HEADERS, armRequestDeadline, refuseUpgrade, type RouteDef, webDir } from '../http/index.ts';
import { NotFoundError } from '../errors/index.ts';
import { systemClock, type Clock, createLogger, type Logger, platformPaths } from '../platform/index.ts';
import type { CoreDeps, ModuleDeps } from '../module-api/index.ts';
import { projectRoutes } from '../projects/index.ts';
import { caseStatsRoutes } from '../case-stats/index.ts';
import { createSecretBox, loadMasterKey } from '../secrets/index.ts';
import { migrate, openStore } from '../store/index.ts';
import { buildModules, inBuildOrder, type AnyModuleFactory, type PlatformModules } from './modules.ts';

export const VERSION = '0.1.0';

export interface RunningPlatform {
  url: string;
  port: number;
  deps: CoreDeps;
  modules: PlatformModules;
  server: Server;
  close(): Promise<void>;
}

export async function startPlatform(
  config: Config,
  /** `modules`: factories that replace the default of their slot (`modules.ts`). */
  opts: { clock?: Clock; logger?: Logger; modules?: readonly AnyModuleFactory[] } = {},
): Promise<RunningPlatform> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrate(store);
    if (applied.length) logger.info('store migrated', { applied });
    const box = createSecretBox(loadMasterKey({ ...config }));
    const audit = createAuditService({ pool: store.pool, clock });
    const deps: CoreDeps = { store, clock, logger, audit, box, config };
    const bootstrap = await store.tx((q) => ensureFirstAdmin(q, box, config.demo));
    if (bootstrap) {
      await audit.record({
        actor: 'system',
        role: 'system',
        action: 'user.create',
        object: 'user:admin',
        projectId: null,
        outcome: 'success',
        reason: 'first start: platform admin',
        requestId: null,
        clientAddress: null,
      });
      process.stderr.write(
        `First start: created platform admin 'admin'. Shown once, keep them safe:\n  password: ${bootstrap.password}\n  TOTP enrolment: ${bootstrap.totpUri}\n`,
      );
    }
    if (config.demo) {
      const seeded = await store.tx((q) => seedDemo(q, box, { password: config.demoPassword, now: clock.now() }));
      if (seeded.created)
        await audit.record({
          actor: 'system',
          role: 'system',
          action: 'demo.seed',
          object: `project:${seeded.projectId}`,
          projectId: seeded.projectId,
          outcome: 'success',
          reason: null,
          requestId: null,
          clientAddress: null,
        });
    }
    let url = '';
    let dispatch: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const moduleDeps: ModuleDeps = {
      ...deps,
      paths: platformPaths(config.dataDir),
      url: () => url,
      dispatch(req, res) {
        if (!dispatch) throw new Error('the app is not built yet');
        dispatch(req, res);
      },
    };
    const modules = await buildModules(moduleDeps, opts.modules);
    const all = inBuildOrder(modules);
    const routes: RouteDef[] = [
      ...identityRoutes(deps),
      ...oidcRoutes(deps),
      ...projectRoutes(deps),
      ...caseStatsRoutes(deps),
      ...dialogueRoutes(deps),
      ...all.flatMap((m) => m.routes ?? []),
    ];
    const app = createApp({
      routes,
      audit,
      logger,
      version: VERSION,
      webDir: webDir(),
      before: all.flatMap((m) => m.before ?? []),
      after: all.flatMap((m) => m.after ?? []),
      authenticate: (req) => authenticate(store, clock, req),
      ready: async () => (await store.query('SELECT 1 AS ok')).length === 1,
    });
    dispatch = app;
    const takers = all.filter((m) => m.request);
    const securityHeaders = Object.entries(SECURITY_HEADERS);
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      armRequestDeadline(req, res, config.requestTimeoutMs);
      if (takers.length) {
        // The same headers Express would have set; an upstream's own (Jupyter's CSP) replace them.
        for (const [k, v] of securityHeaders) res.setHeader(k, v);
        for (const m of takers) if (m.request!(req, res)) return;
      }
      app(req, res);
    };
    const server =
      config.tlsCert && config.tlsKey ? createHttps({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, handler) : createHttp(handler);
    server.keepAliveTimeout = 65_000;
    // Node's requestTimeout cannot spare one request, and a register delivery of several GB may
    // rightly stream for longer; so every request gets its own deadline (armRequestDeadline in
    // the handler), which the delivery route trades for an idle timeout. Headers must arrive
    // within headersTimeout either way.
    server.requestTimeout = 0;
    server.headersTimeout = Math.min(60_000, config.requestTimeoutMs);
    server.on('upgrade', (req, socket, head) => {
      if (!all.some((m) => m.upgrade?.(req, socket, head))) {
        refuseUpgrade(socket, new NotFoundError(`no websocket at ${(req.url ?? '').split('?')[0]!.slice(0, 200)}`, { reason: 'no_such_route' }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    url = urlOf(config, port);
    for (const m of all) await m.start?.();
    logger.info('control plane listening', { url, store: store.description, config: redactConfig(config) });
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      deps,
      server,
      modules,
      close() {
        closing ??= (async () => {
          // Stop accepting; keep-alive connections close as soon as their request in flight is
          // answered; after a grace period whatever is left is cut. Event streams end at once.
          await new Promise<void>((resolve) => {
            const sweep = setInterval(() => server.closeIdleConnections(), 100);
            const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(deadline);
              resolve();
            });
            server.closeIdleConnections();
            for (const m of all) m.drain?.();
          });
          for (const m of [...all].reverse())
            await m.stop?.().catch((err: unknown) => logger.error('module stop failed', { module: m.name, error: String(err) }));
          await audit.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
