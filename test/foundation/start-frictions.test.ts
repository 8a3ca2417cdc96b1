/**
 * A newcomer's first `tre start`, the ways it used to go wrong:
 *
 * - with `--data-dir` under a folder from `mktemp -d` (mode 0700): as the user who made it, it serves
 *   (the embedded PostgreSQL runs as that user too). As root it stops before anything is made,
 *   naming the folder and the chmod that fixes it: test/security/privileges.test.ts, 'tre start as
 *   root refuses a data directory the service account cannot reach'.
 * - as root with nothing naming the room file system: it uses the one default `npm start` builds
 *   (rooms/rootfs-default.ts), not a folder in the checkout, so rooms do not fail `rootfs-missing`.
 */
import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MACHINE_ROOTFS_DIR } from '../../control-plane/src/rooms/index.ts';
import { freePort } from '../support/ports.ts';
import { startTre, traversableTempDir, TRE } from '../support/tre.ts';

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const notRoot = root ? undefined : 'not running as root';

/** As root the test acts as `nobody`, an ordinary user; otherwise as whoever runs it. */
const asUser = (argv: string[]): [string, string[]] =>
  root ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...argv]] : [argv[0]!, argv.slice(1)];

describe('tre start with its data directory under a private folder made by mktemp -d', () => {
  it('serves when started by the user who made the folder', async () => {
    const [cmd, args] = asUser(['mktemp', '-d']);
    const privateDir = (await run(cmd, args)).stdout.trim();
    const dataDir = join(privateDir, 'data');
    const port = await freePort();
    const [treCmd, treArgs] = asUser([TRE, 'start', '--demo', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir]);
    const proc = spawn(treCmd, treArgs, {
      env: { ...process.env, TRE_DEMO_PASSWORD: 'demo', HOME: privateDir, TRE_ROOM_PROGRAM: 'stub' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (c) => (out += c));
    proc.stderr!.on('data', (c) => (out += c));
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      for (let i = 0; i < 1500 && !out.includes('Analyserom is running at') && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect({ running: out.includes(`Analyserom is running at http://127.0.0.1:${port}`), permissionDenied: out.includes('Permission denied') }).toEqual({
        running: true,
        permissionDenied: false,
      });
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'researcher', password: 'demo' }),
      });
      expect(login.status).toBe(201);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(privateDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe.skipIf(notRoot !== undefined)(`a plain tre start as root${notRoot ? ` (skipped: ${notRoot})` : ''}`, () => {
  it('looks for the room file system where npm start builds it when nothing names one', async () => {
    const script = fileURLToPath(new URL('../../control-plane/src/rooms/rootfs-default.ts', import.meta.url));
    const env = { ...process.env, ANALYSEROM_ROOTFS_DIR: undefined, TRE_ROOM_ROOTFS_DIR: undefined };
    // What scripts/bootstrap.sh exports for `npm start` (and builds there).
    const bootstrap = (await run(process.execPath, [script], { env, cwd: '/' })).stdout.trim();
    const parent = traversableTempDir('tre-rootfs-default-');
    const tre = await startTre(['--demo', '--data-dir', join(parent, 'data')], await freePort(), {
      ANALYSEROM_ROOTFS_DIR: undefined,
      TRE_ROOM_ROOTFS_DIR: undefined,
      TRE_DEMO_PASSWORD: 'demo',
      TRE_ROOM_PROGRAM: 'stub',
    });
    try {
      const listening = tre
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; config?: { rooms?: { rootfsDir?: string } } })
        .find((l) => l.msg === 'control plane listening');
      expect({ served: listening?.config?.rooms?.rootfsDir, bootstrap }).toEqual({ served: MACHINE_ROOTFS_DIR, bootstrap: MACHINE_ROOTFS_DIR });
    } finally {
      await tre.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  }, 240_000);
});
