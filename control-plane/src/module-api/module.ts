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
  /**
   * Called once the control plane stops accepting requests, before it waits for those in flight:
   * end long-lived answers (event streams) so that shutdown need not wait for them to time out.
   */
  drain?(): void;
  /** Background work (reconcile loops, checkpoint publishing), started after the listener is up. */
  start?(): Promise<void>;
  /** Stopped before the store closes. */
  stop?(): Promise<void>;
}

export interface ModuleDeps extends CoreDeps {
  paths: PlatformPaths;
  /** This control plane's URL (known once listening). */
  url(): string;
  /**
   * Hands a request to the platform's app (routes, the one audit path, problem mapping), for a
   * module that takes requests on a listener of its own (a room's API socket). Set once the app is built.
   */
  dispatch(req: IncomingMessage, res: ServerResponse): void;
}

/**
 * Builds one module. `slot` is the place it fills in the server (`server/start.ts`, where the
 * modules are built in order, each handed the ones it builds on as `Needs`); a factory given to
 * `startPlatform` for a slot replaces the default one (tests, benchmarks). Factories only
 * construct: nothing runs before `start()`, so a replaced default leaves nothing behind.
 */
export interface ModuleFactory<Slot extends string = string, M extends PlatformModule = PlatformModule, Needs extends object = object> {
  slot: Slot;
  create(deps: ModuleDeps & Needs): M | Promise<M>;
}

/** A module factory with its types inferred from `create`. */
export function defineModule<Slot extends string, M extends PlatformModule, Needs extends object = object>(
  slot: Slot,
  create: (deps: ModuleDeps & Needs) => M | Promise<M>,
): ModuleFactory<Slot, M, Needs> {
  return { slot, create };
}
