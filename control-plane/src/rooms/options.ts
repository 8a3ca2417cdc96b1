/**
 * Settings of rooms and the room proxy: the `rooms` section of the one typed config
 * (`roomsConfigSection`, handed to `config/` by the server), from these environment variables. Every key is described; none is secret.
 *
 *   TRE_ROOM_DRIVER              default driver for new rooms: local (default), docker, kubernetes
 *   TRE_ROOM_PROGRAM             jupyterlab (default) or stub (tests, benchmarks)
 *   TRE_ROOM_ROOTFS_DIR          room file system (default: rootfs-default.ts)
 *   TRE_ROOM_CGROUP_ROOT         cgroup v2 hierarchy for room limits (default /sys/fs/cgroup; rlimits when unusable)
 *   TRE_ROOM_QUOTA               live rooms per project (default 10)
 *   TRE_ROOM_IDLE_MINUTES        stop a room with no successful proxied request for this long (default 120)
 *   TRE_ROOM_MAX_HOURS           stop any room after this long (default 12)
 *   TRE_ROOM_START_TIMEOUT_S     a room not running after this long has failed (default 180)
 *   TRE_ROOM_MEMORY_MB, TRE_ROOM_CPU_MILLIS, TRE_ROOM_PIDS   limits of every room (4096, 2000, 512)
 *   TRE_ROOM_RECONCILE_MS        interval between reconcile passes (default 5000)
 *   TRE_ROOM_LEASE_S             leader lease length (default 15)
 *   TRE_ROOM_DOCKER_SOCKET       enables the docker driver against this daemon socket
 *   TRE_ROOM_KUBECONFIG          enables the kubernetes driver ('in-cluster' or a kubeconfig path)
 *   TRE_ROOM_KUBE_NAMESPACE      rooms namespace (default analyserom-rooms)
 *   TRE_ROOM_KUBE_IMAGE          room image for kubernetes (default analyserom/room:latest)
 *   TRE_ROOM_POOL_SIZE           standby rooms prepared ahead of demand, each for one recent member (default 0)
 *   TRE_ROOM_POOL_RECENT_DAYS    who counts as recent for the pool (default 14)
 *   TRE_PROXY_AUTH_CACHE_MS      how long a proxy access decision is reused (default 5000)
 *   TRE_PROXY_UPLOAD_MAX_BYTES   largest request body into a room (default 25 MiB)
 *   TRE_PROXY_CONTENTS_MAX_BYTES largest non-notebook file the contents API may return (default 64 KiB)
 *   TRE_PROXY_SESSION_IDLE_S     a room session is closed (audited) after this long without requests (default 900)
 *   TRE_PROXY_SESSION_FLUSH_MS   room sessions' last requests and the heartbeat are written this often (default 5000)
 *   TRE_ROOMS_DOMAIN             rooms are served at <room>.<this> (default rooms.<platform host>; rooms.localhost for an IP or localhost)
 *   TRE_ROOM_COOKIE_MINUTES      longest life of a room's cookie after a hand-off (default 480; it also ends with the platform session)
 */
import { z } from 'zod';
import type { ConfigSection } from '../config/index.ts';
import { defaultRootfsDir } from './rootfs-default.ts';
import { validRoomsDomain } from '../proxy/index.ts';

const int = (min: number) => z.coerce.number().int().min(min);

export const roomsOptionsSchema = z.object({
  defaultDriver: z.enum(['local', 'docker', 'kubernetes']).describe('Driver of new rooms').default('local'),
  program: z.enum(['jupyterlab', 'stub']).describe('Server a room runs: jupyterlab, or the stub (tests, benchmarks)').default('jupyterlab'),
  rootfsDir: z
    .string()
    .describe('Room file system built by workspace-images/build-rootfs.sh')
    .default(() => defaultRootfsDir()),
  cgroupRoot: z
    .string()
    .describe('cgroup v2 hierarchy the local driver puts rooms under; rlimits when unusable (started as root: a delegated sub-tree)')
    .default('/sys/fs/cgroup'),
  quotaPerProject: int(1).describe('Live rooms per project').default(10),
  idleMinutes: z.coerce.number().positive().describe('Stop a room with no successful proxied request for this long').default(120),
  maxHours: z.coerce.number().positive().describe('Stop any room after this long').default(12),
  startTimeoutSeconds: z.coerce.number().positive().describe('A room not running after this long has failed').default(180),
  memoryMb: int(64).describe('Memory limit of every room').default(4096),
  cpuMillis: int(10).describe('CPU limit of every room (1000 = one core)').default(2000),
  pids: int(8).describe('Process limit of every room').default(512),
  reconcileMs: int(10).describe('Interval between reconcile passes').default(5000),
  fastReconcileMs: int(10).describe('Interval between passes while a room is starting').default(50),
  leaseSeconds: z.coerce.number().positive().describe('Length of the reconcile leader lease').default(15),
  localStopGraceMs: int(0).describe('Grace the local driver gives a room server to stop').default(2000),
  dockerSocket: z.string().optional().describe('Docker daemon socket; enables the docker driver'),
  kubeconfig: z.string().optional().describe('in-cluster or a kubeconfig path; enables the kubernetes driver'),
  kubeNamespace: z.string().describe('Namespace of Kubernetes rooms').default('analyserom-rooms'),
  kubeImage: z.string().describe('Room image for Kubernetes').default('analyserom/room:latest'),
  proxyAuthCacheMs: int(0).describe('How long a proxy access decision is reused').default(5000),
  proxyUploadMaxBytes: int(0)
    .describe('Largest request body into a room')
    .default(25 * 1024 * 1024),
  proxyContentsMaxBytes: int(0)
    .describe('Largest non-notebook file the contents API may return')
    .default(64 * 1024),
  proxySessionIdleSeconds: z.coerce.number().positive().describe('A room session is closed (audited) after this long without requests').default(900),
  proxySessionFlushMs: int(10)
    .describe(
      "Room sessions' last request times and this control plane's heartbeat are written this often; silent for six times this, a control plane's sessions are closed",
    )
    .default(5000),
  poolSize: int(0).describe('Standby rooms prepared ahead of demand (0: none)').default(0),
  poolRecentDays: z.coerce.number().positive().describe('Who counts as a recent room user for the pool').default(14),
  roomsDomain: z
    .string()
    .toLowerCase()
    .refine(validRoomsDomain, 'a DNS name')
    .optional()
    .describe("Rooms are served at <room>.<roomsDomain> (wildcard DNS and certificate; preferably another registrable domain than the platform's)"),
  roomCookieMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .describe('Longest life of a room cookie; it ends with the browser session it came from too')
    .default(480),
  activityFlushMs: int(0).describe('Room activity is written to the store at most this often').default(10_000),
});
export type RoomsOptions = z.infer<typeof roomsOptionsSchema>;
export type RoomsOptionsInput = z.input<typeof roomsOptionsSchema>;

/** Environment variable → key of the `rooms` config section. */
export const ROOMS_ENV: Record<string, keyof RoomsOptions> = {
  TRE_ROOM_DRIVER: 'defaultDriver',
  TRE_ROOM_PROGRAM: 'program',
  TRE_ROOM_ROOTFS_DIR: 'rootfsDir',
  TRE_ROOM_CGROUP_ROOT: 'cgroupRoot',
  TRE_ROOM_QUOTA: 'quotaPerProject',
  TRE_ROOM_IDLE_MINUTES: 'idleMinutes',
  TRE_ROOM_MAX_HOURS: 'maxHours',
  TRE_ROOM_START_TIMEOUT_S: 'startTimeoutSeconds',
  TRE_ROOM_MEMORY_MB: 'memoryMb',
  TRE_ROOM_CPU_MILLIS: 'cpuMillis',
  TRE_ROOM_PIDS: 'pids',
  TRE_ROOM_RECONCILE_MS: 'reconcileMs',
  TRE_ROOM_LEASE_S: 'leaseSeconds',
  TRE_ROOM_DOCKER_SOCKET: 'dockerSocket',
  TRE_ROOM_KUBECONFIG: 'kubeconfig',
  TRE_ROOM_KUBE_NAMESPACE: 'kubeNamespace',
  TRE_ROOM_KUBE_IMAGE: 'kubeImage',
  TRE_PROXY_AUTH_CACHE_MS: 'proxyAuthCacheMs',
  TRE_PROXY_UPLOAD_MAX_BYTES: 'proxyUploadMaxBytes',
  TRE_PROXY_CONTENTS_MAX_BYTES: 'proxyContentsMaxBytes',
  TRE_PROXY_SESSION_IDLE_S: 'proxySessionIdleSeconds',
  TRE_PROXY_SESSION_FLUSH_MS: 'proxySessionFlushMs',
  TRE_ROOMS_DOMAIN: 'roomsDomain',
  TRE_ROOM_COOKIE_MINUTES: 'roomCookieMinutes',
  TRE_ROOM_POOL_SIZE: 'poolSize',
  TRE_ROOM_POOL_RECENT_DAYS: 'poolRecentDays',
};

/** The `rooms` section of the one config. */
export const roomsConfigSection = {
  schema: roomsOptionsSchema,
  env: ROOMS_ENV,
  description: 'Rooms and the room proxy (TRE_ROOM_*, TRE_PROXY_*: rooms/options.ts)',
} satisfies ConfigSection<typeof roomsOptionsSchema>;

/** The `rooms` config section, then `overrides` (tests, benchmarks). Throws naming the bad key. */
export function roomsOptions(section: unknown, overrides: RoomsOptionsInput = {}): RoomsOptions {
  const parsed = roomsOptionsSchema.safeParse({ ...(typeof section === 'object' ? section : {}), ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid room settings: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
