/**
 * Settings of rooms and the room proxy, read from the environment until the lead folds them into the
 * typed config (`config/index.ts`). Every key is described; none is secret.
 *
 *   TRE_ROOM_DRIVER              default driver for new rooms: local (default), docker, kubernetes
 *   TRE_ROOM_PROGRAM             jupyterlab (default) or stub (tests, benchmarks)
 *   TRE_ROOM_ROOTFS_DIR          room file system (default workspace-images/build/rootfs)
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
 *   TRE_PROXY_ENGINE             lean (default: node:http for plain HTTP, httpxy for websockets) or httpxy
 *   TRE_PROXY_AUTH_CACHE_MS      how long a proxy access decision is reused (default 5000)
 *   TRE_PROXY_UPLOAD_MAX_BYTES   largest request body into a room (default 25 MiB)
 *   TRE_PROXY_CONTENTS_MAX_BYTES largest non-notebook file the contents API may return (default 64 KiB)
 *   TRE_PROXY_SESSION_IDLE_S     a room session is closed (audited) after this long without requests (default 900)
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);

export const roomsOptionsSchema = z.object({
  defaultDriver: z.enum(['local', 'docker', 'kubernetes']).default('local'),
  program: z.enum(['jupyterlab', 'stub']).default('jupyterlab'),
  rootfsDir: z.string().default(process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs')),
  quotaPerProject: int(1).default(10),
  idleMinutes: z.coerce.number().positive().default(120),
  maxHours: z.coerce.number().positive().default(12),
  startTimeoutSeconds: z.coerce.number().positive().default(180),
  memoryMb: int(64).default(4096),
  cpuMillis: int(10).default(2000),
  pids: int(8).default(512),
  reconcileMs: int(10).default(5000),
  /** While a room is starting, passes come this often so the start is seen quickly. */
  fastReconcileMs: int(10).default(50),
  leaseSeconds: z.coerce.number().positive().default(15),
  /** Stop grace for the local driver's server. */
  localStopGraceMs: int(0).default(2000),
  dockerSocket: z.string().optional(),
  kubeconfig: z.string().optional(),
  kubeNamespace: z.string().default('analyserom-rooms'),
  kubeImage: z.string().default('analyserom/room:latest'),
  /** `lean` forwards plain HTTP with node:http (measured faster here); `httpxy` uses httpxy for all. */
  proxyEngine: z.enum(['lean', 'httpxy']).default('lean'),
  proxyAuthCacheMs: int(0).default(5000),
  proxyUploadMaxBytes: int(0).default(25 * 1024 * 1024),
  proxyContentsMaxBytes: int(0).default(64 * 1024),
  proxySessionIdleSeconds: z.coerce.number().positive().default(900),
  /** Standby rooms kept ready for members who used a room in the last `poolRecentDays` (0: none). */
  poolSize: int(0).default(0),
  poolRecentDays: z.coerce.number().positive().default(14),
  /** Activity is written to the store at most this often per room (the idle limit is in minutes). */
  activityFlushMs: int(0).default(10_000),
});
export type RoomsOptions = z.infer<typeof roomsOptionsSchema>;
export type RoomsOptionsInput = z.input<typeof roomsOptionsSchema>;

const ENV: Record<string, keyof RoomsOptions> = {
  TRE_ROOM_DRIVER: 'defaultDriver', TRE_ROOM_PROGRAM: 'program', TRE_ROOM_ROOTFS_DIR: 'rootfsDir', TRE_ROOM_QUOTA: 'quotaPerProject',
  TRE_ROOM_IDLE_MINUTES: 'idleMinutes', TRE_ROOM_MAX_HOURS: 'maxHours', TRE_ROOM_START_TIMEOUT_S: 'startTimeoutSeconds',
  TRE_ROOM_MEMORY_MB: 'memoryMb', TRE_ROOM_CPU_MILLIS: 'cpuMillis', TRE_ROOM_PIDS: 'pids', TRE_ROOM_RECONCILE_MS: 'reconcileMs',
  TRE_ROOM_LEASE_S: 'leaseSeconds', TRE_ROOM_DOCKER_SOCKET: 'dockerSocket', TRE_ROOM_KUBECONFIG: 'kubeconfig',
  TRE_ROOM_KUBE_NAMESPACE: 'kubeNamespace', TRE_ROOM_KUBE_IMAGE: 'kubeImage', TRE_PROXY_AUTH_CACHE_MS: 'proxyAuthCacheMs', TRE_PROXY_ENGINE: 'proxyEngine',
  TRE_PROXY_UPLOAD_MAX_BYTES: 'proxyUploadMaxBytes', TRE_PROXY_CONTENTS_MAX_BYTES: 'proxyContentsMaxBytes',
  TRE_PROXY_SESSION_IDLE_S: 'proxySessionIdleSeconds', TRE_ROOM_POOL_SIZE: 'poolSize', TRE_ROOM_POOL_RECENT_DAYS: 'poolRecentDays',
};

/** Options from the environment, then `overrides` (tests, benchmarks). Throws naming the bad key. */
export function roomsOptions(env: NodeJS.ProcessEnv, overrides: RoomsOptionsInput = {}): RoomsOptions {
  const fromEnv: Record<string, string> = {};
  for (const [k, key] of Object.entries(ENV)) if (env[k]) fromEnv[key] = env[k];
  const parsed = roomsOptionsSchema.safeParse({ ...fromEnv, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid room settings: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
