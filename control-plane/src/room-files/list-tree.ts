/**
 * A listing of a room-writable tree that follows no link: each folder is read through a
 * descriptor opened relative to its parent (as `open-file.ts` opens files), each entry is
 * `lstat`ed inside the folder that descriptor holds, and a folder is entered only by opening it
 * with `O_NOFOLLOW | O_DIRECTORY`. A folder the room swaps for a link mid-listing is therefore
 * listed as what the kernel finds, or skipped, and never read through.
 */
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, opendir } from 'node:fs/promises';
import { DIR_FLAGS, openRoomRoot, viaFd } from './open-file.ts';

export interface RoomEntry {
  /** Path below the root, `/`-separated. */
  path: string;
  kind: 'file' | 'symlink' | 'other';
  /** Regular files only; 0 for the rest. */
  sizeBytes: number;
  modifiedAt: string;
}

export interface ListOptions {
  maxEntries: number;
  /** Folders deeper than this are not entered. */
  maxDepth: number;
  /**
   * How many names (folders included) are read in all before the listing stops (default 10 ×
   * `maxEntries`): a room's million empty folders, or a million names in one, cost no more.
   */
  maxScanned?: number;
}

/** Everything but folders under `root`, sorted by name within each folder; [] when `root` does not exist. */
export async function listRoomTree(root: string, opts: ListOptions): Promise<RoomEntry[]> {
  const rootDir = await openRoomRoot(root);
  if (!rootDir) return [];
  const out: RoomEntry[] = [];
  let budget = opts.maxScanned ?? 10 * opts.maxEntries;
  async function walk(dir: FileHandle, prefix: string, depth: number): Promise<void> {
    const names = (await readNames(dir.fd, budget)).sort();
    budget -= names.length;
    for (const name of names) {
      if (out.length >= opts.maxEntries) return;
      const st = await lstat(viaFd(dir.fd, name)).catch(() => undefined);
      if (!st) continue;
      const path = `${prefix}${name}`;
      if (st.isDirectory()) {
        if (depth >= opts.maxDepth) continue;
        const sub = await open(viaFd(dir.fd, name), DIR_FLAGS).catch(() => undefined);
        if (!sub) continue; // swapped for something else since the lstat
        try {
          if ((await sub.stat()).dev === rootDir!.dev) await walk(sub, `${path}/`, depth + 1);
        } finally {
          await sub.close();
        }
        continue;
      }
      out.push({
        path,
        kind: st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other',
        sizeBytes: st.isFile() ? st.size : 0,
        modifiedAt: st.mtime.toISOString(),
      });
    }
  }
  try {
    await walk(rootDir.handle, '', 0);
  } finally {
    await rootDir.handle.close();
  }
  return out;
}

/** At most `limit` names of the folder `fd` holds, read incrementally (not all of a huge folder). */
async function readNames(fd: number, limit: number): Promise<string[]> {
  const names: string[] = [];
  if (limit <= 0) return names;
  const dir = await opendir(viaFd(fd)).catch(() => undefined);
  if (!dir) return names;
  try {
    for (let entry = await dir.read(); entry && names.length < limit; entry = await dir.read()) names.push(entry.name);
  } finally {
    await dir.close();
  }
  return names;
}
