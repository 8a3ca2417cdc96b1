/**
 * Docker room driver (dockerode). One container per room, named by owner and room id, created from
 * the image imported from the room file system, hardened in `container-spec.ts`: no network
 * (`NetworkMode: none`, only the container's own loopback), read-only root, all capabilities dropped,
 * no-new-privileges, uid 1000, memory/CPU/pids limits, `/tmp` a tmpfs. Jupyter listens on a unix
 * socket in the bind-mounted socket folder; the control plane's proxy is its only client, and reaches
 * it only through a hard link made outside that folder (the room could plant a symlink inside it).
 *
 * Truth is the daemon: `poll`, `stop` and `listOwned` find containers by name and labels, so they
 * work without loaded state (after a restart, for orphans). The saved state only records what was
 * created, so `stateChanged` can tell the control plane that a room was re-created behind its back.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ConflictError, InputError, UnavailableError } from '../../../errors/index.ts';
import {
  ROOM_GID,
  ROOM_LABELS,
  ROOM_SOCKET_NAME,
  ROOM_UID,
  roomSpecSchema,
  type AppliedLimits,
  type DriverOptions,
  type OwnedRoom,
  type RoomDriver,
  type RoomObservation,
  type RoomObservedState,
  type RoomSpec,
  type SavedRoomState,
} from '../types.ts';
import { BASE_URL_LABEL, SOCKET_DIR_LABEL, containerCreateOptions, containerName } from './container-spec.ts';
import { createImageImporter } from './image.ts';
import { refreshSocketLink, removeSocketLink, socketLinkPath } from '../local/index.ts';
import { probeUnixSocket } from './probe.ts';

export interface DockerDriverOptions extends DriverOptions {
  /** A dockerode client for the daemon rooms run on. */
  docker: Docker;
  /** Output folder of `workspace-images/build-rootfs.sh`; imported as the room image. */
  rootfsDir: string;
}

const STATE_VERSION = 1;
interface DockerRoomState extends SavedRoomState {
  driver: 'docker';
  version: typeof STATE_VERSION;
  containerId: string;
  containerName: string;
  image: string;
}

const LIMITS_BY_RUNTIME: AppliedLimits = { memory: 'runtime', cpu: 'runtime', pids: 'runtime' };

export function createDockerDriver(opts: DockerDriverOptions): RoomDriver {
  const { docker, ownerId } = opts;
  const importImage = createImageImporter(docker, opts.rootfsDir);
  const states = new Map<string, DockerRoomState>();

  async function inspect(roomId: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await docker.getContainer(containerName(ownerId, roomId)).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable(err);
    }
  }

  function remember(roomId: string, info: Docker.ContainerInspectInfo): boolean {
    const next: DockerRoomState = {
      driver: 'docker',
      version: STATE_VERSION,
      containerId: info.Id,
      containerName: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
    };
    const prev = states.get(roomId);
    states.set(roomId, next);
    return prev === undefined || prev.containerId !== next.containerId;
  }

  async function observe(roomId: string, info: Docker.ContainerInspectInfo | undefined): Promise<RoomObservation> {
    if (!info) return { roomId, state: 'stopped' };
    const socketDir = info.Config.Labels?.[SOCKET_DIR_LABEL] ?? '';
    const baseUrl = info.Config.Labels?.[BASE_URL_LABEL] ?? '/';
    const base: RoomObservation = { roomId, state: 'starting', startedAt: new Date(info.Created).toISOString(), limits: appliedLimits(info) };
    const s = info.State;
    if (s.Status === 'exited' || s.Status === 'dead') {
      return {
        ...base,
        state: 'failed',
        reason: s.OOMKilled ? 'out_of_memory' : 'exited',
        message: `room server exited with code ${s.ExitCode}${s.Error ? `: ${s.Error}` : ''}`,
      };
    }
    if (s.Status === 'paused' || s.Status === 'removing')
      return { ...base, state: 'failed', reason: s.Status === 'paused' ? 'container_paused' : 'container_removing', message: `container is ${s.Status}` };
    // Never the room's own path: the room can write its socket folder and could plant a symlink to a
    // host socket there. The endpoint is a hard link made outside the room (contract, RoomEndpoint).
    const endpoint = { kind: 'unix' as const, socketPath: socketLinkPath(socketDir) };
    if (s.Status !== 'running') return { ...base, endpoint };
    const linked = socketDir ? await refreshSocketLink(socketDir, endpoint.socketPath) : undefined;
    if (!linked || !(await probeUnixSocket(linked, baseUrl))) return { ...base, endpoint };
    return { ...base, state: 'running', endpoint, usage: await usage(info.Id) };
  }

  async function usage(id: string): Promise<RoomObservation['usage']> {
    try {
      const st = await docker.getContainer(id).stats({ stream: false, 'one-shot': true });
      return { cpuSeconds: st.cpu_stats.cpu_usage.total_usage / 1e9, memoryBytes: st.memory_stats.usage };
    } catch {
      return undefined;
    }
  }

  async function removeAndWait(roomId: string): Promise<void> {
    const name = containerName(ownerId, roomId);
    for (let attempt = 0; ; attempt++) {
      try {
        await docker.getContainer(name).remove({ force: true, v: false });
      } catch (err) {
        const code = statusOf(err);
        if (code === 404) return;
        if (code !== 409) throw unavailable(err); // 409: removal already in progress; wait for it
      }
      if (!(await inspect(roomId))) return;
      if (attempt > 100) throw new UnavailableError('room container could not be removed', { reason: 'remove_timeout', details: { roomId } });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    name: 'docker',

    async start(input: RoomSpec): Promise<RoomObservation> {
      const parsed = roomSpecSchema.safeParse(input);
      if (!parsed.success) throw new InputError('invalid room spec', { reason: 'invalid_spec', details: { issues: parsed.error.issues } });
      const spec = parsed.data;
      const existing = await inspect(spec.roomId);
      if (existing && ['created', 'running', 'restarting'].includes(existing.State.Status)) {
        remember(spec.roomId, existing);
        return observe(spec.roomId, existing);
      }
      if (existing) await removeAndWait(spec.roomId);
      prepareFolders(spec);
      const image = await importImage();
      let container: Docker.Container;
      try {
        container = await docker.createContainer(containerCreateOptions(spec, { ownerId, image }));
      } catch (err) {
        if (statusOf(err) !== 409) throw unavailable(err);
        const raced = await inspect(spec.roomId); // created concurrently by another call: adopt it
        if (!raced) throw new ConflictError('room container name taken', { reason: 'name_conflict', details: { roomId: spec.roomId } });
        remember(spec.roomId, raced);
        return observe(spec.roomId, raced);
      }
      try {
        await container.start();
      } catch (err) {
        // Leave the created container: poll reports it failed, stop removes it.
        const info = await inspect(spec.roomId);
        if (info) remember(spec.roomId, info);
        return { roomId: spec.roomId, state: 'failed', reason: 'start_refused', message: String((err as Error).message ?? err) };
      }
      const info = await inspect(spec.roomId);
      if (info) remember(spec.roomId, info);
      return observe(spec.roomId, info);
    },

    async poll(roomId: string): Promise<RoomObservation> {
      const info = await inspect(roomId);
      const obs = await observe(roomId, info);
      if (info && remember(roomId, info)) obs.stateChanged = true;
      return obs;
    },

    async stop(roomId: string): Promise<void> {
      const info = await inspect(roomId);
      await removeAndWait(roomId);
      const socketDir = info?.Config.Labels?.[SOCKET_DIR_LABEL];
      if (socketDir) {
        rmSync(join(socketDir, ROOM_SOCKET_NAME), { force: true });
        await removeSocketLink(socketLinkPath(socketDir));
      }
      states.delete(roomId);
    },

    getState(roomId: string): SavedRoomState | undefined {
      const s = states.get(roomId);
      return s && { ...s };
    },

    loadState(roomId: string, state: SavedRoomState): void {
      // Unknown versions are ignored rather than refused: poll finds the container by name anyway.
      if (state.driver === 'docker' && state.version === STATE_VERSION) states.set(roomId, state as DockerRoomState);
    },

    async listOwned(): Promise<OwnedRoom[]> {
      let list: Docker.ContainerInfo[];
      try {
        list = await docker.listContainers({ all: true, filters: { label: [`${ROOM_LABELS.owner}=${ownerId}`] } });
      } catch (err) {
        throw unavailable(err);
      }
      return list
        .map((c) => ({
          roomId: c.Labels[ROOM_LABELS.roomId] ?? '',
          projectId: c.Labels[ROOM_LABELS.projectId] ?? '',
          state: listState(c.State),
        }))
        .filter((r) => r.roomId !== '');
    },
  };
}

/** Host folders: writable ones owned by the room's uid (when we can chown), read-only ones must exist. */
function prepareFolders(spec: RoomSpec): void {
  for (const [field, dir] of [
    ['dataDir', spec.dataDir],
    ['importsDir', spec.importsDir],
  ] as const) {
    // A missing bind source would be created empty by dockerd, hiding a mistake: refuse instead.
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new InputError(`${field} does not exist`, { reason: 'folder_missing', details: { field, dir } });
  }
  for (const dir of [spec.homeDir, spec.outputsDir, spec.socketDir, spec.apiDir]) {
    if (!dir) continue;
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) chownSync(dir, ROOM_UID, ROOM_GID);
  }
  chmodSync(spec.socketDir, 0o700);
  if (spec.apiDir) chmodSync(spec.apiDir, 0o700);
  rmSync(join(spec.socketDir, ROOM_SOCKET_NAME), { force: true }); // stale socket of an earlier run
  rmSync(socketLinkPath(spec.socketDir), { force: true });
}

function appliedLimits(info: Docker.ContainerInspectInfo): AppliedLimits {
  const h = info.HostConfig;
  return {
    memory: (h.Memory ?? 0) > 0 ? LIMITS_BY_RUNTIME.memory : 'none',
    cpu: (h.NanoCpus ?? 0) > 0 ? LIMITS_BY_RUNTIME.cpu : 'none',
    pids: (h.PidsLimit ?? 0) > 0 ? LIMITS_BY_RUNTIME.pids : 'none',
  };
}

function listState(s: string): RoomObservedState {
  if (s === 'running') return 'running';
  if (s === 'created' || s === 'restarting') return 'starting';
  return 'failed';
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

function unavailable(err: unknown): UnavailableError {
  return new UnavailableError('Docker daemon not reachable', { reason: 'docker_unavailable', cause: err });
}
