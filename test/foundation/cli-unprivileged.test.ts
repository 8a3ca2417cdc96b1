/**
 * `tre start` by an unprivileged user runs as that user: the privilege drop (privileges/) applies
 * only to a start as root. Needs root to become another user for the test (`setpriv`).
 */
import { spawn } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStatus } from '../../control-plane/src/privileges/index.ts';
import { freePort } from '../support/ports.ts';
import { traversableTempDir, TRE } from '../support/tre.ts';

const notRoot = process.getuid?.() !== 0 ? 'needs root to start it as nobody' : undefined;

/** Every path under `dir` (itself included) not owned by `uid`, without following links. */
function notOwnedBy(dir: string, uid: number): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.uid !== uid) out.push(`${p} (uid ${st.uid})`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return out;
}

describe.skipIf(notRoot !== undefined)('tre start not as root', () => {
  it('runs as the user that started it, with no drop', async () => {
    const parent = traversableTempDir('tre-unprivileged-');
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    chownSync(dataDir, 65534, 65534);
    const port = await freePort();
    const proc = spawn(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', '--', TRE, 'start', '--demo', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir],
      {
        env: { ...process.env, TRE_DEMO_PASSWORD: 'demo', HOME: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    proc.stdout!.on('data', (c) => (out += c));
    proc.stderr!.on('data', (c) => (out += c));
    try {
      for (let i = 0; i < 1500 && !out.includes('Analyserom is running at') && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('Analyserom is running at');
      expect(out).not.toContain('started as root');
      const c = parseStatus(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      expect({ uids: c.uids, gids: c.gids }).toEqual({ uids: [65534, 65534, 65534, 65534], gids: [65534, 65534, 65534, 65534] });
      expect(notOwnedBy(dataDir, 65534)).toEqual([]);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(parent, { recursive: true, force: true });
    }
  }, 180_000);
});
