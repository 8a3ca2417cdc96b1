/** The number of approvals comes from the policy in force, kept with each request. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airlockModuleWith } from '../../control-plane/src/airlock/index.ts';
import { defaultPolicyDir } from '../../control-plane/src/policies/index.ts';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { SAFE_CSV } from './support.ts';

let p: TestPlatform;
let projectId: string;
const policyDir = join(mkdtempSync(join(tmpdir(), 'tre-policies-')), 'policies');

beforeAll(async () => {
  cpSync(defaultPolicyDir, policyDir, { recursive: true });
  const file = join(policyDir, 'default.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('exportApprovals: 2', 'exportApprovals: 3').replace('importApprovals: 1', 'importApprovals: 2'));
  p = await startTestPlatform({}, { modules: [airlockModuleWith({ policyDir })] });
  projectId = (await p.call('GET', '/api/projects', { as: 'researcher' })).body[0].id;
  await p.call('POST', '/api/users', {
    as: 'operator',
    body: { id: 'admin3', displayName: 'Third Admin', roles: ['access_admin'], password: 'a long password 3' },
  });
  p.passwords.set('admin3', 'a long password 3');
}, 120_000);
afterAll(async () => {
  await p?.stop();
  rmSync(join(policyDir, '..'), { recursive: true, force: true });
});

describe('approvals configured by policy', () => {
  it('an export needing three approvals stays in review after two, and is approved by the third different administrator', async () => {
    const outputs = platformPaths(p.dataDir).outputs(projectId, 'researcher');
    mkdirSync(outputs, { recursive: true });
    writeFileSync(join(outputs, 't.csv'), SAFE_CSV);
    const req = await p.call('POST', `/api/projects/${projectId}/exports`, {
      as: 'researcher',
      body: { purpose: 'p', files: [{ path: 't.csv', description: 'd' }] },
    });
    expect(req.body).toMatchObject({ approvalsRequired: 3, policy: { review: { exportApprovals: 3, importApprovals: 2 } } });
    for (const admin of ['admin1', 'admin2']) {
      const r = await p.call('POST', `/api/exports/${req.body.id}/reviews`, { as: admin, body: { decision: 'approve' } });
      expect(r.body).toMatchObject({ status: 'in_review', decided: false });
    }
    const sealed = await p.call('GET', `/api/exports/${req.body.id}`, { as: 'admin3' });
    expect(sealed.body.reviews).toMatchObject({ sealed: true, required: 3, mine: null });
    expect(sealed.body.reviews.decided.map((d: { reviewer: string }) => d.reviewer)).toEqual(['admin1', 'admin2']);
    const third = await p.call('POST', `/api/exports/${req.body.id}/reviews`, { as: 'admin3', body: { decision: 'approve' } });
    expect(third.body).toMatchObject({ status: 'approved', decided: true });
  });

  it('an import needing two approvals is not published after one', async () => {
    const open = await p.call('POST', `/api/projects/${projectId}/imports`, { as: 'researcher', body: { purpose: 'code' } });
    await fetch(`${p.url}/api/imports/${open.body.id}/files/a.R`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${await p.token('researcher')}`, 'content-type': 'application/octet-stream' },
      body: 'x <- 1\n',
    });
    await p.call('POST', `/api/imports/${open.body.id}/submit`, { as: 'researcher' });
    const one = await p.call('POST', `/api/imports/${open.body.id}/reviews`, { as: 'admin1', body: { decision: 'approve' } });
    expect(one.body).toMatchObject({ status: 'in_review', decided: false });
    const imports = platformPaths(p.dataDir).imports(projectId);
    expect(() => readFileSync(join(imports, open.body.id, 'a.R'))).toThrow();
    await p.call('POST', `/api/imports/${open.body.id}/reviews`, { as: 'admin2', body: { decision: 'approve' } });
    expect(readFileSync(join(imports, open.body.id, 'a.R'), 'utf8')).toBe('x <- 1\n');
  });
});
