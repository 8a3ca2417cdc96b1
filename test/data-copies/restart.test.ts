/** After a restart on the same data directory the loop rebuilds its view from the store: nothing is made twice. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig, startPlatform } from '../../control-plane/src/server/index.ts';
import { createDataCopiesModule } from '../../control-plane/src/data-copies/index.ts';
import { manualClock, silentLogger } from '../../control-plane/src/platform/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tre-copies-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start() {
  const config = loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: true, demoPassword: 'demo' });
  const p = await startPlatform(config, {
    clock: manualClock('2026-06-01T12:00:00Z'),
    logger: silentLogger,
    modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 2000 })],
  });
  const m = p.modules.dataCopies;
  await m.demoReady();
  const [project] = await p.deps.store.query<{ id: string }>('SELECT id FROM projects ORDER BY created_at LIMIT 1');
  await m.reconciler.runOnce(project!.id);
  return { p, m, projectId: project!.id };
}

async function token(url: string, user: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'demo' }),
  });
  return ((await res.json()) as { token: string }).token;
}

it('does not deliver the demo registers or make the copy again after a restart, and reports the finished copy', async () => {
  const first = await start();
  const copies = await first.p.deps.store.query('SELECT copy_version FROM data_copies WHERE project_id = $1', [first.projectId]);
  expect(copies).toEqual([{ copy_version: 1 }]);
  await first.p.close();

  const second = await start();
  try {
    expect(await second.p.deps.store.query('SELECT copy_version FROM data_copies WHERE project_id = $1', [second.projectId])).toEqual([{ copy_version: 1 }]);
    const versions = await second.p.deps.store.query<{ n: number }>('SELECT count(*)::int AS n FROM catalog_dataset_versions');
    expect(versions[0]!.n).toBe(5);
    expect(await second.m.currentCopyDir(second.projectId)).toBe(join(dataDir, 'copies', second.projectId, 'v1'));
    const res = await fetch(`${second.p.url}/api/projects/${second.projectId}/copies/events`, {
      headers: { authorization: `Bearer ${await token(second.p.url, 'researcher')}` },
    });
    const text = await res.text();
    expect(JSON.parse(/data: (.*)/.exec(text)![1]!)).toMatchObject({ projectId: second.projectId, copyVersion: 1, state: 'done' });
  } finally {
    await second.p.close();
  }
}, 120_000);

it('shows the extract another control plane is running, from the store, and follows it to its end', async () => {
  const p = await start(); // this process made no extract: any progress it shows comes from the store
  try {
    const [stored] = await p.p.deps.store.query<{ state: string; done: string; total: string }>(
      'SELECT state, done, total FROM copy_progress WHERE project_id = $1',
      [p.projectId],
    );
    expect(stored).toMatchObject({ state: 'done' }); // written by the first process's extract
    expect(Number(stored!.done)).toBe(Number(stored!.total));
    const write = (state: string, done: number, error: string | null, at: string) =>
      p.p.deps.store.query(
        `UPDATE copy_progress SET permit_version = 1, copy_version = 2, state = $2, stage = 'extract', done = $3, total = 10, error = $4, at = $5 WHERE project_id = $1`,
        [p.projectId, state, done, error, at],
      );
    await write('extracting', 4, null, '2026-06-01T12:00:01Z');
    const auth = { authorization: `Bearer ${await token(p.p.url, 'researcher')}` };
    const list = (await (await fetch(`${p.p.url}/api/projects/${p.projectId}/copies`, { headers: auth })).json()) as { progress: unknown };
    expect(list.progress).toMatchObject({ state: 'extracting', done: 4, total: 10, copyVersion: 2 });

    const events = fetch(`${p.p.url}/api/projects/${p.projectId}/copies/events`, { headers: auth }).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 1500));
    await write('extracting', 8, null, '2026-06-01T12:00:02Z');
    await new Promise((r) => setTimeout(r, 1500));
    await write('failed', 8, 'disk full', '2026-06-01T12:00:03Z');
    const seen = [...(await events).matchAll(/data: (.*)/g)].map((m) => JSON.parse(m[1]!) as { state: string; done: number; error: string | null });
    expect(seen.map((e) => [e.state, e.done, e.error])).toEqual([
      ['extracting', 4, null],
      ['extracting', 8, null],
      ['failed', 8, 'disk full'],
    ]);
  } finally {
    await p.p.close();
  }
}, 120_000);
