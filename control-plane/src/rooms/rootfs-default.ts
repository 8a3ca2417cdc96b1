/**
 * Where the room file system is when nothing names it: the one default, used by the config
 * (`rooms.rootfsDir`) and by `scripts/bootstrap.sh` (which builds it there), so `npm start` and a
 * plain `tre start` agree. As root: the machine-wide cache `/var/cache/analyserom/rootfs`, shared
 * by every checkout. Otherwise: `workspace-images/build/rootfs` in this checkout, whatever the
 * working directory. `ANALYSEROM_ROOTFS_DIR` overrides both.
 *
 * Run directly (`node rootfs-default.ts`), it prints the default.
 */
import { fileURLToPath } from 'node:url';

export const MACHINE_ROOTFS_DIR = '/var/cache/analyserom/rootfs';
export const CHECKOUT_ROOTFS_DIR = fileURLToPath(new URL('../../../workspace-images/build/rootfs', import.meta.url));

export function defaultRootfsDir(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  if (env.ANALYSEROM_ROOTFS_DIR) return env.ANALYSEROM_ROOTFS_DIR;
  return uid === 0 ? MACHINE_ROOTFS_DIR : CHECKOUT_ROOTFS_DIR;
}

if (import.meta.main) process.stdout.write(`${defaultRootfsDir()}\n`);
