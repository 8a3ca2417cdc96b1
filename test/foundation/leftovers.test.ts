/**
 * The run's leftover check fails a run that leaves processes behind, naming each, and ends them:
 * a vitest run of a fixture that forgets a detached process and one whose parent exited at once.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const config = fileURLToPath(new URL('../fixtures/leftovers/vitest.config.ts', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function sleepsAlive(): string[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
        return /^sleep 30[12]$/.test(cmd) && state !== 'Z' ? [cmd] : [];
      } catch {
        return [];
      }
    });
}

describe('the leftover check at the end of a test run', () => {
  it('fails the run naming each process the run left running, and ends them', async () => {
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [vitest, 'run', '--config', config],
        { env: { ...process.env, NO_COLOR: '1', TRE_LEFTOVER_GRACE_MS: '1000' } },
        (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
        },
      );
    });
    expect(result.code).not.toBe(0);
    expect(result.out).toContain('the test run left 2 processes running (now killed)');
    expect(result.out).toMatch(/pid \d+: sleep 301\n/);
    expect(result.out).toMatch(/pid \d+: sleep 302\n/);
    expect(sleepsAlive()).toEqual([]);
  }, 120_000);
});
