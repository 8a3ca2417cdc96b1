/**
 * The privilege model of `tre start`. Started as root, the control plane does what needs root and
 * then serves as an unprivileged system account (`runAs`, default `analyserom`) that owns the data
 * directory; a path trick in the control plane then reaches only what that account may, never
 * `/etc/shadow`, another installation's data or root's files. Not started as root, it runs as is.
 *
 * As root, in this order, before anything listens and before any module starts:
 *   1. the system account (made when missing: service-account.ts);
 *   2. the Docker socket's group as a supplementary group, when the docker driver is configured;
 *   3. every folder above the data directory must be passable by the account (traversal.ts);
 *   4. the port must be one an unprivileged process may bind;
 *   5. room sandboxes and a PostgreSQL server an earlier, root-run control plane left on this data
 *      directory stopped (left-behind.ts), then the data directory handed to the account (data-dir.ts);
 *   6. a cgroup v2 sub-tree delegated to it for room limits, where the machine has cgroup v2
 *      (cgroup-delegation.ts); otherwise rooms use rlimits;
 *   7. setgroups, setgid, setuid, and a check of the result for every thread (drop.ts);
 *   8. what it must read as the account: the installation, the room file system, TLS and key files.
 * Any step that cannot be done throws a `PrivilegeError` naming it: the control plane does not serve.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from '../config/index.ts';
import { delegateCgroup } from './cgroup-delegation.ts';
import { handOverDataDir } from './data-dir.ts';
import { earlierRoomSandboxes, stopEarlierPostgres, stopEarlierRooms } from './left-behind.ts';
import { dropTo } from './drop.ts';
import { PrivilegeError } from './privilege-error.ts';
import { ensureServiceAccount, type ServiceAccount } from './service-account.ts';
import { assertTraversable } from './traversal.ts';

export { parseStatus, type Credentials } from './drop.ts';
export { canTraverse } from './traversal.ts';
export { stopEarlierRooms } from './left-behind.ts';
export type { ServiceAccount } from './service-account.ts';
export interface Dropped {
  account: ServiceAccount;
  /** Supplementary groups kept besides the account's own (the Docker socket's). */
  groups: number[];
  /** The delegated cgroup v2 sub-tree for the local driver, when there is one. */
  cgroupRoot: string | undefined;
  /** Room sandboxes a root-run control plane had left on the data directory, now stopped. */
  earlierRooms: number;
}

/** What the drop reads of the config: platform-wide keys and the room settings it prepares for. */
export type PrivilegeConfig = PlatformConfig & { rooms: { dockerSocket?: string | undefined; cgroupRoot: string; rootfsDir: string } };

const INSTALL_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** Drops root as described above; undefined when not running as root (nothing to drop). */
export async function dropRoot(config: PrivilegeConfig): Promise<Dropped | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const account = ensureServiceAccount(config.runAs);
  const groups = config.rooms.dockerSocket ? [dockerSocketGroup(config.rooms.dockerSocket)] : [];
  assertTraversable(config.dataDir, account, [account.gid, ...groups]);
  assertUnprivilegedPort(config.port);
  const earlierRooms = await stopEarlierRooms(config.dataDir, account.uid);
  if (earlierRoomSandboxes(config.dataDir, account.uid).length > 0) {
    throw new PrivilegeError('earlier rooms', `room sandboxes a root-run control plane left on ${config.dataDir} did not exit; stop them and start again`);
  }
  await stopEarlierPostgres(config.dataDir, account.uid);
  handOverDataDir(config.dataDir, account);
  const cgroupRoot = delegateCgroup(config.rooms.cgroupRoot, account);
  // Children (PostgreSQL, rooms' monitors) must not inherit root's home.
  Object.assign(process.env, { HOME: config.dataDir, USER: account.name, LOGNAME: account.name });
  dropTo(account, groups);
  assertReadable(config, account);
  return { account, groups, cgroupRoot, earlierRooms };
}

function dockerSocketGroup(socket: string): number {
  let gid: number;
  try {
    gid = statSync(socket).gid;
  } catch (err) {
    throw new PrivilegeError('Docker socket', `TRE_ROOM_DOCKER_SOCKET names ${socket}, which cannot be read: ${(err as Error).message}`);
  }
  if (gid === 0) {
    throw new PrivilegeError(
      'Docker socket',
      `${socket} belongs to group root; give it a group of its own (dockerd --group docker) so the service user can join that one instead`,
    );
  }
  return gid;
}

function assertUnprivilegedPort(port: number): void {
  const first = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
  if (port !== 0 && port < first) {
    throw new PrivilegeError(
      'port',
      `port ${port} needs root (below net.ipv4.ip_unprivileged_port_start = ${first}) and the control plane drops root before it listens: use a port from ${first} up behind a reverse proxy, or lower that sysctl`,
    );
  }
}

function assertReadable(config: PrivilegeConfig, account: ServiceAccount): void {
  const need = (path: string, mode: number, what: string, fix: string) => {
    try {
      accessSync(path, mode);
    } catch {
      throw new PrivilegeError(what, `the service user ${account.name} cannot read ${path}: ${fix}`);
    }
  };
  need(
    INSTALL_DIR,
    constants.R_OK | constants.X_OK,
    'installation',
    'install Analyserom where every user can read it (not under a private home such as /root)',
  );
  need(config.dataDir, constants.R_OK | constants.W_OK | constants.X_OK, 'data directory', `it must belong to ${account.name}`);
  if (existsSync(config.rooms.rootfsDir))
    need(config.rooms.rootfsDir, constants.R_OK | constants.X_OK, 'room file system', 'make it readable by all (workspace-images/build-rootfs.sh does)');
  if (config.rooms.dockerSocket) {
    need(
      config.rooms.dockerSocket,
      constants.R_OK | constants.W_OK,
      'Docker socket',
      `it takes the socket's group and the folders above it passable (the start added that group: ${account.name} cannot reach the socket through them)`,
    );
  }
  const group = `chgrp ${account.name} FILE && chmod g+r FILE`;
  for (const [file, what] of [
    [config.tlsCert, 'TLS certificate'],
    [config.tlsKey, 'TLS key'],
    [config.masterKeyFile, 'master key file'],
  ] as const) {
    if (file) need(file, constants.R_OK, what, group.replaceAll('FILE', file));
  }
}

export { ensureServiceAccount } from './service-account.ts';
