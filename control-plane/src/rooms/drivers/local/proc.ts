/**
 * What the local driver knows about running rooms comes from /proc, not from memory: each room's
 * bubblewrap processes carry an argv tag (`--setenv ANALYSEROM_ROOM_LABELS <labels>`), so rooms are
 * found after a control-plane restart and orphans can be listed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { ROOM_LABELS, type RoomUsage } from '../types.ts';

export const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export const LABELS_ENV = 'ANALYSEROM_ROOM_LABELS';

export interface RoomLabels {
  owner: string;
  roomId: string;
  projectId: string;
}

/** `analyserom.owner=o;analyserom.room-id=r;analyserom.project-id=p` (values are validated ids). */
export function formatLabels(labels: RoomLabels): string {
  return `${ROOM_LABELS.owner}=${labels.owner};${ROOM_LABELS.roomId}=${labels.roomId};${ROOM_LABELS.projectId}=${labels.projectId}`;
}

export function parseLabels(text: string): RoomLabels | undefined {
  const fields = new Map(
    text.split(';').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)] as const;
    }),
  );
  const owner = fields.get(ROOM_LABELS.owner);
  const roomId = fields.get(ROOM_LABELS.roomId);
  const projectId = fields.get(ROOM_LABELS.projectId);
  return owner && roomId && projectId ? { owner, roomId, projectId } : undefined;
}

export interface LabelledProcess {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/PID/stat): pid + start identify a process. */
  startTicks: number;
  labels: RoomLabels;
}

export interface ProcStat {
  ppid: number;
  state: string;
  startTicks: number;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
}

export async function readStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return { state: rest[0] ?? '?', ppid: field(4), startTicks: field(22), cpuTicks: field(14) + field(15) };
}

/** True when the process `pid` exists, started at `startTicks`, and is not a zombie. */
export async function isAlive(pid: number, startTicks: number): Promise<boolean> {
  const stat = await readStat(pid);
  return stat !== undefined && stat.startTicks === startTicks && stat.state !== 'Z';
}

async function labelsOf(pid: number): Promise<RoomLabels | undefined> {
  let argv: string[];
  try {
    argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return undefined;
  }
  if (!argv[0]?.endsWith('bwrap')) return undefined;
  for (let i = 0; i + 2 < argv.length; i++) {
    if (argv[i] === '--setenv' && argv[i + 1] === LABELS_ENV) return parseLabels(argv[i + 2] ?? '');
  }
  return undefined;
}

/**
 * Every live bubblewrap process carrying room labels (the outer monitor and the namespace's pid 1).
 *
 * A command line is no proof: the labels are in the room's own environment, and code in a room
 * can start a process whose argv reads like a room's bubblewrap with any room id. Such a process
 * always descends from its room's pid 1 (orphans in a PID namespace are reparented to it), so a
 * room's own bubblewrap is told apart by ancestry: the outer one has no labelled ancestor, the
 * inner one is the outer one's direct child with the same labels. Anything else is ignored.
 */
export async function scanLabelledProcesses(): Promise<LabelledProcess[]> {
  const found: LabelledProcess[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const labels = await labelsOf(pid);
    if (!labels) continue;
    const stat = await readStat(pid);
    if (!stat || stat.state === 'Z') continue;
    found.push({ pid, ppid: stat.ppid, startTicks: stat.startTicks, labels });
  }
  const byPid = new Map(found.map((p) => [p.pid, p]));
  const outer = new Set<number>();
  for (const p of found) if ((await labelledAncestor(p, byPid)) === null) outer.add(p.pid);
  return found.filter((p) => {
    if (outer.has(p.pid)) return true;
    const parent = byPid.get(p.ppid);
    return parent !== undefined && outer.has(parent.pid) && sameLabels(parent.labels, p.labels);
  });
}

const MAX_ANCESTRY = 256;

/**
 * The nearest labelled ancestor of `p`, null when it has none, or undefined when the ancestry
 * could not be read (an ancestor exited mid-walk): then `p` is not trusted as outermost.
 */
async function labelledAncestor(p: LabelledProcess, byPid: ReadonlyMap<number, LabelledProcess>): Promise<LabelledProcess | null | undefined> {
  let pid = p.ppid;
  for (let i = 0; i < MAX_ANCESTRY && pid > 1; i++) {
    const labelled = byPid.get(pid);
    if (labelled) return labelled;
    const stat = await readStat(pid);
    if (!stat) return undefined;
    pid = stat.ppid;
  }
  return pid <= 1 ? null : undefined;
}

const sameLabels = (a: RoomLabels, b: RoomLabels) => a.owner === b.owner && a.roomId === b.roomId && a.projectId === b.projectId;

/** All descendants' pids of `root`, following /proc/PID/task/TID/children (no full /proc scan). */
export async function descendants(root: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    let tids: string[] = [];
    try {
      tids = await readdir(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
      for (const child of text.trim().split(/\s+/).filter(Boolean).map(Number)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

export async function anyAlive(pids: number[]): Promise<boolean> {
  for (const pid of pids) {
    const s = await readStat(pid);
    if (s && s.state !== 'Z') return true;
  }
  return false;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: stopping what is not there succeeds.
  }
}

export async function procUsage(pid: number): Promise<RoomUsage> {
  let ticks = 0;
  let pages = 0;
  for (const p of [pid, ...(await descendants(pid))]) {
    const s = await readStat(p);
    if (s) ticks += s.cpuTicks;
    const statm = await readFile(`/proc/${p}/statm`, 'utf8').catch(() => '');
    pages += Number(statm.split(' ')[1] ?? 0) || 0;
  }
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, memoryBytes: pages * PAGE_BYTES };
}
