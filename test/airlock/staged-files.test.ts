/** Reviewers read what they approve: a staged file's bytes and its parsed view, for independent reviewers and auditors only. */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_CSV, startAirlock, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function exportOf(path: string, content: string | Buffer): Promise<string> {
  t.output('researcher', path, content);
  const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
    as: 'researcher',
    body: { purpose: 'Table 1', files: [{ path, description: 'what it shows' }] },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function raw(id: string, as: string) {
  const res = await fetch(`${t.p.url}/api/exports/${id}/files/f1/content`, { headers: { authorization: `Bearer ${await t.p.token(as)}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** Writes a Parquet file into the researcher's /outputs from a SELECT. */
async function parquetOutput(path: string, select: string): Promise<void> {
  const dir = t.paths.outputs(t.projectId, 'researcher');
  mkdirSync(dir, { recursive: true });
  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  try {
    await conn.run(`COPY (${select}) TO '${join(dir, path)}' (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
}

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('staged file content', () => {
  it('200 for a reviewer: the staged bytes, as plain text that cannot run, no sniffing, sandboxed, audited with the hash', async () => {
    const id = await exportOf('t1.csv', SAFE_CSV);
    const res = await raw(id, 'admin1');
    expect(res.status).toBe(200);
    expect(res.bytes.toString()).toBe(SAFE_CSV);
    expect(
      Object.fromEntries(['content-type', 'x-content-type-options', 'content-security-policy', 'content-disposition'].map((h) => [h, res.headers.get(h)])),
    ).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'",
      'content-disposition': 'attachment; filename="t1.csv"',
    });
    const rows = await t.p.deps.store.query<{ actor: string; outcome: string; details: { file: string; sha256: string } }>(
      "SELECT actor, outcome, details FROM audit_log WHERE action = 'export.read-file' AND object = $1 ORDER BY seq",
      [`export:${id}`],
    );
    expect(rows).toEqual([{ actor: 'admin1', outcome: 'success', details: { file: 'f1', name: 't1.csv', sha256: res.headers.get('x-content-sha256') } }]);
  });

  it('an SVG is sent as bytes to save, never as an image the browser renders in our origin; a PNG as an image', async () => {
    const svg = await exportOf('plot.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    expect((await raw(svg, 'auditor')).headers.get('content-type')).toBe('application/octet-stream');
    expect((await t.p.call('GET', `/api/exports/${svg}/files/f1/view`, { as: 'auditor' })).body).toEqual({
      kind: 'text',
      text: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      truncated: false,
    });
    const png = await exportOf('plot.png', PNG);
    const res = await raw(png, 'auditor');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="plot.png"');
    expect(res.bytes.equals(PNG)).toBe(true);
  });

  it('403 for the requester and the project lead outside the room: they see check results, not the staged file', async () => {
    const id = await exportOf('mine.csv', SAFE_CSV);
    for (const who of ['researcher', 'lead']) {
      const res = await raw(id, who);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.bytes.toString()).reason).toBe('wrong_role');
    }
  });

  it('403 for an access administrator who is a member of the project', async () => {
    await t.p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'admin4', displayName: 'Member Admin', roles: ['access_admin', 'researcher'], password: 'a long password 4' },
    });
    t.p.passwords.set('admin4', 'a long password 4');
    expect((await t.p.call('POST', `/api/projects/${t.projectId}/members`, { as: 'lead', body: { userId: 'admin4', role: 'researcher' } })).status).toBe(201);
    const id = await exportOf('m4.csv', SAFE_CSV);
    const res = await raw(id, 'admin4');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.bytes.toString()).reason).toBe('member_of_project');
    expect((await t.p.call('GET', `/api/exports/${id}/files/f1/view`, { as: 'admin4' })).body.reason).toBe('member_of_project');
  });

  it('404 for a file the export does not have', async () => {
    const id = await exportOf('one.csv', SAFE_CSV);
    const res = await t.p.call('GET', `/api/exports/${id}/files/f9/view`, { as: 'admin1' });
    expect(res.status).toBe(404);
    expect(res.body.reason).toBe('no_such_file');
  });
});

describe('staged file view', () => {
  it("a CSV as a table: columns, rows, and OpenSAFELY's summary per numeric column", async () => {
    const id = await exportOf('t2.csv', 'group,count,rate\nA,120,0.5\nB,0,1.5\nC,35,\n');
    const res = await t.p.call('GET', `/api/exports/${id}/files/f1/view`, { as: 'admin2' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'table',
      format: 'csv',
      columns: [
        { name: 'group', type: 'VARCHAR' },
        { name: 'count', type: 'BIGINT' },
        { name: 'rate', type: 'DOUBLE' },
      ],
      rows: [
        ['A', 120, 0.5],
        ['B', 0, 1.5],
        ['C', 35, null],
      ],
      totalRows: 3,
      truncated: false,
      summary: [
        { column: 'count', min: 0, nonZeroMin: 35, sum: 155, roundedTo5: true, missing: 0 },
        { column: 'rate', min: 0.5, nonZeroMin: 0.5, sum: 2, roundedTo5: false, missing: 1 },
      ],
    });
  });

  it('a long CSV is shown to its first 200 rows, the summary over all of them', async () => {
    const id = await exportOf('long.csv', `k,n\n${Array.from({ length: 450 }, (_, i) => `k${i},${(i + 1) * 10}`).join('\n')}\n`);
    const res = await t.p.call('GET', `/api/exports/${id}/files/f1/view`, { as: 'admin1' });
    expect(res.body).toMatchObject({
      kind: 'table',
      totalRows: 450,
      truncated: true,
      summary: [{ column: 'n', min: 10, nonZeroMin: 10, sum: 10 * ((450 * 451) / 2) }],
    });
    expect(res.body.rows).toHaveLength(200);
  });

  it('a notebook as read-only cells: its text, raster images as base64, and its HTML and JavaScript outputs named, never passed on', async () => {
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'markdown', source: ['# Results\n', '<img src="https://evil.example/x.png">'] },
        {
          cell_type: 'code',
          source: 'df.head()',
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['done\n'] },
            { output_type: 'display_data', data: { 'text/html': '<script>alert(1)</script>', 'application/javascript': 'alert(2)' } },
            { output_type: 'display_data', data: { 'image/png': PNG.toString('base64'), 'text/plain': '<Figure>' } },
            { output_type: 'error', ename: 'ValueError', evalue: 'x', traceback: ['\u001b[31mValueError\u001b[0m: x'] },
          ],
        },
      ],
    };
    const id = await exportOf('analysis.ipynb', JSON.stringify(nb));
    const res = await t.p.call('GET', `/api/exports/${id}/files/f1/view`, { as: 'admin1' });
    expect(res.body).toEqual({
      kind: 'notebook',
      truncated: false,
      cells: [
        { type: 'markdown', source: '# Results\n<img src="https://evil.example/x.png">', outputs: [] },
        {
          type: 'code',
          source: 'df.head()',
          outputs: [
            { kind: 'text', text: 'done\n', truncated: false },
            { kind: 'omitted', mimes: ['text/html', 'application/javascript'] },
            { kind: 'image', mime: 'image/png', base64: PNG.toString('base64') },
            { kind: 'error', text: 'ValueError: x\n' },
          ],
        },
      ],
    });
  });

  it('text as text, an image by its type', async () => {
    const txt = await exportOf('notes.txt', 'Model converged after 12 iterations.\n');
    expect((await t.p.call('GET', `/api/exports/${txt}/files/f1/view`, { as: 'admin1' })).body).toEqual({
      kind: 'text',
      text: 'Model converged after 12 iterations.\n',
      truncated: false,
    });
    const png = await exportOf('fig.png', PNG);
    expect((await t.p.call('GET', `/api/exports/${png}/files/f1/view`, { as: 'admin1' })).body).toEqual({ kind: 'image', mime: 'image/png' });
  });

  it('a Parquet file of records fails as row-level data, and is shown as a table', async () => {
    await parquetOutput('people.parquet', 'SELECT 900000 + i AS person_id, i % 3 AS sex, 1000 + i * 7 AS income FROM range(300) t(i)');
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'Data set', files: [{ path: 'people.parquet', description: 'the analysis data' }] },
    });
    expect(res.body.files[0]).toMatchObject({ contentType: 'data', checkStatus: 'fail' });
    expect(res.body.files[0].checks.file.findings).toEqual([
      { check: 'uncheckable', message: 'application/vnd.apache.parquet cannot be checked by machine' },
      { check: 'row-level', message: "row-level data: 300 rows (column 'person_id' identifies records)", rows: 300 },
    ]);
    const view = await t.p.call('GET', `/api/exports/${res.body.id}/files/f1/view`, { as: 'admin1' });
    expect(view.body).toMatchObject({
      kind: 'table',
      format: 'parquet',
      columns: [
        { name: 'person_id', type: 'BIGINT' },
        { name: 'sex', type: 'BIGINT' },
        { name: 'income', type: 'BIGINT' },
      ],
      totalRows: 300,
      truncated: true,
      summary: [
        { column: 'person_id', min: 900000, nonZeroMin: 900000, roundedTo5: false, missing: 0 },
        { column: 'sex', min: 0, nonZeroMin: 1, sum: 300, roundedTo5: false, missing: 0 },
        { column: 'income', min: 1000, nonZeroMin: 1000, roundedTo5: false, missing: 0 },
      ],
    });
    expect(view.body.rows.slice(0, 2)).toEqual([
      [900000, 0, 1000],
      [900001, 1, 1007],
    ]);
  });

  it('carries the notebook the helper recorded beside the output, and the permit version in force', async () => {
    t.output('researcher', 'results/by_sex.check.json', JSON.stringify({ status: 'pass', notebook: 'analysis/tables.ipynb', table_file: 'by_sex.csv' }));
    t.output(
      'researcher',
      'results/results.json',
      JSON.stringify({ version: '1.0.1', results: { output_0: { files: [{ name: 'fig.txt' }], notebook: 'figs.ipynb' } } }),
    );
    t.output('researcher', 'results/other.check.json', JSON.stringify({ notebook: 'bad\u0000name.ipynb' }));
    const id = await exportOf('results/by_sex.csv', SAFE_CSV);
    const detail = (await t.p.call('GET', `/api/exports/${id}`, { as: 'admin1' })).body;
    expect(detail.files[0].origin).toEqual({ notebook: 'analysis/tables.ipynb', record: 'results/by_sex.check.json' });
    const permit = (await t.p.call('GET', `/api/projects/${t.projectId}/permits`, { as: 'researcher' })).body.at(-1);
    expect(detail.provenance).toEqual({ permit: { id: permit.id, version: permit.version }, copyVersion: 1, tableCopyVersions: [] }); // the demo seed's first copy
    const acro = await exportOf('results/fig.txt', 'Figure 1\n');
    expect((await t.p.call('GET', `/api/exports/${acro}`, { as: 'admin1' })).body.files[0].origin).toEqual({
      notebook: 'figs.ipynb',
      record: 'results/results.json',
    });
    const bad = await exportOf('results/other.csv', SAFE_CSV);
    expect((await t.p.call('GET', `/api/exports/${bad}`, { as: 'admin1' })).body.files[0].origin).toBeUndefined();
  });

  it('names the project by its title in the request and the queue', async () => {
    const id = await exportOf('titled.csv', SAFE_CSV);
    const { title } = (await t.p.call('GET', `/api/projects/${t.projectId}`, { as: 'researcher' })).body;
    expect(typeof title).toBe('string');
    expect((await t.p.call('GET', `/api/exports/${id}`, { as: 'admin1' })).body.projectTitle).toBe(title);
    const queue = await t.p.call('GET', '/api/exports', { as: 'admin1' });
    expect(queue.body.find((r: { id: string }) => r.id === id).projectTitle).toBe(title);
  });
});
