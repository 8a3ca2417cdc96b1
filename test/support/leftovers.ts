/**
 * What a test run leaves running. A room, a PostgreSQL, a dockerd and its containers or a `tre
 * start` that a suite forgot to stop outlives the run (rooms are detached on purpose, PostgreSQL
 * does not die with its parent), often with its folder already deleted by the suite's cleanup.
 *
 * A process is the run's when it was ever seen descending from the vitest process (sampled from
 * /proc while the run goes: a detached room is its worker's child until that worker exits), or
 * when its environment carries the run's marker (`TRE_TEST_RUN`, inherited by everything started
 * without a scrubbed environment). Other runs on the same machine are neither. The vitest process,
 * its ancestors and its own workers are not leftovers; zombies are already dead.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  startTicks: number;
  state: string;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), startTicks: Number(f[19]), state: f[0]! };
  } catch {
    return undefined;
  }
}

function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProc(Number(n)))
    .filter((p): p is Proc => p !== undefined);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

function environ(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

const key = (p: { pid: number; startTicks: number }) => `${p.pid}:${p.startTicks}`;

export interface LeftoverWatch {
  /** Stops watching; resolves to the run's processes still alive after `graceMs` (each named by pid and command line). */
  finish(graceMs?: number): Promise<string[]>;
  /** SIGKILL the given leftovers (by what `finish` found). */
  kill(): void;
}

export function watchLeftovers(marker: string, sampleMs = 200): LeftoverWatch {
  const self = process.pid;
  const excluded = new Set<number>([self]);
  for (let p = readProc(self); p && p.ppid > 1; p = readProc(p.ppid)) excluded.add(p.ppid);
  const seen = new Map<string, { pid: number; startTicks: number; command: string }>();
  const sample = () => {
    const procs = allProcs();
    const children = new Map<number, Proc[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const queue = [...(children.get(self) ?? [])];
    for (let p = queue.shift(); p; p = queue.shift()) {
      if (!seen.has(key(p))) seen.set(key(p), { pid: p.pid, startTicks: p.startTicks, command: cmdline(p.pid) });
      queue.push(...(children.get(p.pid) ?? []));
    }
  };
  sample();
  const timer = setInterval(sample, sampleMs);
  timer.unref();
  let found: { pid: number; startTicks: number; command: string }[] = [];

  const alive = () => {
    const marked = allProcs().filter((p) => !seen.has(key(p)) && environ(p.pid).includes(marker));
    for (const p of marked) seen.set(key(p), { pid: p.pid, startTicks: p.startTicks, command: cmdline(p.pid) });
    return [...seen.values()].filter((s) => {
      const now = readProc(s.pid);
      if (!now || now.startTicks !== s.startTicks || now.state === 'Z' || excluded.has(s.pid)) return false;
      return !/\bvitest\b/.test(cmdline(s.pid) || s.command); // vitest's own workers, closed after the teardown
    });
  };

  return {
    async finish(graceMs = 20_000) {
      clearInterval(timer);
      sample();
      const deadline = Date.now() + graceMs;
      found = alive();
      while (found.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        found = alive();
      }
      return found.map((s) => `pid ${s.pid}: ${(cmdline(s.pid) || s.command).slice(0, 300)}`);
    },
    kill() {
      for (const s of found) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    },
  };
}
