/** A routine re-run arrives with the earlier approval of the same output, its reviewers' comments and the differences. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function exportOf(files: Record<string, string>): Promise<string> {
  for (const [path, content] of Object.entries(files)) t.output('researcher', path, content);
  const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
    as: 'researcher',
    body: { purpose: 'Monthly report', files: Object.keys(files).map((path) => ({ path, description: 'the monthly counts' })) },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function approve(id: string, comment: string) {
  const files = (await t.p.call('GET', `/api/exports/${id}`, { as: 'admin1' })).body.files.map((f: { id: string }) => ({
    file: f.id,
    decision: 'approve',
    comment,
  }));
  for (const who of ['admin1', 'admin2']) expect((await t.p.call('POST', `/api/exports/${id}/reviews`, { as: who, body: { files } })).status).toBe(201);
}

const earlier = (id: string, file = 'f1', as = 'admin1') => t.p.call('GET', `/api/exports/${id}/files/${file}/earlier`, { as });

describe('earlier approval of the same output', () => {
  it('a re-run shows the approval, each reviewer’s decision and comment on the file, and the changed cells', async () => {
    const first = await exportOf({ 'monthly.csv': 'month,n\n2026-01,120\n2026-02,135\n', 'notes.txt': 'Counts by month.\nSource: copy v1.\n' });
    await approve(first, 'counts ≥ 100, no identifiers');
    const second = await exportOf({ 'monthly.csv': 'month,n\n2026-01,120\n2026-02,140\n', 'notes.txt': 'Counts by month.\nSource: copy v2.\n' });
    const res = await earlier(second);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      earlier: {
        exportId: first,
        fileId: 'f1',
        decidedAt: expect.any(String),
        copyVersions: [],
        reviews: [
          {
            reviewer: 'admin1',
            decision: 'approve',
            reason: 'f1: counts ≥ 100, no identifiers\nf2: counts ≥ 100, no identifiers',
            file: { file: 'f1', decision: 'approve', comment: 'counts ≥ 100, no identifiers' },
          },
          {
            reviewer: 'admin2',
            decision: 'approve',
            reason: 'f1: counts ≥ 100, no identifiers\nf2: counts ≥ 100, no identifiers',
            file: { file: 'f1', decision: 'approve', comment: 'counts ≥ 100, no identifiers' },
          },
        ],
        diff: { kind: 'cells', changed: [{ row: 2, column: 'n', before: '135', after: '140' }], truncated: false },
      },
    });
    expect((await earlier(second, 'f2')).body.earlier.diff).toEqual({
      kind: 'lines',
      lines: [
        { op: 'same', text: 'Counts by month.' },
        { op: 'del', text: 'Source: copy v1.' },
        { op: 'add', text: 'Source: copy v2.' },
        { op: 'same', text: '' },
      ],
      truncated: false,
    });
    const audit = await t.p.deps.store.query<{ details: unknown }>(
      "SELECT details FROM audit_log WHERE action = 'export.earlier-approval' AND object = $1 ORDER BY seq LIMIT 1",
      [`export:${second}`],
    );
    expect(audit).toEqual([{ details: { file: 'f1', earlier: first } }]);
  });

  it('identical when the re-run produced the same bytes; a table that changed shape is compared by line', async () => {
    const first = await exportOf({ 'same.csv': 'k,n\na,50\n', 'grow.csv': 'k,n\na,50\n' });
    await approve(first, 'fine');
    const second = await exportOf({ 'same.csv': 'k,n\na,50\n', 'grow.csv': 'k,n\na,50\nb,60\n' });
    expect((await earlier(second, 'f1')).body.earlier.diff).toEqual({ kind: 'identical' });
    expect((await earlier(second, 'f2')).body.earlier.diff).toEqual({
      kind: 'lines',
      lines: [
        { op: 'same', text: 'k,n' },
        { op: 'same', text: 'a,50' },
        { op: 'add', text: 'b,60' },
        { op: 'same', text: '' },
      ],
      truncated: false,
    });
  });

  it('null for a file never approved before, and for one approved only in a request that was not approved', async () => {
    expect((await earlier(await exportOf({ 'new-output.csv': 'k,n\na,50\n' }))).body).toEqual({ earlier: null });
    const pending = await exportOf({ 'pending.csv': 'k,n\na,50\n' });
    expect((await earlier(await exportOf({ 'pending.csv': 'k,n\na,55\n' }))).body).toEqual({ earlier: null });
    expect(pending).toMatch(/^exp_/);
  });

  it('403 for the requester', async () => {
    const res = await earlier(await exportOf({ 'mine2.csv': 'k,n\na,50\n' }), 'f1', 'researcher');
    expect(res.status).toBe(403);
    expect(res.body.reason).toBe('wrong_role');
  });
});
