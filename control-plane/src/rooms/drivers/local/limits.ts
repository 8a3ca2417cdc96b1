/**
 * Room limits for the local driver.
 *
 * cgroups v2, when the unified hierarchy is mounted at `/sys/fs/cgroup` and writable by the control
 * plane: one cgroup per room under `<root>/analyserom-rooms/<roomId>` with `memory.max` (all processes
 * together, no swap), `cpu.max` and `pids.max`; the room is entered before bubblewrap runs, removed
 * with `cgroup.kill` on stop.
 *
 * Otherwise rlimits, set INSIDE the room's user namespace by `ulimit` just before the server starts:
 *   - memory: RLIMIT_AS per process (not the room's total: weaker than a cgroup);
 *   - pids:   RLIMIT_NPROC, counted per user namespace since Linux 5.14, so per room (set inside the
 *             namespace on purpose: set outside, the count would span every room run by the host uid);
 *   - cpu:    not enforceable with rlimits (RLIMIT_CPU is total seconds, not a share): reported `none`.
 * `AppliedLimits` tells the control plane which applied.
 */
import { mkdir, rmdir, writeFile, readFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import type { AppliedLimits, RoomLimits, RoomUsage } from '../types.ts';

export interface CgroupSupport {
  /** `<root>/analyserom-rooms`, with memory, cpu and pids controllers enabled for its children. */
  parent: string;
}

/** Probe once per driver: undefined when cgroups v2 cannot be used (then rlimits are). */
export async function detectCgroupV2(root = '/sys/fs/cgroup'): Promise<CgroupSupport | undefined> {
  try {
    const controllers = (await readFile(join(root, 'cgroup.controllers'), 'utf8')).split(/\s+/);
    if (!['memory', 'cpu', 'pids'].every((c) => controllers.includes(c))) return undefined;
    await access(root, constants.W_OK);
    const parent = join(root, 'analyserom-rooms');
    await writeFile(join(root, 'cgroup.subtree_control'), '+memory +cpu +pids').catch(() => undefined);
    await mkdir(parent, { recursive: true });
    await writeFile(join(parent, 'cgroup.subtree_control'), '+memory +cpu +pids');
    return { parent };
  } catch {
    return undefined;
  }
}

export async function createRoomCgroup(support: CgroupSupport, roomId: string, limits: RoomLimits): Promise<string> {
  const dir = join(support.parent, roomId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'memory.max'), String(limits.memoryBytes));
  await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => undefined);
  await writeFile(join(dir, 'cpu.max'), `${limits.cpuMillis * 100} 100000`);
  await writeFile(join(dir, 'pids.max'), String(limits.pids));
  return dir;
}

/** Kill everything in the room's cgroup and remove it; absent cgroup is fine. */
export async function removeRoomCgroup(dir: string): Promise<void> {
  await writeFile(join(dir, 'cgroup.kill'), '1').catch(() => undefined);
  for (let i = 0; i < 50; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export async function cgroupUsage(dir: string): Promise<RoomUsage> {
  const usage: RoomUsage = {};
  const cpu = await readFile(join(dir, 'cpu.stat'), 'utf8').catch(() => '');
  const usec = /usage_usec (\d+)/.exec(cpu)?.[1];
  if (usec) usage.cpuSeconds = Number(usec) / 1e6;
  const mem = await readFile(join(dir, 'memory.current'), 'utf8').catch(() => '');
  if (mem) usage.memoryBytes = Number(mem.trim());
  return usage;
}

/** Shell prefix run inside the room (bash) that sets the rlimits, then execs the server. */
export function rlimitScript(limits: RoomLimits, useRlimits: boolean): string {
  const lines = ['ulimit -c 0'];
  if (useRlimits) {
    lines.push(`ulimit -v ${Math.floor(limits.memoryBytes / 1024)}`, `ulimit -u ${limits.pids}`);
  }
  lines.push('exec "$@"');
  return lines.join(' && ');
}

export function appliedLimits(cgroup: boolean): AppliedLimits {
  return cgroup ? { memory: 'cgroup', cpu: 'cgroup', pids: 'cgroup' } : { memory: 'rlimit', cpu: 'none', pids: 'rlimit' };
}
