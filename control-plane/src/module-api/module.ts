import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';
import type { RouteDef } from '../http/index.ts';
import type { CoreDeps } from './deps.ts';
import type { PlatformPaths } from '../platform/index.ts';

/** What a bounded context contributes to a running control plane. */
export interface PlatformModule {
  name: string;
  /** API routes, mounted through the one audit path. */
  routes?: RouteDef[];
  /** Handlers mounted before Express' router and body parsing. */
  before?: RequestHandler[];
  /**
   * Takes a request before Express sees it at all (the room proxy, on its hot path); returns true
   * when it has taken it. The platform's security headers are already set.
   */
  request?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Handlers mounted after the API routes (e.g. server-sent events needing raw responses). */
  after?: RequestHandler[];
  /** Websocket upgrades; return true when handled. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Background work (reconcile loops, checkpoint publishing), started after the listener is up. */
  start?(): Promise<void>;
  /** Stopped before the store closes. */
  stop?(): Promise<void>;
  /** Anything else a module offers the modules after it (looked up through `ModuleDeps.modules`). */
  [service: string]: unknown;
}

export interface ModuleDeps extends CoreDeps {
  paths: PlatformPaths;
  /** Modules created earlier, by name, for the few that build on another (the airlock on rooms). */
  modules: ReadonlyMap<string, PlatformModule>;
  /** This control plane's URL (known once listening). */
  url(): string;
  /**
   * Hands a request to the platform's app (routes, the one audit path, problem mapping), for a
   * module that takes requests on a listener of its own (a room's API socket). Set once the app is built.
   */
  dispatch(req: IncomingMessage, res: ServerResponse): void;
}

export type ModuleFactory = (deps: ModuleDeps) => PlatformModule | Promise<PlatformModule>;
