/**
 * A table check computes over the project's data copy and answers with the table. Asked by a
 * client outside any room (a bearer token on a laptop, the web UI's session), that answer is data
 * that left the platform without the airlock's review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../control-plane/src/platform/index.ts';
import { tableAnswerFor } from '../../control-plane/src/airlock/index.ts';
import { startAirlock, type AirlockTest } from '../airlock/support.ts';

let t: AirlockTest;
const FIRST = 7300000000017;

beforeAll(async () => {
  t = await startAirlock();
  await t.copyFile(
    'people.parquet',
    `SELECT ${FIRST}::BIGINT + i AS person_id, 20000 + 37 * i AS income, CASE WHEN i < 25 THEN 'a' ELSE 'b' END AS band FROM range(0, 50) r(i)`,
  );
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const check = (spec: Record<string, unknown>) =>
  t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, {
    as: 'researcher',
    body: { source: { copy: 'people.parquet' }, spec: { columns: [], values: null, aggfunc: null, margins: false, ...spec } },
  });

describe('a table check answers a client outside any room with its verdict, not the data', () => {
  it('a failing table indexed by person_id and income: no pseudonym, no income, only the count of findings', async () => {
    const res = await check({ method: 'pivot_table', index: ['person_id', 'income'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'fail',
      table: { rowLabels: [], colLabels: [], values: [] },
      rules: { threshold: [] },
      withheld: { reason: 'table_only_in_room', findings: { threshold: expect.any(Number) } },
      source: { kind: 'copy', file: 'people.parquet' },
    });
    expect(res.body.withheld.findings.threshold).toBeGreaterThanOrEqual(50);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(String(FIRST));
    expect(text).not.toContain(String(20000 + 37 * 49));
  });

  it('the same through max(person_id) per income: the values are withheld too', async () => {
    const res = await check({ method: 'pivot_table', index: ['income'], values: 'person_id', aggfunc: 'max' });
    expect(res.body.status).not.toBe('pass');
    expect(res.body.withheld).toMatchObject({ reason: 'table_only_in_room' });
    expect(JSON.stringify(res.body)).not.toContain(String(FIRST + 1));
  });

  it('a table that passes every rule is withheld too outside the room (passing answers can be differenced), and shown whole in it', async () => {
    const res = await check({ method: 'pivot_table', index: ['band'] });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pass');
    expect(res.body.withheld).toMatchObject({ reason: 'table_only_in_room' });
    expect(res.body.table).toEqual({ rowLabels: [], colLabels: [], values: [] });
    const spec = { method: 'pivot_table', index: ['band'], columns: [], values: null, aggfunc: null, margins: false };
    const inRoom = await t.inRoom('researcher', 'POST', `/api/projects/${t.projectId}/outputs/check-table`, { source: { copy: 'people.parquet' }, spec });
    expect(inRoom.body.table).toEqual({ rowLabels: [['a'], ['b']], colLabels: [['count']], values: [[25], [25]] });
  });

  it("inside the room (the channel's principal) the failing table is answered whole", async () => {
    const res = await check({ method: 'pivot_table', index: ['person_id', 'income'] });
    const failing = {
      ...res.body,
      table: { rowLabels: [[FIRST, 20000]], colLabels: [['count']], values: [[null]] },
      rules: { threshold: [{ row: [FIRST, 20000], col: ['count'] }] },
    };
    delete failing.withheld;
    const room: Principal = { userId: 'researcher', displayName: 'R', roles: ['researcher'], via: 'room' };
    expect(tableAnswerFor(room, failing, 'copy')).toBe(failing);
    expect(tableAnswerFor({ ...room, via: 'token' }, failing, 'copy')).toMatchObject({ table: { rowLabels: [] }, withheld: { findings: { threshold: 1 } } });
  });

  it("an export request's stored checks: its member sees the verdict, its reviewer the table", async () => {
    t.output('researcher', 'summary.csv', `band,count\na,25\nb,25\nid,${FIRST + 3}\n`);
    const made = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'p',
        files: [
          {
            path: 'summary.csv',
            description: 'x',
            table: {
              source: { copy: 'people.parquet' },
              spec: { method: 'pivot_table', index: ['person_id', 'income'], columns: [], values: null, aggfunc: null, margins: false },
            },
          },
        ],
      },
    });
    expect(made.status).toBe(201);
    const mine = await t.p.call('GET', `/api/exports/${made.body.id}`, { as: 'researcher' });
    expect(mine.status).toBe(200);
    for (const body of [made.body, mine.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(String(FIRST));
      expect(text).not.toContain(String(FIRST + 3));
      expect(text).not.toContain(String(20000 + 37 * 49));
    }
    expect(mine.body.files[0].checks.table).toMatchObject({ status: 'fail', table: { rowLabels: [] }, withheld: { reason: 'table_only_in_room' } });
    expect(mine.body.files[0].checks.file.findings).toContainEqual({ check: 'pseudonym', line: 4 });
    const reviewer = await t.p.call('GET', `/api/exports/${made.body.id}`, { as: 'admin1' });
    expect(reviewer.body.files[0].checks.table.table.rowLabels).toContainEqual([FIRST, 20000]);
    expect(reviewer.body.files[0].checks.file.findings).toContainEqual({ check: 'pseudonym', line: 4, value: String(FIRST + 3) });
  });
});
