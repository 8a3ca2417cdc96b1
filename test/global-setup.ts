/**
 * Once per `npm test`: build the room file system if it is missing or its recipe changed
 * (workspace-images/build-rootfs.sh is a no-op when up to date), so the room suites run on the
 * real thing instead of skipping. Its location comes from ANALYSEROM_ROOTFS_DIR, which the test
 * command points at a machine-wide cache so fresh checkouts on one machine share one build.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  const dir = process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs');
  process.env.ANALYSEROM_ROOTFS_DIR = dir;
  if (process.getuid?.() !== 0) return; // debootstrap needs root; the room suites name why they skip
  const started = Date.now();
  execFileSync('bash', [resolve('workspace-images/build-rootfs.sh'), dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  const s = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`room file system ready at ${dir} (${s} s)\n`);
}
