/** Checkpoints, proofs and offline verification through the real API and the real `tre`. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCheckpointConsistency, verifyEntryInclusion, enforceRetention } from '../../control-plane/src/audit/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runTre } from '../support/tre.ts';

const dir = mkdtempSync(join(tmpdir(), 'tre-cp-'));

const tre = (args: string[], env: Record<string, string>) => runTre(args, env);

let p: TestPlatform;
let env: Record<string, string>;
beforeAll(async () => {
  p = await startTestPlatform();
  env = { TRE_URL: p.url, TRE_TOKEN: await p.token('auditor'), TRE_CONFIG_DIR: dir };
});
afterAll(() => p?.stop());

describe('signed checkpoints and proofs', () => {
  it('publishes checkpoints; inclusion and consistency proofs verify with only the public key, and a wrong proof fails', async () => {
    for (const u of ['researcher', 'lead', 'admin1']) await p.call('GET', '/api/projects', { as: u });
    const cp1 = (await p.call('POST', '/api/audit/checkpoints', { as: 'auditor' })).body;
    for (const u of ['researcher', 'lead']) await p.call('GET', '/api/me', { as: u });
    const cp2 = (await p.call('POST', '/api/audit/checkpoints', { as: 'auditor' })).body;
    expect(cp2.treeSize).toBeGreaterThan(cp1.treeSize);
    expect((await p.call('GET', '/api/audit/checkpoints/latest')).body.treeSize).toBe(cp2.treeSize);
    const publicKey = (await p.call('GET', '/api/audit/public-key')).body.pem;

    const inc = (await p.call('GET', `/api/audit/proofs/inclusion?seq=3&treeSize=${cp2.treeSize}`, { as: 'auditor' })).body;
    expect(verifyEntryInclusion({ entry: inc.entry, proof: inc.proof, checkpointNote: inc.checkpoint.note, publicKey })).toMatchObject({
      ok: true,
      checkpoint: { treeSize: cp2.treeSize },
    });
    const forged = { ...inc.proof, hashes: [Buffer.alloc(32, 1).toString('base64'), ...inc.proof.hashes.slice(1)] };
    expect(verifyEntryInclusion({ entry: inc.entry, proof: forged, checkpointNote: inc.checkpoint.note, publicKey }).ok).toBe(false);
    const edited = { ...inc.entry, actor: 'mallory' };
    expect(verifyEntryInclusion({ entry: edited, proof: inc.proof, checkpointNote: inc.checkpoint.note, publicKey }).ok).toBe(false);

    const con = (await p.call('GET', `/api/audit/proofs/consistency?from=${cp1.treeSize}&to=${cp2.treeSize}`, { as: 'auditor' })).body;
    expect(verifyCheckpointConsistency({ olderNote: con.older.note, newerNote: con.newer.note, proof: con.proof, publicKey }).ok).toBe(true);
    const bad = { ...con.proof, hashes: con.proof.hashes.map(() => Buffer.alloc(32, 2).toString('base64')) };
    expect(verifyCheckpointConsistency({ olderNote: con.older.note, newerNote: con.newer.note, proof: bad, publicKey }).ok).toBe(false);

    const outside = await p.call('GET', `/api/audit/proofs/inclusion?seq=${cp2.treeSize + 50}&treeSize=${cp2.treeSize}`, { as: 'auditor' });
    expect([outside.status, outside.body.field]).toEqual([400, 'seq']);
    expect((await p.call('GET', '/api/audit/proofs/inclusion?seq=1', { as: 'researcher' })).status).toBe(403);
  });

  it('exports with tre, verifies offline against the checkpoint, and names the first index of an edit', async () => {
    await p.call('POST', '/api/audit/checkpoints', { as: 'auditor' });
    const exported = join(dir, 'audit.jsonl');
    expect((await tre(['audit', 'export', '--format', 'jsonl', '--out', exported, '--json'], env)).code).toBe(0);
    const cp = await tre(['audit', 'checkpoint', '--json'], env);
    writeFileSync(join(dir, 'cp.json'), cp.stdout);
    const key = await tre(['audit', 'public-key'], env);
    writeFileSync(join(dir, 'key.pem'), key.stdout);
    const ok = await tre(['audit', 'verify', '--file', exported, '--public-key', join(dir, 'key.pem'), '--checkpoint', join(dir, 'cp.json'), '--json'], env);
    expect([ok.code, JSON.parse(ok.stdout).ok]).toEqual([0, true]);

    const lines = readFileSync(exported, 'utf8').trim().split('\n');
    lines[5] = lines[5]!.replace(/"actor":"[^"]*"/, '"actor":"mallory"');
    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, `${lines.join('\n')}\n`);
    const fail = await tre(['audit', 'verify', '--file', tampered, '--public-key', join(dir, 'key.pem'), '--checkpoint', join(dir, 'cp.json'), '--json'], env);
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout).failure).toMatchObject({ index: 5, kind: 'hash' });
  });

  it('exports CSV and pages queries; the auditor’s own queries are logged', async () => {
    const csv = await tre(['audit', 'export', '--format', 'csv'], env);
    expect(csv.stdout.split('\n')[0]).toBe('seq,time,actor,role,action,object,projectId,outcome,reason,requestId,clientAddress,details,prevHash,hash');
    for (let i = 0; i < 3; i++) await p.call('GET', '/api/me', { as: 'researcher' });
    const page = await tre(['audit', 'query', '--actor', 'researcher', '--limit', '2', '--json'], env);
    const body = JSON.parse(page.stdout);
    expect(body.entries).toHaveLength(2);
    expect(body.entries.every((e: { actor: string }) => e.actor === 'researcher')).toBe(true);
    const next = JSON.parse((await tre(['audit', 'query', '--actor', 'researcher', '--limit', '2', '--after', String(body.next), '--json'], env)).stdout);
    expect(next.entries[0].seq).toBeGreaterThan(body.entries[1].seq);
    const own = await p.deps.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'auditor' AND action = 'audit.query'`);
    expect(own[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it('gives counts over time, a person’s trail and a project’s history', async () => {
    const stats = (await p.call('GET', '/api/audit/stats?bucket=hour', { as: 'auditor' })).body;
    expect(stats.byAction.some((r: { action: string; count: number }) => r.action === 'project.list' && r.count >= 3)).toBe(true);
    const trail = (await p.call('GET', '/api/audit/people/lead', { as: 'auditor' })).body;
    expect(trail.entries.every((e: { actor: string }) => e.actor === 'lead')).toBe(true);
    const projectId = (await p.call('GET', '/api/projects', { as: 'lead' })).body[0].id;
    const history = (await p.call('GET', `/api/audit/projects/${projectId}`, { as: 'auditor' })).body;
    expect(history.projectId).toBe(projectId);
  });

  it('refuses and logs an auditor’s attempt to change anything', async () => {
    const attempts = [
      await p.call('POST', '/api/applications', { as: 'auditor', body: { kind: 'new' } }),
      await p.call('PATCH', '/api/users/lead', { as: 'auditor', body: { disabled: true } }),
      await p.call('POST', '/api/permits', { as: 'auditor', body: {} }),
    ];
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403]);
    for (const a of attempts) {
      const rows = await p.deps.store.query('SELECT actor, outcome FROM audit_log WHERE request_id = $1', [a.headers.get('x-request-id')]);
      expect(rows).toEqual([{ actor: 'auditor', outcome: 'denied' }]);
    }
  });

  it('keeps retention at least a year and only lets it rise', async () => {
    await expect(enforceRetention(p.deps.store, 100)).rejects.toThrow('at least 365 days');
    await expect(enforceRetention(p.deps.store, 400)).rejects.toThrow('can only be raised');
    expect(await enforceRetention(p.deps.store, 4000)).toBe(4000);
  });
});
