/**
 * Once per `npm test`:
 *
 * - Build the room file system if it is missing or its recipe changed
 *   (workspace-images/build-rootfs.sh is a no-op when up to date), so the room suites run on the
 *   real thing instead of skipping. Its location is the platform's one default
 *   (`rooms/rootfs-default.ts`: the machine-wide cache as root), or ANALYSEROM_ROOTFS_DIR.
 * - After the run, fail it if anything the run started is still running (a room, PostgreSQL,
 *   dockerd, `tre start`, a browser), naming each, and end them (leftovers-setup.ts).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { defaultRootfsDir } from '../control-plane/src/rooms/index.ts';
import leftoversCheck from './leftovers-setup.ts';

export default function setup(): () => Promise<void> {
  const dir = defaultRootfsDir();
  process.env.ANALYSEROM_ROOTFS_DIR = dir;
  if (process.getuid?.() === 0) {
    // debootstrap needs root; the room suites name why they skip
    const started = Date.now();
    execFileSync('bash', [resolve('workspace-images/build-rootfs.sh'), dir], { stdio: ['ignore', 'inherit', 'inherit'] });
    const s = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`room file system ready at ${dir} (${s} s)\n`);
  }
  return leftoversCheck();
}
