/**
 * Rooms an earlier control plane started on this data directory while it ran as root: their
 * sandboxes run as `nobody` (rooms/drivers/local/driver.ts), which the service account can neither
 * signal nor share home and outputs with once they are handed over. They are killed, as root,
 * before the drop; the reconcile loop then reports them exited and the member starts a fresh one.
 * Their files stay. A sandbox is recognised by its command line: bubblewrap binding a folder of
 * this data directory, run by another uid than the service account's.
 */
import { readdirSync, readFileSync } from 'node:fs';

function uidOf(pid: string): number | undefined {
  const line = /^Uid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) : undefined;
}

/** Pids of bubblewrap processes binding a folder under `dataDir`, not run by `uid`. */
export function earlierRoomSandboxes(dataDir: string, uid: number): number[] {
  const prefix = `${dataDir.replace(/\/+$/, '')}/`;
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
