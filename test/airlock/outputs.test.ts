import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
});
afterAll(() => t?.p.stop());

describe('listing my /outputs', () => {
  it('lists my files with sizes and marks links, never another member’s files', async () => {
    expect((await t.p.call('GET', `/api/projects/${t.projectId}/outputs`, { as: 'researcher' })).body).toEqual([]);
    t.output('researcher', 'tables/t1.csv', 'a,b\n1,2\n');
    t.output('researcher', 'figure.png', Buffer.alloc(10));
    t.output('lead', 'leads-own.csv', 'x\n');
    symlinkSync('/etc/passwd', join(t.paths.outputs(t.projectId, 'researcher'), 'link'));
    const res = await t.p.call('GET', `/api/projects/${t.projectId}/outputs`, { as: 'researcher' });
    expect(res.status).toBe(200);
    expect(res.body.map((e: { path: string; kind: string; sizeBytes: number }) => [e.path, e.kind, e.sizeBytes])).toEqual([
      ['figure.png', 'file', 10],
      ['link', 'symlink', 0],
      ['tables/t1.csv', 'file', 8],
    ]);
  });

  it('403 for someone without data access to the project', async () => {
    const res = await t.p.call('GET', `/api/projects/${t.projectId}/outputs`, { as: 'admin1' });
    expect([res.status, res.body.reason]).toEqual([403, 'not_a_member']);
    expect((await t.p.call('GET', `/api/projects/${t.projectId}/outputs`)).status).toBe(401);
  });
});

describe('what an export request may name', () => {
  it("400 naming the file for anything under /outputs/.acro, where the room's ACRO calls stage the columns they used", async () => {
    t.output('researcher', '.acro/0123456789abcdef.csv', 'age,died\n41,0\n');
    for (const path of ['.acro/0123456789abcdef.csv', '/outputs/.acro/0123456789abcdef.csv', 'session/.acro/x.csv']) {
      const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
        as: 'researcher',
        body: {
          purpose: 'paper',
          files: [
            { path: 'tables/t1.csv', description: 'ok' },
            { path, description: 'columns' },
          ],
        },
      });
      expect([res.status, res.body.detail]).toEqual([400, expect.stringContaining('files.1.path')]);
      expect(res.body.detail).toContain('never leave the room');
    }
  });
});
