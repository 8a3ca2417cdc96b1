/**
 * Issue 11, class 1, second half: no error quotes the contents of a room file. A table check of
 * a file in `/outputs` that lacks a column, or that DuckDB cannot read, is refused naming only
 * what the caller asked for: not the file's header ("the data has: …"), not DuckDB's message
 * (which quotes the offending line). Whatever a path trick might have made the control plane
 * read, the answer and the audit log carry none of it. The project's copy, which the control
 * plane owns and the room sees at /data anyway, still names its columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from '../airlock/support.ts';

let t: AirlockTest;
const SPEC = { method: 'pivot_table', index: ['group'], columns: [], values: 'n', aggfunc: 'sum', margins: false };

beforeAll(async () => {
  t = await startAirlock();
  await t.copyFile('population.parquet', `SELECT i AS person_id, 'f' AS sex FROM range(0, 50) r(i)`);
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function check(source: unknown) {
  return t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, { as: 'researcher', body: { source, spec: SPEC } });
}

async function auditMentions(text: string): Promise<number> {
  const rows = await t.p.deps.store.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM audit_log WHERE coalesce(reason, '') LIKE $1 OR details::text LIKE $1",
    [`%${text}%`],
  );
  return rows[0]!.n;
}

describe('errors about a room file quote none of it', () => {
  it('400 naming only the missing column, not the header of the room file', async () => {
    t.output('researcher', 'header.csv', 'SECRETCOLUMN,n\nA,1\n');
    const res = await check({ output: 'header.csv' });
    expect([res.status, res.body.reason, res.body.detail]).toEqual([400, 'unknown_column', "unknown column 'group' in index"]);
    expect(JSON.stringify(res.body)).not.toContain('SECRETCOLUMN');
    expect(await auditMentions('SECRETCOLUMN')).toBe(0);
  });

  it('400 unreadable_data for a room file DuckDB fails on, without the line it failed on', async () => {
    const rows = ['group,n', ...Array.from({ length: 30_000 }, () => '1,2'), 'SECRETLINE,3'];
    t.output('researcher', 'typed.csv', `${rows.join('\n')}\n`);
    const res = await check({ output: 'typed.csv' });
    expect([res.status, res.body.reason]).toEqual([400, 'unreadable_data']);
    expect(JSON.stringify(res.body)).not.toContain('SECRETLINE');
    expect(await auditMentions('SECRETLINE')).toBe(0);
  });

  it("the project's own copy still names its columns", async () => {
    const res = await check({ copy: 'population.parquet' });
    expect([res.status, res.body.reason, res.body.detail]).toEqual([400, 'unknown_column', "unknown column 'group' in index; the data has: person_id, sex"]);
  });
});
