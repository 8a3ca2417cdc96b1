import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFE_CSV, startAirlock, type AirlockTest } from './support.ts';

let t: AirlockTest;
beforeAll(async () => {
  t = await startAirlock();
  // A second researcher, member of the project but neither requester nor lead.
  await t.p.call('POST', '/api/users', {
    as: 'operator',
    body: { id: 'colleague', displayName: 'Co Lleague', roles: ['researcher'], password: 'a long password 1' },
  });
  t.p.passwords.set('colleague', 'a long password 1');
  await t.p.call('POST', `/api/projects/${t.projectId}/members`, { as: 'lead', body: { userId: 'colleague', role: 'researcher' } });
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function approvedExport(name: string, content: string) {
  t.output('researcher', name, content);
  const req = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
    as: 'researcher',
    body: { purpose: 'release test', files: [{ path: name, description: 'a table' }] },
  });
  expect(req.status).toBe(201);
  for (const admin of ['admin1', 'admin2']) {
    await t.p.call('POST', `/api/exports/${req.body.id}/reviews`, {
      as: admin,
      body: { decision: 'approve', reason: req.body.checksStatus === 'pass' ? undefined : 'ok' },
    });
  }
  return req.body.id as string;
}

async function download(id: string, as: string) {
  const res = await fetch(`${t.p.url}/api/exports/${id}/files/f1/download`, { headers: { authorization: `Bearer ${await t.p.token(as)}` } });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('export release', () => {
  it('a file changed after the request: the released bytes are the staged ones', async () => {
    const id = await approvedExport('changed.csv', SAFE_CSV);
    t.output('researcher', 'changed.csv', 'group,count\nA,1\n');
    const res = await download(id, 'researcher');
    expect(res.status).toBe(200);
    expect(res.text).toBe(SAFE_CSV);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="changed.csv"');
    const detail = await t.p.call('GET', `/api/exports/${id}`, { as: 'researcher' });
    expect(detail.body.events.at(-1)).toMatchObject({ event: 'downloaded', actor: 'researcher', details: { file: 'f1' } });
  });

  it('the project lead may download; each download is audited', async () => {
    const id = await approvedExport('lead.csv', SAFE_CSV);
    expect((await download(id, 'lead')).status).toBe(200);
    const rows = await t.p.deps.store.query<{ actor: string; outcome: string }>(
      "SELECT actor, outcome FROM audit_log WHERE action = 'export.download' AND object = $1 ORDER BY seq",
      [`export:${id}`],
    );
    expect(rows).toEqual([{ actor: 'lead', outcome: 'success' }]);
  });

  it('403 downloading as a non-member and as a member who is neither requester nor lead', async () => {
    const id = await approvedExport('who.csv', SAFE_CSV);
    const admin = await download(id, 'admin1');
    expect(admin.status).toBe(403);
    expect(JSON.parse(admin.text).reason).toBe('not_a_member');
    const colleague = await download(id, 'colleague');
    expect(colleague.status).toBe(403);
    expect(JSON.parse(colleague.text).reason).toBe('not_requester_or_lead');
  });

  it('a staged file tampered with on disk: download refused', async () => {
    const id = await approvedExport('tamper.csv', SAFE_CSV);
    const staged = join(t.paths.airlock(id), 'f1');
    chmodSync(t.paths.airlock(id), 0o700);
    chmodSync(staged, 0o600);
    writeFileSync(staged, 'group,count\nA,2\n');
    const res = await download(id, 'researcher');
    expect(res.status).toBe(409);
    expect(JSON.parse(res.text).reason).toBe('hash_mismatch');
  });

  it('path traversal, absolute paths, symbolic links and special files are refused', async () => {
    const outputs = t.paths.outputs(t.projectId, 'researcher');
    mkdirSync(outputs, { recursive: true });
    writeFileSync(join(t.p.dataDir, 'secret.csv'), 'x,y\n1,2\n');
    symlinkSync(join(t.p.dataDir, 'secret.csv'), join(outputs, 'link.csv'));
    symlinkSync(t.p.dataDir, join(outputs, 'linkdir'));
    mkfifoSync(join(outputs, 'pipe'));
    const cases: Array<[string, string]> = [
      ['../../../../../secret.csv', 'path_outside_outputs'],
      ['sub/../../x.csv', 'path_outside_outputs'],
      ['link.csv', 'symlink_refused'],
      ['linkdir/secret.csv', 'symlink_refused'],
      ['pipe', 'not_a_regular_file'],
    ];
    for (const [path, reason] of cases) {
      const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
        as: 'researcher',
        body: { purpose: 'sneak', files: [{ path, description: 'x' }] },
      });
      expect({ path, status: res.status, reason: res.body.reason }).toEqual({ path, status: 403, reason });
    }
  });

  it('release refused after the permit expired', async () => {
    const id = await approvedExport('late.csv', SAFE_CSV);
    const saved = t.p.clock.now();
    t.p.clock.set('2099-01-01T00:00:00Z');
    t.p.forgetTokens();
    try {
      const res = await download(id, 'researcher');
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).reason).toBe('permit_expired');
    } finally {
      t.p.clock.set(saved);
      t.p.forgetTokens();
    }
  });
});

function mkfifoSync(path: string): void {
  execFileSync('mkfifo', [path]);
}
