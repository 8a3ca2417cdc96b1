/**
 * kill -9 in the middle of a burst of audited requests from many clients: after a restart every
 * acknowledged event is in the log, and the log's export verifies offline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../control-plane/src/audit/index.ts';
import { freePort } from '../support/ports.ts';

const TRE = fileURLToPath(new URL('../../bin/tre', import.meta.url));

async function start(port: number, dataDir: string): Promise<ChildProcess> {
  const proc = spawn(TRE, ['start', '--demo', '--port', String(port), '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (c) => (out += c));
  proc.stdout!.on('data', (c) => (out += c));
  for (let i = 0; i < 1500 && !out.includes('is running at'); i++) {
    if (proc.exitCode !== null) throw new Error(out);
    await new Promise((r) => setTimeout(r, 100));
  }
  return proc;
}

async function token(url: string, user: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'demo' }),
  });
  return ((await res.json()) as { token: string }).token;
}

describe('audit durability', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tre-kill-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loses no acknowledged event when the control plane and its database are killed -9 mid-burst', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let proc = await start(port, dataDir);
    const t = await token(url, 'researcher');
    const acknowledged: string[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${t}` } });
          await res.arrayBuffer();
          if (res.status === 200) acknowledged.push(res.headers.get('x-request-id')!);
        } catch {
          return; // the server is gone
        }
      }
    };
    const clients = Array.from({ length: 64 }, client);
    await new Promise((r) => setTimeout(r, 1500));
    const pgPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    proc.kill('SIGKILL');
    process.kill(pgPid, 'SIGKILL');
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThan(100);

    proc = await start(port, dataDir);
    try {
      const auditor = await token(url, 'auditor');
      const res = await fetch(`${url}/api/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${auditor}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      const file = join(dataDir, 'export.jsonl');
      writeFileSync(file, text);
      const verdict = await verifyExport({ file });
      expect(verdict.failure).toBeNull();
      expect(verdict.ok).toBe(true);
      const present = new Set(
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { requestId: string; outcome: string; action: string })
          .filter((e) => e.action === 'me.read' && e.outcome === 'success')
          .map((e) => e.requestId),
      );
      const lost = acknowledged.filter((id) => !present.has(id));
      expect(lost).toEqual([]);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  });
});
