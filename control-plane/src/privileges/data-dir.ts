/**
 * Hands the data directory to the service account: created (0700) when missing, then the whole
 * tree chowned to it, so a data directory an earlier root-run control plane made (PostgreSQL's
 * folder owned by `postgres`, room homes by `nobody`) keeps working.
 *
 * The tree may hold folders a running room can change (homes, outputs). The walk is GNU `chown -R`
 * with its default physical walk: it never follows a symbolic link and changes links themselves, and
 * its directory traversal checks each folder it enters (fts), so a link swapped in mid-walk does not
 * lead it outside the tree. A folder that is not empty and does not look like a data directory is
 * refused, so a mistyped `--data-dir /` is not handed over.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrivilegeError } from './privilege-error.ts';

/** Entries only a data directory has (see platform/paths.ts). */
const MARKERS = ['secrets', 'postgres', 'run', 'rooms-driver', 'copies', 'registers', 'projects'];

export function handOverDataDir(dataDir: string, account: { name: string; uid: number; gid: number }): void {
  if (dataDir === dirname(dataDir) || dirname(dataDir) === '/') {
    throw new PrivilegeError('data directory', `${dataDir} is a top-level system folder: choose a folder of its own for the data directory`);
  }
  if (existsSync(dataDir)) {
    const st = lstatSync(dataDir);
    if (!st.isDirectory()) throw new PrivilegeError('data directory', `${dataDir} exists and is not a folder`);
    const entries = readdirSync(dataDir);
    if (entries.length > 0 && !entries.some((e) => MARKERS.includes(e))) {
      throw new PrivilegeError(
        'data directory',
        `${dataDir} is not empty and holds no data directory (none of ${MARKERS.join(', ')}): refusing to hand it to ${account.name}; choose an empty or new folder`,
      );
    }
  } else {
    mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
    mkdirSync(dataDir, { mode: 0o700 });
  }
  try {
    execFileSync('chown', ['-R', '-P', '--no-dereference', `${account.uid}:${account.gid}`, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new PrivilegeError('data directory', `cannot hand ${dataDir} to ${account.name}: ${stderr || String(err)}`);
  }
  chmodSync(dataDir, 0o700);
}
