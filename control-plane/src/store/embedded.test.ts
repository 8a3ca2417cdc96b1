/**
 * The embedded server starts again over a lock file a killed one left, whatever its pid names
 * now: pids wrap (pid_max), so after a kill -9 the old postmaster's pid may belong to another
 * process of the same user, which PostgreSQL's own check takes for a running server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbedded } from './embedded.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded PostgreSQL over a stale lock file', () => {
  it('starts when the lock file names a live process of the server user that is not a PostgreSQL of this folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tre-embedded-'));
    dirs.push(dataDir);
    const first = await startEmbedded(dataDir);
    await first.stop();
    // A process of the server's own user (PostgreSQL's check can signal it), unrelated to the server.
    const owner =
      process.getuid?.() === 0
        ? (['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', 'sleep', '60']] as const)
        : (['sleep', ['60']] as const);
    const other = spawn(owner[0], [...owner[1]], { stdio: 'ignore' });
    try {
      await new Promise((r) => other.once('spawn', r));
      const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
      writeFileSync(pidFile, `${other.pid}\n${join(dataDir, 'postgres')}\n`);
      const again = await startEmbedded(dataDir);
      try {
        expect(Number(readFileSync(pidFile, 'utf8').split('\n')[0])).not.toBe(other.pid);
        expect(other.exitCode).toBeNull(); // not signalled: it was never ours
      } finally {
        await again.stop();
      }
    } finally {
      other.kill('SIGKILL');
    }
  }, 120_000);
});
