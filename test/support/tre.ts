/** Runs the real `tre` command (bin/tre on Node 24) and collects its exit code, output and JSON. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TRE = fileURLToPath(new URL('../../bin/tre', import.meta.url));

export interface TreResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  json: any;
}

export function runTre(args: string[], env: Record<string, string | undefined> = {}): Promise<TreResult> {
  return new Promise((resolve) => {
    execFile(TRE, args, { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
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
