import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_CSV, startAirlock, type AirlockTest } from './support.ts';

const HELPER = fileURLToPath(new URL('../../workspace-images/airlock-helper/analyserom_airlock.py', import.meta.url));
const run = promisify(execFile);

let t: AirlockTest;
let outputs: string;
/** A person id of the copy, i.e. one of the project's pseudonyms. */
const PSEUDONYM = '7300000000017';

beforeAll(async () => {
  t = await startAirlock();
  await t.copyFile(
    'population.parquet',
    `SELECT ${PSEUDONYM}::BIGINT + i AS person_id, CASE WHEN i % 2 = 0 THEN 'f' ELSE 'm' END AS sex,
      1950 + (i % 3) AS birth_year FROM range(0, 600) r(i)`,
  );
  outputs = t.paths.outputs(t.projectId, 'researcher');
  mkdirSync(outputs, { recursive: true });
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const SEX_BY_YEAR = { method: 'crosstab', index: ['sex'], columns: ['birth_year'], values: null, aggfunc: null, margins: true };

async function helper(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('python3', [HELPER, ...args], { env: { PATH: process.env.PATH!, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('table checks for the room', () => {
  it("checks a table of the project's copy under the project's policy: whole in the room, its verdict alone outside", async () => {
    const body = { source: { copy: 'population.parquet' }, spec: SEX_BY_YEAR };
    const out = await t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, { as: 'researcher', body });
    expect([out.status, out.body.status, out.body.table, out.body.withheld?.reason]).toEqual([
      200,
      'pass',
      { rowLabels: [], colLabels: [], values: [] },
      'table_only_in_room',
    ]);
    const res = await t.inRoom('researcher', 'POST', `/api/projects/${t.projectId}/outputs/check-table`, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'pass',
      source: { kind: 'copy', version: 1, file: 'population.parquet' },
      table: {
        rowLabels: [['f'], ['m'], ['All']],
        colLabels: [[1950], [1951], [1952], ['All']],
        values: [
          [100, 100, 100, 300],
          [100, 100, 100, 300],
          [200, 200, 200, 600],
        ],
      },
      policy: { profile: 'default', sources: ['policies/default.yaml'] },
    });
    expect(res.body).not.toHaveProperty('ledger');
  });

  it('400 naming the unknown column; 403 for a non-member', async () => {
    const bad = await t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, {
      as: 'researcher',
      body: { source: { copy: 'population.parquet' }, spec: { ...SEX_BY_YEAR, index: ['gender'] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ reason: 'unknown_column', column: 'gender' });
    const outsider = await t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, {
      as: 'admin1',
      body: { source: { copy: 'population.parquet' }, spec: SEX_BY_YEAR },
    });
    expect(outsider.status).toBe(403);
  });

  it("the Python helper saves the checked table and its record to /outputs over the room's channel", async () => {
    const env = { ANALYSEROM_API: await t.roomChannel('researcher'), ANALYSEROM_PROJECT: t.projectId, ANALYSEROM_OUTPUTS: outputs };
    const res = await helper(
      ['check-table', '--copy', 'population.parquet', '--index', 'sex', '--columns', 'birth_year', '--margins', '--save', 'sex_by_year'],
      env,
    );
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'pass', table: join(outputs, 'sex_by_year.csv') });
    expect(readFileSync(join(outputs, 'sex_by_year.csv'), 'utf8')).toBe(
      'sex,1950,1951,1952,All\r\nf,100,100,100,300\r\nm,100,100,100,300\r\nAll,200,200,200,600\r\n',
    );
    const record = JSON.parse(readFileSync(join(outputs, 'sex_by_year.check.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'pass', spec: SEX_BY_YEAR, checkedFor: 'researcher', table_file: 'sex_by_year.csv' });
    // The saved pair can be requested for export as they are.
    const req = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'Table 2',
        files: [
          { path: 'sex_by_year.csv', description: 'sex by birth year', table: { source: { copy: 'population.parquet' }, spec: SEX_BY_YEAR } },
          { path: 'sex_by_year.check.json', description: 'its check record' },
        ],
      },
    });
    expect(req.status).toBe(201);
    expect(req.body.files.map((f: { contentType: string; checkStatus: string }) => [f.contentType, f.checkStatus])).toEqual([
      ['csv', 'pass'],
      ['json', 'pass'],
    ]);
  });

  it('the Python helper reaches the control plane through a unix socket and exits 4 on a failing table', async () => {
    const sock = join(tmpdir(), `tre-airlock-${process.pid}.sock`);
    rmSync(sock, { force: true });
    const port = new URL(t.p.url).port;
    const server: Server = createServer((c) => c.pipe(createConnection(Number(port), '127.0.0.1')).pipe(c));
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const env = { ANALYSEROM_API: sock, ANALYSEROM_TOKEN: await t.p.token('researcher'), ANALYSEROM_PROJECT: t.projectId, ANALYSEROM_OUTPUTS: outputs };
      const res = await helper(
        ['check-table', '--copy', 'population.parquet', '--index', 'birth_year', '--columns', 'sex', '--values', 'person_id', '--aggfunc', 'max'],
        env,
      );
      expect(res.code).toBe(0);
      t.output('researcher', 'tiny.csv', 'sex,n\nf,1\nf,2\nm,3\n');
      const failing = await helper(['check-table', '--output', 'tiny.csv', '--method', 'pivot_table', '--index', 'sex'], env);
      expect(failing.code).toBe(4);
      // Over a token, outside a room, a failing table's cells are withheld (the room's channel shows them).
      expect(JSON.parse(failing.stdout)).toMatchObject({
        status: 'fail',
        rules: { threshold: [] },
        withheld: { reason: 'table_only_in_room', findings: { threshold: 2 } },
      });
      const refused = await helper(['check-table', '--output', '../../../secret', '--index', 'sex'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('403');
    } finally {
      server.close();
      rmSync(sock, { force: true });
    }
  });

  it('a CSV that is not the checked table goes to review, naming the numbers that differ', async () => {
    t.output('researcher', 'swapped.csv', 'sex,1950,1951,1952,All\nf,100,100,3,203\nm,100,100,100,300\nAll,200,200,103,503\n');
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'swap', files: [{ path: 'swapped.csv', description: 'x', table: { source: { copy: 'population.parquet' }, spec: SEX_BY_YEAR } }] },
    });
    expect(res.body.files[0].checkStatus).toBe('review');
    expect(res.body.files[0].checks.table.match.unmatched).toEqual([{ line: 2 }, { line: 2 }, { line: 4 }, { line: 4 }]);
    const reviewed = await t.p.call('GET', `/api/exports/${res.body.id}`, { as: 'admin1' });
    expect(reviewed.body.files[0].checks.table).toMatchObject({
      status: 'pass',
      match: {
        matches: false,
        unmatchedCount: 4,
        unmatched: [
          { line: 2, value: '3' },
          { line: 2, value: '203' },
          { line: 4, value: '103' },
          { line: 4, value: '503' },
        ],
      },
    });
  });

  it("flags the project's pseudonyms in an output", async () => {
    t.output('researcher', 'ids.csv', `person,age\n${PSEUDONYM},40\n`);
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'oops', files: [{ path: 'ids.csv', description: 'ids' }] },
    });
    // The requester, outside the room, is told where; the reviewer sees what.
    expect(res.body.files[0].checks.file.findings).toEqual([{ check: 'pseudonym', line: 2 }]);
    expect(res.body.files[0].checkStatus).toBe('fail');
    const reviewed = await t.p.call('GET', `/api/exports/${res.body.id}`, { as: 'admin1' });
    expect(reviewed.body.files[0].checks.file.findings).toEqual([{ check: 'pseudonym', line: 2, value: PSEUDONYM }]);
  });

  it('a table that differs from a released one by a few records is flagged for review (differencing ledger)', async () => {
    t.output('researcher', 'all.csv', 'sex,1950,1951,1952,All\nf,100,100,100,300\nm,100,100,100,300\nAll,200,200,200,600\n');
    const first = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'all', files: [{ path: 'all.csv', description: 'sex', table: { source: { copy: 'population.parquet' }, spec: SEX_BY_YEAR } }] },
    });
    expect(first.body.checksStatus).toBe('pass');
    for (const admin of ['admin1', 'admin2']) {
      expect((await t.p.call('POST', `/api/exports/${first.body.id}/reviews`, { as: admin, body: { decision: 'approve' } })).status).toBe(201);
    }
    const ledger = await t.p.deps.store.query('SELECT file_id FROM release_ledger WHERE request_id = $1', [first.body.id]);
    expect(ledger).toEqual([{ file_id: 'f1' }]);
    // The same population less three women: each table passes alone; their difference is a cell of 3.
    const rows = ['sex,birth_year'];
    for (let i = 0; i < 597; i++) rows.push(`${i < 297 ? 'f' : 'm'},${1950 + (i % 3)}`);
    t.output('researcher', 'subset.csv', `${rows.join('\n')}\n`);
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, {
      as: 'researcher',
      body: { source: { output: 'subset.csv' }, spec: { ...SEX_BY_YEAR, method: 'pivot_table', columns: [], margins: false } },
    });
    expect(res.body.status).toBe('review');
    // Outside a room the finding is counted, not shown: its labels are the data.
    expect(res.body.withheld).toMatchObject({ reason: 'table_only_in_room', findings: { differencing: 3 } });
    expect(JSON.stringify(res.body.rules)).not.toContain('"f"');
  });

  it('two tables in review at once are compared with each other, and tables within one request too', async () => {
    const byYear = { method: 'pivot_table', index: ['birth_year'], columns: [], values: null, aggfunc: null, margins: false };
    t.output('researcher', 'years.csv', SAFE_CSV);
    const pending = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'years', files: [{ path: 'years.csv', description: 'by year', table: { source: { copy: 'population.parquet' }, spec: byYear } }] },
    });
    expect(pending.body.status).toBe('in_review');
    const rows = ['sex,birth_year'];
    for (let i = 0; i < 596; i++) rows.push(`${i % 2 ? 'm' : 'f'},${i < 196 ? 1950 : 1951 + (i % 2)}`);
    t.output('researcher', 'fewer.csv', `${rows.join('\n')}\n`);
    const next = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'years again',
        files: [
          { path: 'years.csv', description: 'by year, fewer', table: { source: { output: 'fewer.csv' }, spec: byYear } },
          { path: 'all.csv', description: 'by year, all', table: { source: { copy: 'population.parquet' }, spec: byYear } },
        ],
      },
    });
    // The requester sees the verdict; the reviewers see what differs.
    expect(next.body.files[0].checks.table.withheld).toMatchObject({ reason: 'table_only_in_room' });
    const reviewed = await t.p.call('GET', `/api/exports/${next.body.id}`, { as: 'admin1' });
    const [first, second] = reviewed.body.files.map((f: { checks: { table: { rules: { differencing: unknown[] } } } }) => f.checks.table.rules.differencing);
    expect(first).toContainEqual({ earlier: `${pending.body.id}/f1`, variables: ['birth_year'], labels: [1950], difference: 4 });
    expect(second).toContainEqual({ earlier: `${next.body.id}/f1`, variables: ['birth_year'], labels: [1950], difference: 4 });
  });
});
