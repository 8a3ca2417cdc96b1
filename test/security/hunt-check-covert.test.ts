/**
 * A check of a file the room wrote (`{output: …}`) computes over whatever the room chose to put
 * in it. The rules (threshold, dof, zeros) say something about a table of real data; they say
 * nothing about a file built to pass them: twelve copies of a line make a passing cell whose label
 * is any text, twenty copies of a number make a passing regression whose constant is that number.
 * So outside the room (a bearer token, the web UI's session) such a report is answered with its
 * verdict only, passing or not, and a member's view of an export request's checks the same:
 * otherwise the check routes are an egress channel that no reviewer ever sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../control-plane/src/platform/index.ts';
import { tableAnswerFor } from '../../control-plane/src/airlock/index.ts';
import { startAirlock, type AirlockTest } from '../airlock/support.ts';

let t: AirlockTest;
const SECRET = 'Kari Nordmann 15038512345 HIV+';
const NUMBER = 987654.321;

beforeAll(async () => {
  t = await startAirlock();
  t.output('researcher', 'covert.csv', `secret\n${`"${SECRET}"\n`.repeat(12)}`);
  const rows = ['y,x'];
  for (let i = 0; i < 20; i++) rows.push(`${NUMBER + (i % 2 === 0 ? 0.5 : -0.5)},${i % 4}`);
  t.output('researcher', 'covert-model.csv', `${rows.join('\n')}\n`);
  t.output('researcher', 'covert-hist.csv', `v\n${'1\n'.repeat(17)}${'2\n'.repeat(23)}${'3\n'.repeat(31)}`);
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const call = (kind: string, body: unknown) => t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-${kind}`, { as: 'researcher', body });
const PIVOT = { method: 'pivot_table', index: ['secret'], columns: [], values: null, aggfunc: null, margins: false };

describe("outside the room a check of the room's own file shows its verdict, not what the room put in it", () => {
  it('a passing table of a crafted file: no label', async () => {
    const res = await call('table', { source: { output: 'covert.csv' }, spec: PIVOT });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'pass',
      table: { rowLabels: [], colLabels: [], values: [] },
      withheld: { reason: 'table_only_in_room' },
      source: { kind: 'output', file: 'covert.csv' },
    });
    expect(JSON.stringify(res.body)).not.toContain('Nordmann');
  });

  it('a passing regression of a crafted file: no coefficient', async () => {
    const res = await call('regression', { source: { output: 'covert-model.csv' }, spec: { method: 'ols', dependent: 'y', independent: ['x'] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pass', withheld: { reason: 'check_only_in_room' } });
    expect(res.body.params).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('987654');
  });

  it('a passing histogram of a crafted file: no counts, no plot', async () => {
    const res = await call('histogram', { source: { output: 'covert-hist.csv' }, spec: { column: 'v', bins: [0.5, 1.5, 2.5, 3.5] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pass', withheld: { reason: 'check_only_in_room' } });
    expect(res.body.bins).toBeUndefined();
    expect(res.body.plot).toBeUndefined();
  });

  it("an export request's stored check of a crafted file: its member sees the verdict, its reviewer the table", async () => {
    t.output('researcher', 'summary.csv', 'region,sex,count\nA,f,120\n');
    const made = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'p', files: [{ path: 'summary.csv', description: 'x', table: { source: { output: 'covert.csv' }, spec: PIVOT } }] },
    });
    expect(made.status).toBe(201);
    const mine = await t.p.call('GET', `/api/exports/${made.body.id}`, { as: 'researcher' });
    for (const body of [made.body, mine.body]) expect(JSON.stringify(body)).not.toContain('Nordmann');
    expect(mine.body.files[0].checks.table).toMatchObject({ status: 'pass', table: { rowLabels: [] }, withheld: { reason: 'table_only_in_room' } });
    const reviewer = await t.p.call('GET', `/api/exports/${made.body.id}`, { as: 'admin1' });
    expect(reviewer.body.files[0].checks.table.table.rowLabels).toEqual([[SECRET]]);
  });

  it('inside the room the report is answered whole; outside, a passing table is withheld whatever its source', () => {
    const passing = {
      status: 'pass' as const,
      table: { rowLabels: [[SECRET]], colLabels: [['count']], values: [[12]] },
      rules: { threshold: [] },
    } as unknown as Parameters<typeof tableAnswerFor>[1];
    const room: Principal = { userId: 'researcher', displayName: 'R', roles: ['researcher'], via: 'room' };
    expect(tableAnswerFor(room, passing, 'output')).toBe(passing);
    // A passing table of the copy too: answers outside the room could be differenced (a tracker attack).
    expect(tableAnswerFor({ ...room, via: 'token' }, passing, 'copy')).toMatchObject({ status: 'pass', table: { rowLabels: [] } });
    expect(tableAnswerFor({ ...room, via: 'token' }, passing, 'output')).toMatchObject({ status: 'pass', table: { rowLabels: [] } });
  });
});
