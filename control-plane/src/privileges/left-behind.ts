/**
 * What an earlier control plane that ran as root left running on this data directory.
 *
 * Rooms an earlier control plane started on this data directory while it ran as root: their
 * sandboxes run as `nobody` (rooms/drivers/local/driver.ts), which the service account can neither
 * signal nor share home and outputs with once they are handed over. They are killed, as root,
 * before the drop; the reconcile loop then reports them exited and the member starts a fresh one.
 * Their files stay. A sandbox is recognised by its command line: bubblewrap binding a folder of
 * this data directory, run by another uid than the service account's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PrivilegeError } from './privilege-error.ts';

function uidOf(pid: string): number | undefined {
  const line = /^Uid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) : undefined;
}

/** Pids of bubblewrap processes binding a folder under `dataDir`, not run by `uid`. */
export function earlierRoomSandboxes(dataDir: string, uid: number): number[] {
  let end = dataDir.length;
  while (end > 1 && dataDir[end - 1] === '/') end--;
  const prefix = `${dataDir.slice(0, end)}/`;
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('bwrap')) continue;
      const binds = argv.some((a, i) => (a === '--bind' || a === '--ro-bind') && argv[i + 1]?.startsWith(prefix));
      if (binds && uidOf(pid) !== uid) out.push(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Kills them (a PID namespace's pid 1 takes the whole room with it); returns how many there were. */
export async function stopEarlierRooms(dataDir: string, uid: number): Promise<number> {
  const pids = earlierRoomSandboxes(dataDir, uid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 250 && earlierRoomSandboxes(dataDir, uid).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return pids.length;
}

/**
 * The embedded PostgreSQL a root-run control plane left holding the data directory (killed with
 * -9, its server lives on as `postgres`): the service account could not signal it, so it is asked
 * to stop (fast shutdown) as root. Returns whether there was one.
 */
export async function stopEarlierPostgres(dataDir: string, uid: number): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(readFileSync(`${dataDir}/postgres/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return false;
  }
  const foreign = () => {
    try {
      return uidOf(String(pid)) !== uid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.endsWith('postgres');
    } catch {
      return false; // not running
    }
  };
  if (!(pid > 0) || !foreign()) return false;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && foreign(); i++) await new Promise((r) => setTimeout(r, 50));
  if (foreign())
    throw new PrivilegeError(
      'earlier PostgreSQL',
      `the PostgreSQL server (pid ${pid}) a root-run control plane left on ${dataDir} did not stop; stop it and start again`,
    );
  return true;
}
