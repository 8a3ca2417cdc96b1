/** Runs the real `tre` command (bin/tre on Node 24) and collects its exit code, output and JSON. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRE = fileURLToPath(new URL('../../bin/tre', import.meta.url));

export interface TreResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  json: any;
}

/** `timeoutMs`: SIGTERM the command after this long (a `tre start` expected to refuse, so a wrong
 * start does not outlive its test). */
export function runTre(args: string[], env: Record<string, string | undefined> = {}, opts: { timeoutMs?: number } = {}): Promise<TreResult> {
  return new Promise((resolve) => {
    execFile(TRE, args, { env: { ...process.env, ...env }, timeout: opts.timeoutMs ?? 0 }, (err, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr, json });
    });
  });
}

/**
 * A temporary folder the control plane's service account can pass through (mode 0711), to hold a
 * data directory of a `tre start` run as root: `mkdtemp` makes 0700 folders, which `tre start`
 * rightly refuses to put a data directory under (privileges/traversal.ts).
 */
export function traversableTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

export interface StartedTre {
  proc: ChildProcess;
  url: string;
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited after a grace period. */
  stop(): Promise<void>;
}

/** Spawns `tre start ARGS` and resolves once it prints that it is running (rejects if it exits first). */
export async function startTre(args: string[], port: number, env: Record<string, string | undefined> = {}): Promise<StartedTre> {
  const proc = spawn(TRE, ['start', '--host', '127.0.0.1', '--port', String(port), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  for (let i = 0; i < 1500 && !out.includes('Analyserom is running at'); i++) {
    if (proc.exitCode !== null) throw new Error(`tre start exited (${proc.exitCode}): ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!out.includes('Analyserom is running at')) {
    await stop();
    throw new Error(`tre start did not come up: ${out}`);
  }
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out, stop };
}
