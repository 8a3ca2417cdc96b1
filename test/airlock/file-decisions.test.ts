/** Per-file decisions: each reviewer decides on each staged file with a comment; the request's decision follows from them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_CSV, startAirlock, validFnr, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

let n = 0;
async function twoFiles(second = SAFE_CSV): Promise<string> {
  n++;
  t.output('researcher', `a${n}.csv`, SAFE_CSV);
  t.output('researcher', `b${n}.txt`, second);
  const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
    as: 'researcher',
    body: {
      purpose: 'Paper',
      files: [
        { path: `a${n}.csv`, description: 'table 1' },
        { path: `b${n}.txt`, description: 'notes' },
      ],
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const review = (id: string, as: string, body: unknown) => t.p.call('POST', `/api/exports/${id}/reviews`, { as, body });

describe('per-file decisions', () => {
  it('all files approved approve the request; each review keeps its files and comments, shown once all have decided', async () => {
    const id = await twoFiles();
    const files = [
      { file: 'f1', decision: 'approve', comment: 'aggregated, all cells ≥ 10' },
      { file: 'f2', decision: 'approve' },
    ];
    expect((await review(id, 'admin1', { files })).body).toMatchObject({ status: 'in_review', decided: false });
    const sealed = (await t.p.call('GET', `/api/exports/${id}`, { as: 'admin1' })).body.reviews;
    expect(sealed.mine).toMatchObject({
      decision: 'approve',
      reason: 'f1: aggregated, all cells ≥ 10',
      files: [
        { file: 'f1', decision: 'approve', comment: 'aggregated, all cells ≥ 10' },
        { file: 'f2', decision: 'approve', comment: null },
      ],
    });
    expect(JSON.stringify((await t.p.call('GET', `/api/exports/${id}`, { as: 'admin2' })).body)).not.toContain('aggregated');
    const second = await review(id, 'admin2', { decision: 'approve', files: files.map((f) => ({ ...f, comment: 'ok' })) });
    expect(second.body).toMatchObject({ status: 'approved', decided: true });
    expect(second.body.detail.reviews.reviews.map((r: { reviewer: string; files: unknown[] }) => [r.reviewer, r.files.length])).toEqual([
      ['admin1', 2],
      ['admin2', 2],
    ]);
    const audit = await t.p.deps.store.query<{ details: unknown }>(
      "SELECT details FROM audit_log WHERE action = 'export.review' AND details->>'outcome' = 'approved' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit[0]!.details).toEqual({
      decision: 'approve',
      files: [
        { file: 'f1', decision: 'approve' },
        { file: 'f2', decision: 'approve' },
      ],
      outcome: 'approved',
    });
  });

  it('one file returned returns the request; its comment is the reason', async () => {
    const id = await twoFiles();
    const files = [
      { file: 'f1', decision: 'approve' },
      { file: 'f2', decision: 'return', comment: 'round the counts to 5' },
    ];
    await review(id, 'admin1', { files });
    const res = await review(id, 'admin2', { files });
    expect(res.body.status).toBe('returned');
    expect(res.body.detail.reviews.reviews[0]).toMatchObject({ decision: 'return', reason: 'f2: round the counts to 5' });
  });

  it('400 file_decisions_incomplete when a file is left out or named twice', async () => {
    const id = await twoFiles();
    const left = await review(id, 'admin1', { files: [{ file: 'f1', decision: 'approve' }] });
    expect(left.status).toBe(400);
    expect(left.body).toMatchObject({ reason: 'file_decisions_incomplete', field: 'files', missing: ['f2'], unknown: [] });
    const twice = await review(id, 'admin1', {
      files: [
        { file: 'f1', decision: 'approve' },
        { file: 'f2', decision: 'approve' },
        { file: 'f2', decision: 'approve' },
      ],
    });
    expect(twice.body).toMatchObject({ reason: 'file_decisions_incomplete', missing: [], unknown: ['f2'] });
  });

  it('400 comment_required to reject a file without a comment, and to approve a file whose checks failed', async () => {
    const id = await twoFiles(`id ${validFnr()}\n`);
    const reject = await review(id, 'admin1', {
      files: [
        { file: 'f1', decision: 'reject' },
        { file: 'f2', decision: 'reject', comment: 'identity number' },
      ],
    });
    expect(reject.status).toBe(400);
    expect(reject.body).toMatchObject({ reason: 'comment_required', field: 'files[0].comment', file: 'f1' });
    const overFailed = await review(id, 'admin1', {
      files: [
        { file: 'f1', decision: 'approve' },
        { file: 'f2', decision: 'approve' },
      ],
    });
    expect(overFailed.body).toMatchObject({ reason: 'comment_required', field: 'files[1].comment', file: 'f2' });
  });

  it('400 decision_mismatch when the request decision disagrees with the files', async () => {
    const id = await twoFiles();
    const res = await review(id, 'admin1', {
      decision: 'approve',
      files: [
        { file: 'f1', decision: 'approve' },
        { file: 'f2', decision: 'reject', comment: 'not needed for the paper' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ reason: 'decision_mismatch', field: 'decision' });
  });

  it('400 when neither a decision nor file decisions are given', async () => {
    const id = await twoFiles();
    const res = await review(id, 'admin1', { reason: 'hmm' });
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe('invalid_input');
  });
});
