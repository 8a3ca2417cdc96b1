import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { roomsOptions } from './options.ts';
import { CHECKOUT_ROOTFS_DIR, defaultRootfsDir, MACHINE_ROOTFS_DIR } from './rootfs-default.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./rootfs-default.ts', import.meta.url));

describe('the room file system default', () => {
  it("is the machine-wide cache as root, the checkout's build folder otherwise, and the variable wins over both", () => {
    expect([defaultRootfsDir({}, 0), defaultRootfsDir({}, 1000), defaultRootfsDir({ ANALYSEROM_ROOTFS_DIR: '/x' }, 0)]).toEqual([
      MACHINE_ROOTFS_DIR,
      CHECKOUT_ROOTFS_DIR,
      '/x',
    ]);
    expect(CHECKOUT_ROOTFS_DIR).toBe(fileURLToPath(new URL('../../../workspace-images/build/rootfs', import.meta.url)));
  });

  it('is what the config gives rooms when nothing names one', () => {
    expect(roomsOptions({}).rootfsDir).toBe(defaultRootfsDir());
  });

  it('is what bootstrap.sh reads from the script, whatever the working directory', async () => {
    const env = { ...process.env };
    delete env.ANALYSEROM_ROOTFS_DIR;
    const { stdout } = await run(process.execPath, [script], { env, cwd: '/' });
    expect(stdout).toBe(`${defaultRootfsDir(env)}\n`);
  });
});
