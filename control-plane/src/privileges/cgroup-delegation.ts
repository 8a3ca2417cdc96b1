/**
 * cgroup v2 delegation for rooms, done as root before the drop (the kernel's delegation model,
 * Documentation/admin-guide/cgroup-v2.rst "Delegation"):
 *
 *   <root>/analyserom/              chowned to the service account (folder, cgroup.procs,
 *     service/                      cgroup.threads, cgroup.subtree_control); this process moves here
 *     analyserom-rooms/<roomId>/    made by the local driver (rooms/drivers/local/limits.ts)
 *
 * A process may only move a process between cgroups when it can write `cgroup.procs` of their
 * common ancestor, so the control plane itself must live inside the delegated sub-tree for its
 * rooms to be moved into theirs; `service/` holds it because a cgroup with controllers enabled for
 * its children may hold no processes itself.
 *
 * Without the unified hierarchy at `root` (or without its memory, cpu and pids controllers) there
 * is nothing to delegate and rooms use rlimits, as they do unprivileged. When the hierarchy is there
 * but a step fails, the start fails naming it (`TRE_ROOM_CGROUP_ROOT=none` chooses rlimits knowingly).
 */
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrivilegeError } from './privilege-error.ts';

const CONTROLLERS = ['memory', 'cpu', 'pids'];
const DELEGATED_FILES = ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control'];

/** The delegated sub-tree to give the local driver as its cgroup root, or undefined (rlimits). */
export function delegateCgroup(root: string, account: { name: string; uid: number; gid: number }): string | undefined {
  const controllersFile = join(root, 'cgroup.controllers');
  if (!existsSync(controllersFile)) return undefined;
  const available = readFileSync(controllersFile, 'utf8').split(/\s+/);
  if (!CONTROLLERS.every((c) => available.includes(c))) return undefined;
  const tree = join(root, 'analyserom');
  const service = join(tree, 'service');
  try {
    writeFileSync(join(root, 'cgroup.subtree_control'), CONTROLLERS.map((c) => `+${c}`).join(' '));
    mkdirSync(service, { recursive: true });
    for (const dir of [tree, service]) {
      chownSync(dir, account.uid, account.gid);
      for (const f of DELEGATED_FILES) chownSync(join(dir, f), account.uid, account.gid);
    }
    writeFileSync(join(service, 'cgroup.procs'), String(process.pid));
    writeFileSync(join(tree, 'cgroup.subtree_control'), CONTROLLERS.map((c) => `+${c}`).join(' '));
  } catch (err) {
    throw new PrivilegeError(
      'cgroup delegation',
      `cannot delegate ${tree} to ${account.name} for room limits: ${(err as Error).message}; ` +
        'fix that, or set TRE_ROOM_CGROUP_ROOT=none for rlimits (weaker: memory per process, no CPU limit)',
    );
  }
  return tree;
}
