/** Catalogue routes, intake through the API (raw body, server-sent progress) and the `tre catalog|intake` commands. */
import { tableFromIPC } from 'apache-arrow';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRegisters } from '../../control-plane/src/data-copies/index.ts';
import { startCopies, type CopiesTest } from './support.ts';
import { runTre, type TreResult } from '../support/tre.ts';

const dir = mkdtempSync(join(tmpdir(), 'tre-intake-api-'));
let t: CopiesTest;
let parquet: { path: string; sha256: string; rows: number };
let fnrs: string[];
let badRequestId = '';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  t = await startCopies();
  const g = await generateRegisters({ rows: 1000, seed: 11, outDir: join(dir, 'gen'), datasets: ['cause_of_death'] });
  const f = g.files[0]!;
  parquet = { path: f.path, sha256: f.sha256, rows: f.rows };
  const duck = await (await import('@duckdb/node-api')).DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  fnrs = (await conn.runAndReadAll(`SELECT fnr FROM read_parquet('${f.path}') ORDER BY fnr LIMIT 3`)).getRowObjectsJS().map((r) => String(r.fnr));
  conn.closeSync();
  duck.closeSync();
}, 180_000);
afterAll(async () => {
  await t?.p.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function deliver(body: Buffer, q: Record<string, string>, opts: { as?: string; sse?: boolean } = {}) {
  const res = await fetch(`${t.p.url}/api/intake/deliveries?${new URLSearchParams(q)}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await t.p.token(opts.as ?? 'operator')}`,
      'content-type': 'application/octet-stream',
      accept: opts.sse ? 'text/event-stream' : 'application/json',
    },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), requestId: res.headers.get('x-request-id') };
}

const events = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((f) => ({ event: /^event: (.*)$/m.exec(f)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(f)?.[1] ?? 'null') }));

function leftovers(): string[] {
  const out: string[] = [];
  const reg = join(t.p.dataDir, 'registers', 'cause_of_death');
  if (existsSync(reg)) out.push(...readdirSync(reg).filter((n) => n !== 'demo-1'));
  const spool = join(t.p.dataDir, 'intake-spool');
  if (existsSync(spool)) out.push(...readdirSync(spool));
  return out;
}

describe('catalogue', () => {
  it('lists datasets with a FAIR score and the demo version', async () => {
    const r = await t.p.call('GET', '/api/catalog/datasets', { as: 'researcher' });
    expect(r.status).toBe(200);
    expect(r.body.map((d: { name: string }) => d.name)).toEqual(['cancer', 'cause_of_death', 'patient_episodes', 'population', 'prescriptions']);
    const pop = r.body.find((d: { name: string }) => d.name === 'population');
    expect(pop.latestVersion.version).toBe('demo-1');
    expect(pop.fair.score).toBeGreaterThan(80);
  });

  it('shows one dataset with its variables and code lists', async () => {
    const r = await t.p.call('GET', '/api/catalog/datasets/prescriptions', { as: 'researcher' });
    expect(r.status).toBe(200);
    expect(r.body.variables.map((v: { name: string }) => v.name)).toEqual(['fnr', 'dispense_date', 'atc_code', 'ddd', 'packages']);
    expect(r.body.codeLists.map((l: { id: string }) => l.id)).toEqual(['atc']);
    expect(r.body.fair.dataset).toBe('prescriptions');
  });

  it('tells no caller where the server stores a version, in the list or in the dataset', async () => {
    const list = await t.p.call('GET', '/api/catalog/datasets', { as: 'researcher' });
    const pop = list.body.find((d: { name: string }) => d.name === 'population');
    expect(Object.keys(pop.latestVersion).sort()).toEqual(['period', 'receivedAt', 'rowCount', 'sha256', 'version']);
    const one = await t.p.call('GET', '/api/catalog/datasets/population', { as: 'researcher' });
    expect(one.body.versions.length).toBeGreaterThan(0);
    for (const v of one.body.versions) expect(v).not.toHaveProperty('path');
    expect(JSON.stringify([list.body, one.body])).not.toContain('.parquet');
  });

  it('shows a code list', async () => {
    const r = await t.p.call('GET', '/api/catalog/code-lists/atc', { as: 'researcher' });
    expect(r.status).toBe(200);
    expect(r.body.id).toBe('atc');
    expect(r.body.codes.length).toBeGreaterThan(10);
    expect((await t.p.call('GET', '/api/catalog/code-lists/nope', { as: 'researcher' })).status).toBe(404);
  });

  it('404 for an unknown dataset', async () => {
    const r = await t.p.call('GET', '/api/catalog/datasets/nope', { as: 'researcher' });
    expect(r.status).toBe(404);
    expect(r.body.reason).toBe('unknown_dataset');
  });

  it('finds variables through the labels of their codes', async () => {
    const r = await t.p.call('GET', '/api/catalog/variables?text=diabetes', { as: 'citizen' });
    expect(r.status).toBe(200);
    const names = r.body.map((h: { dataset: string; name: string }) => `${h.dataset}.${h.name}`);
    expect(names).toContain('patient_episodes.main_diagnosis');
    expect(r.body[0].matchingCodes.length).toBeGreaterThan(0);
    const only = await t.p.call('GET', '/api/catalog/variables?text=date&dataset=cancer', { as: 'researcher' });
    expect(new Set(only.body.map((h: { dataset: string }) => h.dataset))).toEqual(new Set(['cancer']));
  });

  it('401 without a login', async () => {
    expect((await t.p.call('GET', '/api/catalog/variables?text=x')).status).toBe(401);
  });

  it('gives a value distribution with small counts suppressed, and none for a direct identifier', async () => {
    const r = await t.p.call('GET', '/api/catalog/datasets/patient_episodes/variables/care_level/distribution', { as: 'researcher' });
    expect(r.status).toBe(200);
    expect(r.body.version).toBe('demo-1');
    for (const c of r.body.cells) expect(c.count === null || c.count >= 10).toBe(true);
    const id = await t.p.call('GET', '/api/catalog/datasets/population/variables/fnr/distribution', { as: 'researcher' });
    expect(id.status).toBe(403);
    expect(id.body.reason).toBe('direct_identifier');
  });

  it('sends the same distribution as an Arrow stream when asked for one', async () => {
    const json = await t.p.call('GET', '/api/catalog/datasets/patient_episodes/variables/care_level/distribution', { as: 'researcher' });
    const res = await fetch(`${t.p.url}/api/catalog/datasets/patient_episodes/variables/care_level/distribution`, {
      headers: { accept: 'application/vnd.apache.arrow.stream', authorization: `Bearer ${await t.p.token('researcher')}` },
    });
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['value', 'label', 'count']);
    const rows = table.toArray().map((r) => ({ value: r.value, label: r.label, count: r.count }));
    expect(rows).toEqual(
      json.body.cells.map((c: { value: string; label: string | null; count: number | null }) => ({ value: c.value, label: c.label, count: c.count })),
    );
  });
});

describe('intake through the API', () => {
  it('accepts a good delivery streamed as the raw body, with progress as server-sent events', async () => {
    t.p.clock.advance(60_000);
    const r = await deliver(
      readFileSync(parquet.path),
      { dataset: 'cause_of_death', version: '2026-1', sha256: parquet.sha256, rows: String(parquet.rows), name: 'cause_of_death.parquet' },
      { sse: true },
    );
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/event-stream');
    const ev = events(r.text);
    expect(ev.some((e) => e.event === 'progress')).toBe(true);
    const result = ev.at(-1)!;
    expect(result.event).toBe('result');
    expect(result.data).toMatchObject({
      dataset: 'cause_of_death',
      version: '2026-1',
      rowCount: parquet.rows,
      deliveredSha256: parquet.sha256,
      receivedBy: 'operator',
    });
    const ds = await t.p.call('GET', '/api/catalog/datasets/cause_of_death', { as: 'researcher' });
    expect(ds.body.versions.map((v: { version: string }) => v.version)).toEqual(['demo-1', '2026-1']);
  });

  it('rejects a bad file with row, column and reason and leaves nothing behind', async () => {
    const csv = `fnr,death_date,underlying_cause,place_of_death,autopsy\n${fnrs[0]},2020-03-01,I21,1,true\n${fnrs[1]},2020-04-01,QQQ,1,false\n`;
    const r = await deliver(Buffer.from(csv), { dataset: 'cause_of_death', version: '2026-2', sha256: sha(csv), rows: '2', name: 'deaths.csv' });
    badRequestId = r.requestId!;
    expect(r.status).toBe(400);
    const body = JSON.parse(r.text);
    expect(body.reason).toBe('delivery_rejected');
    expect(body.errors[0]).toMatchObject({ row: 2, column: 'underlying_cause' });
    expect(body.errors[0].reason).toContain("unknown code 'QQQ'");
    expect(leftovers()).toEqual(['2026-1']);
    const ds = await t.p.call('GET', '/api/catalog/datasets/cause_of_death', { as: 'researcher' });
    expect(ds.body.versions.map((v: { version: string }) => v.version)).toEqual(['demo-1', '2026-1']);
  });

  it('reports a rejection as an error event on the event stream', async () => {
    const csv = `fnr,death_date,underlying_cause,place_of_death,autopsy\n${fnrs[0]},2020-03-01,I21,1,true\n`;
    const r = await deliver(
      Buffer.from(csv),
      { dataset: 'cause_of_death', version: '2026-3', sha256: 'a'.repeat(64), rows: '1', name: 'deaths.csv' },
      { sse: true },
    );
    const last = events(r.text).at(-1)!;
    expect(last.event).toBe('error');
    // The same problem as the answer without a stream would be (http/problem.ts), with the request's id.
    expect(last.data).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400, reason: 'delivery_rejected', instance: r.requestId });
    expect(last.data.errors[0].reason).toContain('sha256 mismatch');
    expect(leftovers()).toEqual(['2026-1']);
  });

  it('rejects a file name with ../ and leaves nothing behind', async () => {
    const csv = 'x\n';
    const r = await deliver(Buffer.from(csv), { dataset: 'cause_of_death', version: '2026-4', sha256: sha(csv), rows: '0', name: '../evil.csv' });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).errors[0].reason).toContain("file name '../evil.csv' refused");
    expect(leftovers()).toEqual(['2026-1']);
  });

  it('403 for a researcher, and 400 for a body that is not application/octet-stream', async () => {
    const csv = 'x\n';
    expect(
      (await deliver(Buffer.from(csv), { dataset: 'cause_of_death', version: '2026-5', sha256: sha(csv), rows: '0', name: 'a.csv' }, { as: 'researcher' }))
        .status,
    ).toBe(403);
    const json = await t.p.call('POST', `/api/intake/deliveries?dataset=cause_of_death&version=2026-5&sha256=${sha(csv)}&rows=0&name=a.csv`, {
      as: 'operator',
      body: { a: 1 },
    });
    expect(json.status).toBe(400);
    expect(json.body.reason).toBe('wrong_content_type');
  });

  it('leaves nothing behind when the upload is interrupted', async () => {
    const { request } = await import('node:http');
    const url = new URL(
      `${t.p.url}/api/intake/deliveries?${new URLSearchParams({ dataset: 'cause_of_death', version: '2026-6', sha256: parquet.sha256, rows: String(parquet.rows), name: 'c.parquet' })}`,
    );
    const token = await t.p.token('operator');
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': '1000000' },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(300_000, 1), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300),
      );
    });
    for (let i = 0; i < 50 && leftovers().length > 1; i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftovers()).toEqual(['2026-1']);
    const ds = await t.p.call('GET', '/api/catalog/datasets/cause_of_death', { as: 'researcher' });
    expect(ds.body.versions.map((v: { version: string }) => v.version)).toEqual(['demo-1', '2026-1']);
  });

  it('audits the delivery and its outcome', async () => {
    const rows = await t.p.deps.store.query<{ action: string; outcome: string; object: string }>(
      `SELECT action, outcome, object FROM audit_log WHERE request_id = $1 ORDER BY seq`,
      [badRequestId],
    );
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'intake.deliver:initiated',
      'dataset.version.create:initiated',
      'dataset.version.create:failure',
      'intake.deliver:failure',
    ]);
  });
});

describe('tre catalog and tre intake', () => {
  async function tre(as: string, args: string[]): Promise<TreResult> {
    return runTre(args, { TRE_URL: t.p.url, TRE_TOKEN: await t.p.token(as), TRE_CONFIG_DIR: dir });
  }

  it('tre catalog search and show', async () => {
    const s = await tre('researcher', ['catalog', 'search', 'diabetes', '--dataset', 'patient_episodes', '--json']);
    expect(s.code).toBe(0);
    expect(s.json.map((h: { name: string }) => h.name)).toContain('main_diagnosis');
    const show = await tre('researcher', ['catalog', 'show', 'population', '--json']);
    expect(show.code).toBe(0);
    expect(show.json.name).toBe('population');
    expect(show.json.fair.score).toBeGreaterThan(0);
  });

  it('tre intake deliver stores a version, and refuses without the manifest', async () => {
    const r = await tre('operator', [
      'intake',
      'deliver',
      parquet.path,
      '--dataset',
      'cause_of_death',
      '--version',
      '2026-cli',
      '--sha256',
      parquet.sha256,
      '--rows',
      String(parquet.rows),
      '--json',
    ]);
    expect(r.stderr).toContain('upload');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ dataset: 'cause_of_death', version: '2026-cli', rowCount: parquet.rows });
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({ sha256: parquet.sha256, rowCount: parquet.rows + 1 }));
    const bad = await tre('operator', [
      'intake',
      'deliver',
      parquet.path,
      '--dataset',
      'cause_of_death',
      '--version',
      '2026-cli2',
      '--manifest',
      manifest,
      '--json',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.json.errors[0].reason).toBe(`row count ${parquet.rows}, manifest says ${parquet.rows + 1}`);
    const denied = await tre('researcher', [
      'intake',
      'deliver',
      parquet.path,
      '--dataset',
      'cause_of_death',
      '--version',
      '2026-cli4',
      '--sha256',
      parquet.sha256,
      '--rows',
      String(parquet.rows),
      '--json',
    ]);
    expect(denied.code).toBe(1);
    expect(denied.json.error.message).toContain('403');
    const none = await tre('operator', ['intake', 'deliver', parquet.path, '--dataset', 'cause_of_death', '--version', '2026-cli3', '--json']);
    expect(none.code).toBe(2);
  });
});
