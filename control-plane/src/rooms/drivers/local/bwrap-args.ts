/**
 * The bubblewrap command line of a room. Pure, so the sandbox's shape can be read in one place:
 *
 *  - new user, PID, IPC, UTS, network and cgroup namespaces (`--unshare-all`): only its own loopback,
 *    no further user namespaces (`--disable-userns`), hostname `room`;
 *  - the room file system read-only as `/`, fresh `/proc` and minimal `/dev`, private tmpfs for
 *    `/tmp`, `/var/tmp` and `/run`; `/data` and `/imports` read-only, home, `/outputs` and the socket
 *    folder read-write, the control plane's channel folder `/run/analyserom` read-only; nothing else
 *    of the host is mounted;
 *  - uid/gid 1000 inside, every capability dropped, a new session (no terminal injection),
 *    no_new_privs (bubblewrap always sets it) and the seccomp filter from `seccomp.ts` on fd 3.
 *
 * The environment (including JUPYTER_TOKEN) is passed as bubblewrap's own environment, never in argv,
 * because any host user can read a process's argv. The labels ARE in argv, on purpose: they are how
 * `listOwned` finds rooms in /proc.
 */
import { type RoomSpec, ROOM_API_DIR, ROOM_GID, ROOM_JUPYTER, ROOM_PATHS, ROOM_SOCKET_DIR, ROOM_SOCKET_NAME, ROOM_UID, roomApiEnv } from '../types.ts';
import { LABELS_ENV } from './proc.ts';
import { rlimitScript } from './limits.ts';

export const SECCOMP_FD = 3;
const TMPFS_BYTES = 256 * 1024 * 1024;

export interface BwrapPlan {
  rootfsDir: string;
  spec: RoomSpec;
  labels: string;
  useRlimits: boolean;
}

export function serverArgv(spec: RoomSpec): string[] {
  const socket = `${ROOM_SOCKET_DIR}/${ROOM_SOCKET_NAME}`;
  if ((spec.program ?? 'jupyterlab') === 'stub') {
    return ['/usr/bin/python3', '/usr/local/lib/analyserom/stub-server.py', socket, spec.baseUrl];
  }
  return [
    ROOM_JUPYTER,
    '--no-browser',
    `--ServerApp.sock=${socket}`,
    '--ServerApp.sock_mode=0600',
    `--ServerApp.base_url=${spec.baseUrl}`,
    `--ServerApp.root_dir=${ROOM_PATHS.home}`,
  ];
}

export function bwrapArgs(plan: BwrapPlan): string[] {
  const { spec } = plan;
  return [
    '--setenv',
    LABELS_ENV,
    plan.labels,
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--hostname',
    'room',
    '--uid',
    String(ROOM_UID),
    '--gid',
    String(ROOM_GID),
    '--ro-bind',
    plan.rootfsDir,
    '/',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(TMPFS_BYTES),
    '--tmpfs',
    '/tmp',
    '--size',
    String(TMPFS_BYTES),
    '--tmpfs',
    '/var/tmp',
    '--tmpfs',
    '/run',
    '--bind',
    spec.socketDir,
    ROOM_PATHS.socketDir,
    ...(spec.apiDir ? ['--ro-bind', spec.apiDir, ROOM_API_DIR] : []),
    '--ro-bind',
    spec.dataDir,
    ROOM_PATHS.data,
    '--ro-bind',
    spec.importsDir,
    ROOM_PATHS.imports,
    '--bind',
    spec.homeDir,
    ROOM_PATHS.home,
    '--bind',
    spec.outputsDir,
    ROOM_PATHS.outputs,
    '--chdir',
    ROOM_PATHS.home,
    '--cap-drop',
    'ALL',
    '--new-session',
    '--seccomp',
    String(SECCOMP_FD),
    '--',
    '/bin/bash',
    '-c',
    rlimitScript(spec.limits, plan.useRlimits),
    'room-init',
    ...serverArgv(spec),
  ];
}

/** The room's whole environment. JUPYTER_CONFIG_DIR points at the read-only system folder and the
 * Python user site is off (it would add `~/.local/etc/jupyter` to Jupyter's config path), so a
 * researcher cannot override the platform's Jupyter settings from the writable home; software comes
 * from the room file system only. JupyterLab's own user settings and workspaces stay in home. */
export function roomEnv(spec: RoomSpec): Record<string, string> {
  return {
    HOME: ROOM_PATHS.home,
    USER: 'researcher',
    LOGNAME: 'researcher',
    SHELL: '/bin/bash',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    JUPYTER_CONFIG_DIR: '/etc/jupyter',
    PYTHONNOUSERSITE: '1',
    JUPYTERLAB_SETTINGS_DIR: `${ROOM_PATHS.home}/.jupyter/lab/user-settings`,
    JUPYTERLAB_WORKSPACES_DIR: `${ROOM_PATHS.home}/.jupyter/lab/workspaces`,
    JUPYTER_TOKEN: spec.jupyterToken,
    ...roomApiEnv(spec),
  };
}
