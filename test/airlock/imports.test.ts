import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, validFnr, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function upload(importId: string, name: string, bytes: Uint8Array | string, as = 'researcher') {
  const res = await fetch(`${t.p.url}/api/imports/${importId}/files/${name}?description=${encodeURIComponent('helper code')}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${await t.p.token(as)}`, 'content-type': 'application/octet-stream' },
    body: typeof bytes === 'string' ? bytes : Buffer.from(bytes),
  });
  return { status: res.status, body: await res.json() };
}

async function openImport() {
  const res = await t.p.call('POST', `/api/projects/${t.projectId}/imports`, { as: 'researcher', body: { purpose: 'our analysis library' } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('imports', () => {
  it('appear read-only under the project imports folder after one administrator approves', async () => {
    const id = await openImport();
    const code = 'def hello():\n    return "hi"\n';
    const added = await upload(id, 'lib.py', code);
    expect(added).toMatchObject({ status: 201, body: { id: 'f1', name: 'lib.py', contentType: 'text', checkStatus: 'pass', sizeBytes: code.length } });
    const submitted = await t.p.call('POST', `/api/imports/${id}/submit`, { as: 'researcher' });
    expect(submitted.body).toMatchObject({ status: 'in_review', approvalsRequired: 1 });
    const published = join(t.paths.imports(t.projectId), id, 'lib.py');
    expect(() => statSync(published)).toThrow();
    expect((await t.p.call('POST', `/api/imports/${id}/reviews`, { as: 'lead', body: { decision: 'approve' } })).status).toBe(403);
    const review = await t.p.call('POST', `/api/imports/${id}/reviews`, { as: 'admin1', body: { decision: 'approve' } });
    expect(review.body).toMatchObject({ status: 'approved', decided: true });
    expect(readFileSync(published, 'utf8')).toBe(code);
    expect(statSync(published).mode & 0o777).toBe(0o444);
    expect(statSync(join(t.paths.imports(t.projectId), id)).mode & 0o777).toBe(0o555);
    expect(review.body.detail.events.map((e: { event: string }) => e.event)).toEqual([
      'opened',
      'file-added',
      'submitted',
      'reviewed',
      'approved',
      'published',
    ]);
    const audited = await t.p.deps.store.query<{ action: string }>(
      "SELECT DISTINCT action FROM audit_log WHERE object = $1 AND outcome = 'success' ORDER BY action",
      [`import:${id}`],
    );
    expect(audited.map((r) => r.action)).toEqual(['import.file.add', 'import.open', 'import.review', 'import.submit']);
  });

  it('archives (by content, whatever the name) and executables are refused at upload', async () => {
    const id = await openImport();
    const zipped = await upload(id, 'data.txt', gzipSync('hello'));
    expect(zipped).toMatchObject({ status: 403, body: { reason: 'refused_archive' } });
    const elf = await upload(id, 'tool', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
    expect(elf).toMatchObject({ status: 403, body: { reason: 'refused_executable' } });
  });

  it('400 on a file name with a path in it; nothing outside the import folder', async () => {
    const id = await openImport();
    const res = await upload(id, '..%2F..%2Fevil.py', 'x');
    expect(res.status).toBe(400);
  });

  it('a rejected import is not published, and its reason is required', async () => {
    const id = await openImport();
    await upload(id, 'ref.csv', `id,fnr\n1,${validFnr()}\n`);
    const submitted = await t.p.call('POST', `/api/imports/${id}/submit`, { as: 'researcher' });
    expect(submitted.body.checksStatus).toBe('fail');
    expect((await t.p.call('POST', `/api/imports/${id}/reviews`, { as: 'admin2', body: { decision: 'reject' } })).status).toBe(400);
    const res = await t.p.call('POST', `/api/imports/${id}/reviews`, { as: 'admin2', body: { decision: 'reject', reason: 'identity numbers' } });
    expect(res.body.status).toBe('rejected');
    expect(() => accessSync(join(t.paths.imports(t.projectId), id), constants.F_OK)).toThrow();
  });
});
