/**
 * The container a room runs in, as a pure function of the spec, so its hardening is reviewable in
 * one place and testable without a daemon.
 */
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { ROOM_API_DIR, ROOM_GID, ROOM_JUPYTER, ROOM_LABELS, ROOM_PATHS, ROOM_SOCKET_NAME, ROOM_UID, roomApiEnv, type RoomSpec } from '../types.ts';

/** Extra label: the proxy path prefix, so `poll` can probe a room whose state was never loaded. */
export const BASE_URL_LABEL = 'analyserom.base-url';
export const SOCKET_DIR_LABEL = 'analyserom.socket-dir';

/** Container name: unique per owner and room on one daemon (two installations never collide). */
export function containerName(ownerId: string, roomId: string): string {
  const owner = createHash('sha256').update(ownerId).digest('hex').slice(0, 10);
  return `analyserom-${owner}-${roomId}`;
}

/** The server's command line. The token comes by environment (JUPYTER_TOKEN), never here. */
export function roomCommand(spec: RoomSpec): string[] {
  const sock = `${ROOM_PATHS.socketDir}/${ROOM_SOCKET_NAME}`;
  if ((spec.program ?? 'jupyterlab') === 'stub') {
    return ['/usr/bin/tini', '--', '/usr/bin/python3', '/usr/local/lib/analyserom/stub-server.py', sock, spec.baseUrl];
  }
  return [
    '/usr/bin/tini',
    '--',
    ROOM_JUPYTER,
    '--no-browser',
    `--ServerApp.sock=${sock}`,
    '--ServerApp.sock_mode=0o600',
    `--ServerApp.base_url=${spec.baseUrl}`,
    `--ServerApp.root_dir=${ROOM_PATHS.home}`,
  ];
}

export function roomLabels(spec: RoomSpec, ownerId: string): Record<string, string> {
  return {
    [ROOM_LABELS.roomId]: spec.roomId,
    [ROOM_LABELS.projectId]: spec.projectId,
    [ROOM_LABELS.owner]: ownerId,
    [BASE_URL_LABEL]: spec.baseUrl,
    [SOCKET_DIR_LABEL]: spec.socketDir,
  };
}

/** `/tmp` size: a quarter of the memory limit (tmpfs pages count against the container's memory). */
function tmpfsBytes(spec: RoomSpec): number {
  return Math.max(16 * 1024 * 1024, Math.floor(spec.limits.memoryBytes / 4));
}

export function containerCreateOptions(spec: RoomSpec, opts: { ownerId: string; image: string }): Docker.ContainerCreateOptions {
  const binds = [
    `${spec.dataDir}:${ROOM_PATHS.data}:ro`,
    `${spec.importsDir}:${ROOM_PATHS.imports}:ro`,
    `${spec.homeDir}:${ROOM_PATHS.home}:rw`,
    `${spec.outputsDir}:${ROOM_PATHS.outputs}:rw`,
    `${spec.socketDir}:${ROOM_PATHS.socketDir}:rw`,
    ...(spec.apiDir ? [`${spec.apiDir}:${ROOM_API_DIR}:ro`] : []),
  ];
  return {
    name: containerName(opts.ownerId, spec.roomId),
    Image: opts.image,
    Cmd: roomCommand(spec),
    Entrypoint: [],
    User: `${ROOM_UID}:${ROOM_GID}`,
    WorkingDir: ROOM_PATHS.home,
    Hostname: 'room',
    Env: [
      `JUPYTER_TOKEN=${spec.jupyterToken}`,
      `HOME=${ROOM_PATHS.home}`,
      'USER=researcher',
      'LANG=C.UTF-8',
      'JUPYTER_RUNTIME_DIR=/tmp/jupyter-runtime',
      'MPLCONFIGDIR=/tmp/matplotlib',
      'PYTHONDONTWRITEBYTECODE=1',
      ...Object.entries(roomApiEnv(spec)).map(([k, v]) => `${k}=${v}`),
    ],
    Labels: roomLabels(spec, opts.ownerId),
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      IpcMode: 'private',
      PidMode: '',
      Memory: spec.limits.memoryBytes,
      MemorySwap: spec.limits.memoryBytes,
      NanoCpus: spec.limits.cpuMillis * 1_000_000,
      PidsLimit: spec.limits.pids,
      Binds: binds,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${tmpfsBytes(spec)},mode=1777` },
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}
