/**
 * Whether the service account can pass through every folder above the data directory. Checked
 * before anything is created or handed over, so that a data directory under, say, a `mktemp -d`
 * folder (mode 0700, root's) fails at start with the folder's name, not later inside initdb with
 * "Permission denied".
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrivilegeError } from './privilege-error.ts';

export interface FolderMode {
  path: string;
  uid: number;
  gid: number;
  mode: number;
}

/** Search (x) permission as the kernel grants it without ACLs: owner, else group, else others. */
export function canTraverse(folder: FolderMode, uid: number, gids: readonly number[]): boolean {
  if (folder.uid === uid) return (folder.mode & 0o100) !== 0;
  if (gids.includes(folder.gid)) return (folder.mode & 0o010) !== 0;
  return (folder.mode & 0o001) !== 0;
}

/** The existing folders from `/` down to `path`'s parent (folders still to be made are root's 0755). */
export function existingAncestors(path: string): FolderMode[] {
  const out: FolderMode[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      const st = statSync(dir);
      out.unshift({ path: dir, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
    } catch {
      // not there yet: made below with mode 0755
    }
    if (dir === dirname(dir)) return out;
  }
}

export function assertTraversable(dataDir: string, account: { name: string; uid: number; gid: number }, gids: readonly number[]): void {
  for (const folder of existingAncestors(dataDir)) {
    if (canTraverse(folder, account.uid, gids)) continue;
    const mode = folder.mode.toString(8).padStart(4, '0');
    throw new PrivilegeError(
      'data directory',
      `the service user ${account.name} (uid ${account.uid}) cannot pass through ${folder.path} (mode ${mode}, owner uid ${folder.uid}), ` +
        `which holds the data directory ${dataDir}: allow it with 'chmod o+x ${folder.path}' or choose a data directory elsewhere (--data-dir, TRE_DATA_DIR)`,
    );
  }
}
