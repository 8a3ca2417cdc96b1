/**
 * Rooms: the bounded context that starts, watches and stops researcher workspaces, and serves them
 * through the room proxy (`../proxy`). One platform module (`rooms`) contributes the API routes,
 * the proxy (ahead of Express' router, and websocket upgrades) and the reconcile loop.
 *
 * A room's `/data` is the project's current approved data copy, asked of the data copies the
 * server hands in (`RoomsNeeds.copies`, the data-copies module); without a copy, `/data` is an
 * empty read-only folder (`<dataDir>/rooms-empty-data`).
 *
 * The sandbox runs as an unprivileged host uid when the control plane is root (local driver), so the
 * data directory and the folders leading to homes, outputs and room sockets are made traversable
 * (0711: no listing) and the folders a room reads (imports, the empty data folder) readable.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRoomHosts, createRoomProxy, type RoomHosts, type RoomProxy, type RoomTarget } from '../proxy/index.ts';
import { createRoomChannels, type RoomChannels } from './channel.ts';
import { createChannelDialer, type ChannelDialer } from './channel-dialer.ts';
import { keptSecret } from '../secrets/index.ts';
import { defineModule, type ModuleDeps, type PlatformModule } from '../module-api/index.ts';
import { createDriverSet, type DriverSet } from './driver-set.ts';
import { ROOM_RELAY_PORT, relaySecretOf, type RoomSpec } from './drivers/types.ts';
import { storeLease } from './lease.ts';
import { roomsOptions, type RoomsOptions, type RoomsOptionsInput } from './options.ts';
import { createReconciler, type Reconciler } from './reconcile.ts';
import { getRoom, liveRooms, recordActivity, type Room } from './room-store.ts';
import { roomRoutes } from './routes.ts';
import { createRoomService, roomUrl, tokenContext, type RoomService } from './service.ts';
import { writeWelcome } from './welcome-write.ts';

export type { RoomsOptions, RoomsOptionsInput } from './options.ts';
export type { RoomService } from './service.ts';
export type { DriverName, RoomView, UsageDay } from './schemas.ts';
export type { Reconciler, PassReport } from './reconcile.ts';
export interface RoomsModule extends PlatformModule {
  service: RoomService;
  reconciler: Reconciler;
  proxy: RoomProxy;
  drivers: DriverSet;
  options: RoomsOptions;
  /** Each running room's API socket (the airlock helper's channel). */
  channels: RoomChannels;
  /** Kubernetes rooms' channels: connections dialled in to each room's relay. */
  dialer: ChannelDialer;
  /** Opens the channel of every live room (at start: rooms that outlived the previous control plane). */
  reopenChannels(): Promise<void>;
  /** Installation id put on every room runtime as the owner label. */
  ownerId: string;
  /** Each room's own origin (`<room>.<rooms domain>`). */
  hosts: RoomHosts;
}

/** What rooms need of the data copies (the data-copies module, handed in by the server). */
export interface RoomsNeeds {
  copies: { currentCopyDir(projectId: string): Promise<string | null> };
}

/** The kept key (store, sealed) the relay secrets of Kubernetes rooms are derived from, per room. */
export const RELAY_KEY = 'rooms-relay-key';

/**
 * The rooms module with settings from the config's `rooms` section (`options.ts`), then `overrides`.
 * `drivers` replaces the configured drivers (benchmarks measuring the proxy against a fixed upstream);
 * `relayPort` the port Kubernetes rooms' relays are dialled on (tests running a relay on loopback).
 */
export function createRoomsModule(
  overrides: RoomsOptionsInput = {},
  extra: { drivers?: (ownerId: string, dataDir: string) => DriverSet; relayPort?: number } = {},
) {
  return defineModule('rooms', async (deps: ModuleDeps & RoomsNeeds): Promise<RoomsModule> => {
    const options = roomsOptions(deps.config.rooms, overrides);
    const ownerId = `tre-${(await keptSecret(deps.store, deps.box, 'rooms-owner-id', () => randomBytes(6))).toString('hex')}`;
    const relayKey = await keptSecret(deps.store, deps.box, RELAY_KEY, () => randomBytes(32));
    const drivers = extra.drivers?.(ownerId, deps.paths.dataDir) ?? createDriverSet(options, ownerId, deps.paths.dataDir);
    const changes = new EventEmitter();
    changes.setMaxListeners(0);
    const emptyData = join(deps.paths.dataDir, 'rooms-empty-data');

    const traversable = async (dir: string, mode = 0o711) => {
      await mkdir(dir, { recursive: true, mode });
      await chmod(dir, mode);
    };
    async function dataDirFor(projectId: string): Promise<string> {
      return (await deps.copies.currentCopyDir(projectId)) ?? emptyData;
    }
    const channels = createRoomChannels({ store: deps.store, audit: deps.audit, logger: deps.logger, dispatch: (req, res) => deps.dispatch(req, res) });
    /** Kubernetes rooms mount no host folder, so they get no channel. */
    const apiDirOf = (room: Room) => (room.driver === 'kubernetes' ? undefined : join(deps.paths.room(room.id), 'api'));

    const dialer = createChannelDialer({ channels, logger: deps.logger });
    /** A Kubernetes room's channel: its relay, dialled in once the room is running and reachable. */
    async function dialChannel(room: Room): Promise<void> {
      if (room.driver !== 'kubernetes' || room.state !== 'running' || room.endpoint?.kind !== 'tcp') return;
      await channels.open(room.id);
      dialer.ensure(room.id, { host: room.endpoint.host, port: extra.relayPort ?? ROOM_RELAY_PORT, secret: relaySecretOf(relayKey, room.id) });
    }
    async function reopenChannels(): Promise<void> {
      for (const room of await liveRooms(deps.store)) {
        const apiDir = apiDirOf(room);
        if (apiDir) await channels.open(room.id, apiDir);
        else await dialChannel(room);
      }
    }

    async function specFor(room: Room): Promise<RoomSpec> {
      const { paths } = deps;
      const home = paths.home(room.projectId, room.ownerId);
      for (let dir = dirname(home); dir.startsWith(paths.dataDir) && dir !== paths.dataDir; dir = dirname(dir)) await traversable(dir);
      const socketDir = join(paths.room(room.id), 'socket');
      await traversable(paths.room(room.id));
      await traversable(paths.imports(room.projectId), 0o755);
      const apiDir = apiDirOf(room);
      if (apiDir) await channels.open(room.id, apiDir);
      return {
        roomId: room.id,
        projectId: room.projectId,
        program: room.program,
        baseUrl: roomUrl(room.id),
        dataDir: await dataDirFor(room.projectId),
        homeDir: home,
        outputsDir: paths.outputs(room.projectId, room.ownerId),
        importsDir: paths.imports(room.projectId),
        socketDir,
        apiDir,
        limits: { memoryBytes: options.memoryMb * 1024 * 1024, cpuMillis: options.cpuMillis, pids: options.pids },
        jupyterToken: deps.box.open(room.jupyterTokenSealed, tokenContext(room.id)).toString('utf8'),
        relaySecret: relaySecretOf(relayKey, room.id),
      };
    }

    async function target(roomId: string): Promise<RoomTarget | undefined> {
      const room = await getRoom(deps.store, roomId);
      if (!room) return undefined;
      const e = room.endpoint;
      return {
        roomId,
        projectId: room.projectId,
        ownerId: room.ownerId,
        running: room.state === 'running' && room.wanted === 'running',
        endpoint: !e ? null : e.kind === 'unix' ? { socketPath: e.socketPath } : { host: e.host, port: e.port },
        token: deps.box.open(room.jupyterTokenSealed, tokenContext(room.id)).toString('utf8'),
      };
    }

    const hosts = createRoomHosts(() => deps.url(), options.roomsDomain);
    /** This control plane among those on the store: lease holder and room-session heartbeat. */
    const instanceId = `${ownerId}/${randomBytes(6).toString('hex')}`;
    const proxy = createRoomProxy({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      audit: deps.audit,
      hosts,
      target,
      recordActivity: (roomId, at) => recordActivity(deps.store, roomId, at),
      replicaId: instanceId,
      options: {
        authCacheMs: options.proxyAuthCacheMs,
        uploadMaxBytes: options.proxyUploadMaxBytes,
        contentsMaxBytes: options.proxyContentsMaxBytes,
        sessionIdleSeconds: options.proxySessionIdleSeconds,
        sessionFlushMs: options.proxySessionFlushMs,
        activityFlushMs: options.activityFlushMs,
        roomSessionMinutes: options.roomCookieMinutes,
      },
    });
    const reconciler = createReconciler({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      audit: deps.audit,
      drivers,
      options,
      specFor,
      started: (room, spec) => writeWelcome(room, spec, deps.logger),
      dataDirFor,
      sealToken: (id) => deps.box.seal(randomBytes(32).toString('hex'), tokenContext(id)),
      lease: storeLease(deps.store, deps.clock, 'rooms', instanceId, options.leaseSeconds * 1000),
      closeSessions: () => proxy.sweepSessions(),
      changed(roomId) {
        proxy.invalidate(roomId);
        changes.emit('room', roomId);
        void getRoom(deps.store, roomId)
          .then(async (room) => {
            if (room && (room.state === 'stopped' || room.state === 'failed')) {
              dialer.stop(roomId);
              await channels.close(roomId);
            } else if (room) {
              await dialChannel(room);
            }
          })
          .catch((err: unknown) => deps.logger.warn('room channel not closed', { roomId, error: String(err) }));
      },
    });
    const service = createRoomService({ store: deps.store, clock: deps.clock, box: deps.box, drivers, options, kick: () => reconciler.kick() });

    return {
      name: 'rooms',
      service,
      reconciler,
      proxy,
      drivers,
      options,
      ownerId,
      channels,
      dialer,
      reopenChannels,
      hosts,
      routes: roomRoutes({ service, store: deps.store, clock: deps.clock, changes, entry: proxy.entry }),
      // Room traffic is taken before Express: the hot path skips the router and body parsers
      // (throughput within noise of the Express path here); `before` stays for an app mounted
      // without the platform's server.
      request: proxy.handleRaw,
      before: [proxy.handler],
      upgrade: (req, socket, head) => proxy.upgrade(req, socket, head),
      async start() {
        await traversable(deps.paths.dataDir);
        await traversable(join(deps.paths.dataDir, 'rooms'));
        await traversable(emptyData, 0o755);
        await reopenChannels();
        await proxy.start();
        reconciler.start();
      },
      async stop() {
        await reconciler.stop();
        dialer.stopAll();
        await channels.closeAll();
        await proxy.close();
        for (const d of drivers.values()) await d.close?.();
      },
    };
  });
}

/** The rooms module as every control plane runs it (settings from the config). */
export const roomsModule = createRoomsModule();
export { checkTablePath, createRoomChannels, REFUSALS_AUDITED_PER_MINUTE } from './channel.ts';
export { containerName, createDockerDriver, createImageImporter } from './drivers/docker/index.ts';
export { createKubernetesDriver, loadTemplates, renderRoomManifests, roomNames } from './drivers/kubernetes/index.ts';
export { render } from './drivers/kubernetes/render.ts';
export { bwrapArgs, roomEnv } from './drivers/local/bwrap-args.ts';
export { buildSeccompFilter, createLocalDriver } from './drivers/local/index.ts';
export {
  type OwnedRoom,
  relaySecretOf,
  ROOM_API_SOCKET,
  type RoomDriver,
  type RoomEndpoint,
  type RoomLimits,
  type RoomObservation,
  type RoomProgram,
  type RoomSpec,
  type SavedRoomState,
} from './drivers/types.ts';
export { roomsConfigSection } from './options.ts';
export { getRoom, insertRoom, updateRoom } from './room-store.ts';
export { roomUrl, tokenContext } from './service.ts';
export { defaultRootfsDir, MACHINE_ROOTFS_DIR } from './rootfs-default.ts';
