/**
 * The room driver contract. Every runtime (local bubblewrap sandbox, Docker, Kubernetes) implements
 * `RoomDriver`; one conformance suite (`test/rooms/conformance.ts`) runs against each.
 *
 * Modelled on JupyterHub's Spawner (`start`/`stop`/`poll` + `get_state`/`load_state`) and on
 * kubebuilder reconcilers: truth about what SHOULD run lives in the store; what DOES run is observed
 * from the world on every `poll`/`listOwned`, never remembered in memory as truth.
 *
 * ## What a room is
 * One researcher workspace for one project: a server (JupyterLab, or the test stub) running as the
 * unprivileged user `researcher` (uid 1000 inside) on the shared room file system
 * (`workspace-images/build-rootfs.sh`), with
 *   - `/data`                the project's approved data copy, READ-ONLY
 *   - `/home/researcher`     the room's persistent home, read-write, survives stop/start
 *   - `/outputs`             results meant for export through the airlock, read-write
 *   - `/imports`             files brought in through the airlock, READ-ONLY
 *   - `/run/jupyter`         the socket folder; the server listens on `/run/jupyter/jupyter.sock`
 *   - `/run/analyserom`      READ-ONLY, when the spec has `apiDir`: `api.sock`, the room's one channel
 *                            to the control plane (the airlock helper's table checks, `rooms/channel.ts`);
 *                            `ANALYSEROM_API`, `ANALYSEROM_PROJECT` and `ANALYSEROM_OUTPUTS` tell the room
 * and NO network: no interface but its own loopback (or none), no name resolution, nothing of the
 * host visible (control-plane files, keys, database, other rooms, host processes).
 * The server requires `spec.jupyterToken`; the control plane's proxy is its only client and adds it.
 *
 * ## States (`RoomObservation.state`), as observed by `poll`
 *   - `starting`  the runtime exists (process / container / pod) but the server does not answer yet.
 *   - `running`   the server answered an HTTP request on `endpoint` (a 2xx/3xx/401/403 counts);
 *                 for Kubernetes additionally: the room's deny-all NetworkPolicy exists (fail closed).
 *   - `stopped`   nothing of the room's runtime exists (never started, stopped, or cleaned up).
 *                 Persistent things (home, outputs) are NOT part of the runtime and are never deleted
 *                 by a driver.
 *   - `failed`    the runtime exists or existed but cannot become `running` (exited, crash-looping,
 *                 image missing, spec refused); `reason` says why in a machine-readable word and
 *                 `message` for people. Leftovers are removed by `stop`.
 *  The lifecycle the store keeps (requested → starting → running → stopping → stopped | failed) is
 *  the reconcile loop's; drivers only report these four observations.
 *
 * ## Idempotency and concurrency
 *   - `start(spec)` is idempotent per `roomId`: if the room's runtime already exists (starting or
 *     running) it is adopted, not duplicated, and the same saved state is returned. If a previous
 *     runtime `failed`, start removes its leftovers first and starts afresh.
 *     `start` resolves once the runtime is CREATED; it does not wait for `running` (poll for that).
 *   - `stop(roomId)` is idempotent: stopping an absent room succeeds. It works without loaded state
 *     (it finds the runtime by its labels), so orphans found by `listOwned` can be stopped.
 *     It resolves only when the runtime is gone (a subsequent poll says `stopped`).
 *   - `poll(roomId)` has no side effects on the room and may be called at any time, concurrently.
 *   - `getState`/`loadState`: after every `start` (and whenever `poll` returns `stateChanged: true`)
 *     the control plane persists `getState(roomId)` in the store. After a control-plane restart it
 *     constructs a NEW driver instance and calls `loadState(roomId, saved)` for each room, then
 *     `poll`. The state is opaque JSON, owned by the driver, versioned by the driver; a driver must
 *     accept state it wrote in an earlier version or return `stopped`/`failed` for it, never throw.
 *   - Calls for DIFFERENT rooms may run concurrently. Calls for the SAME room are serialised by the
 *     caller (the reconcile loop holds one lease), except `poll` and `listOwned`.
 *
 * ## Labels and orphans
 * Everything a driver creates carries labels: `analyserom.room-id`, `analyserom.project-id` and
 * `analyserom.owner` (= `DriverOptions.ownerId`, one per control-plane installation, so two
 * installations on one host never reap each other's rooms). `listOwned()` returns every room whose
 * runtime exists with this driver's owner label, whether or not state was loaded for it; the
 * reconcile loop stops those the store does not want.
 *
 * ## Errors
 * Policy refusals (e.g. a spec the runtime cannot honour) throw `InputError`/`ConflictError` from
 * `control-plane/src/errors` with a `reason`; infrastructure trouble (daemon down) throws
 * `UnavailableError`. Neither is a crash of the control plane.
 */

import type { RoomReason } from '../../errors/index.ts';
import { createHmac } from 'node:crypto';
import { z } from 'zod';

/** Resource limits of one room. Drivers report in `RoomObservation.limits` which ones they enforce. */
export const roomLimitsSchema = z.object({
  /** Memory ceiling for all processes of the room together, in bytes. */
  memoryBytes: z
    .number()
    .int()
    .min(64 * 1024 * 1024),
  /** CPU share in millicores (1000 = one full core). */
  cpuMillis: z.number().int().min(10),
  /** Maximum number of processes/threads in the room. */
  pids: z.number().int().min(8),
});
export type RoomLimits = z.infer<typeof roomLimitsSchema>;

/** Which server the room runs. `stub` is the tiny test/bench server shipped in the room file system
 * (`/usr/local/lib/analyserom/stub-server.py`): same sandbox, same socket, same token check, starts in
 * well under a second. It can also run a command inside the room (POST /run) for isolation probes;
 * that grants nothing a Jupyter kernel would not, and production rooms use `jupyterlab`. */
export const roomProgramSchema = z.enum(['jupyterlab', 'stub']);
export type RoomProgram = z.infer<typeof roomProgramSchema>;

const hostPath = z.string().min(1);

export const roomSpecSchema = z.object({
  /** Stable id of the room; lowercase letters, digits and '-', at most 63 characters (DNS label). */
  roomId: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/),
  /** Project the room belongs to (label only; isolation is per room). */
  projectId: z.string().min(1).max(128),
  /** Host folder (or, for Kubernetes, a volume reference) of the approved data copy → `/data` read-only. */
  dataDir: hostPath,
  /** Host folder of the room's persistent home → `/home/researcher` read-write. Never deleted by a driver. */
  homeDir: hostPath,
  /** Host folder → `/outputs` read-write. Never deleted by a driver. */
  outputsDir: hostPath,
  /** Host folder → `/imports` read-only. */
  importsDir: hostPath,
  /** Host folder → `/run/jupyter`; the server listens on `<socketDir>/jupyter.sock`. Private to the room. */
  socketDir: hostPath,
  /** Host folder → `/run/analyserom` READ-ONLY, holding the control plane's `api.sock` for this room.
   * Drivers that bind-mount host folders make it private to the room's uid (0700). Optional: without
   * it the room has no socket folder: Kubernetes rooms have none (their pods mount no host folder);
   * their channel is a relay in the pod that the control plane dials in to (`rooms/channel-dialer.ts`). */
  apiDir: hostPath.optional(),
  limits: roomLimitsSchema,
  /** Secret generated by the control plane; the server refuses requests without it. Passed by
   * environment (`JUPYTER_TOKEN`), never on a command line. */
  jupyterToken: z.string().min(32),
  /** What the control plane presents to the room's channel relay (Kubernetes rooms, which need it):
   * `relaySecretOf`, never derivable from anything in the room. */
  relaySecret: z.string().min(32).optional(),
  /** Path prefix under which the proxy exposes the room, e.g. `/rooms/<roomId>/` (Jupyter's base_url). */
  baseUrl: z.string().regex(/^\/([A-Za-z0-9._~-]+\/)*$/),
  /** Defaults to `jupyterlab`. */
  program: roomProgramSchema.optional(),
});
export type RoomSpec = z.infer<typeof roomSpecSchema>;

/** Where the control plane (its proxy) reaches a room's server.
 * A `unix` socketPath must be a path the room cannot modify: the room can write its socket folder
 * and could plant a symlink to a host socket there, which the control plane would follow with its
 * own privileges. The local driver returns a hard link of the room's socket made outside the room
 * (`local/socket-link.ts`); other drivers bind-mounting a socket folder must do the same. */
export type RoomEndpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; host: string; port: number };

export type RoomObservedState = 'starting' | 'running' | 'stopped' | 'failed';

/** Which limits the driver actually enforces for a room, and how. */
export interface AppliedLimits {
  memory: 'cgroup' | 'rlimit' | 'runtime' | 'none';
  cpu: 'cgroup' | 'runtime' | 'none';
  pids: 'cgroup' | 'rlimit' | 'runtime' | 'none';
}

export interface RoomUsage {
  /** CPU seconds used since the runtime started, where observable. */
  cpuSeconds?: number;
  /** Current resident memory, where observable. */
  memoryBytes?: number;
}

export interface RoomObservation {
  roomId: string;
  state: RoomObservedState;
  /** Machine-readable word for `failed` (e.g. `exited`, `image_missing`, `start_timeout`). */
  reason?: RoomReason;
  /** Human-readable detail for `failed`. */
  message?: string;
  /** Set when state is `starting` or `running`. */
  endpoint?: RoomEndpoint;
  /** ISO-8601 time the runtime was created. */
  startedAt?: string;
  limits?: AppliedLimits;
  usage?: RoomUsage;
  /** True when `getState(roomId)` changed since the last call and should be persisted again. */
  stateChanged?: boolean;
}

/** Opaque, JSON-serialisable state a driver asks the control plane to persist per room. */
export type SavedRoomState = { driver: string; version: number } & Record<string, unknown>;

/** A room runtime found by labels. */
export interface OwnedRoom {
  roomId: string;
  projectId: string;
  state: RoomObservedState;
}

export interface RoomDriver {
  /** `local`, `docker` or `kubernetes`. */
  readonly name: string;
  /** Create the room's runtime (idempotent per roomId, see above). Resolves when created, not when running. */
  start(spec: RoomSpec): Promise<RoomObservation>;
  /** Observe the room from the world. Never throws for an unknown room: returns `stopped`. */
  poll(roomId: string): Promise<RoomObservation>;
  /** Remove the room's runtime (idempotent; works for orphans without loaded state). Keeps home/outputs. */
  stop(roomId: string): Promise<void>;
  /** The state to persist for a room, or undefined if this instance knows nothing of it. */
  getState(roomId: string): SavedRoomState | undefined;
  /** Re-adopt a room after a control-plane restart from state persisted earlier. Does not touch the room. */
  loadState(roomId: string, state: SavedRoomState): void;
  /** Every room runtime carrying this driver's owner label, whether or not its state was loaded. */
  listOwned(): Promise<OwnedRoom[]>;
  /** Release the driver's own resources (watches, agents). Rooms keep running. */
  close?(): Promise<void>;
}

/** Options every driver takes; drivers extend this with their own. */
export interface DriverOptions {
  /** Owner label value, one per control-plane installation (e.g. its instance id). */
  ownerId: string;
}

/** Label keys put on everything a driver creates. */
export const ROOM_LABELS = {
  roomId: 'analyserom.room-id',
  projectId: 'analyserom.project-id',
  owner: 'analyserom.owner',
} as const;

/** Path of the server's socket inside the room and its file name inside `spec.socketDir`. */
export const ROOM_SOCKET_DIR = '/run/jupyter';
export const ROOM_SOCKET_NAME = 'jupyter.sock';
/** The control plane's channel into a room (`RoomSpec.apiDir`), as the room sees it. */
export const ROOM_API_DIR = '/run/analyserom';
export const ROOM_API_SOCKET = 'api.sock';

/** The channel relay's port in a Kubernetes room pod (its Service exposes it beside Jupyter's). */
export const ROOM_RELAY_PORT = 8889;

/**
 * The secret the control plane presents to a Kubernetes room's channel relay: keyed by a key only
 * the control plane holds, per room. It was once derived from the room's Jupyter token, which the
 * room's own code reads from its environment: a room could then pose as the control plane at its
 * relay. The relay's container alone gets it (the Jupyter container's environment has no reference).
 */
export function relaySecretOf(relayKey: Buffer, roomId: string): string {
  return createHmac('sha256', relayKey).update(`analyserom-relay:${roomId}`).digest('hex');
}

/** What tells the airlock helper in a room where the control plane is (only with `apiDir`). */
export function roomApiEnv(spec: Pick<RoomSpec, 'apiDir' | 'projectId'>): Record<string, string> {
  if (!spec.apiDir) return {};
  return { ANALYSEROM_API: `${ROOM_API_DIR}/${ROOM_API_SOCKET}`, ANALYSEROM_PROJECT: spec.projectId, ANALYSEROM_OUTPUTS: ROOM_PATHS.outputs };
}
/** The room's JupyterLab command: `jupyter-lab` after linking `/data`, `/outputs` and `/imports`
 * into the home so its file browser shows them (`workspace-images/jupyter/room-jupyter.sh`). */
export const ROOM_JUPYTER = '/usr/local/lib/analyserom/room-jupyter';
/** Inside-room mount points. */
export const ROOM_PATHS = {
  data: '/data',
  home: '/home/researcher',
  outputs: '/outputs',
  imports: '/imports',
  socketDir: ROOM_SOCKET_DIR,
} as const;
/** The researcher's uid/gid inside every room. */
export const ROOM_UID = 1000;
export const ROOM_GID = 1000;
