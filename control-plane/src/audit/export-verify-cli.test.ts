import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH } from './hash.ts';
import type { AuditEntry } from '../platform/index.ts';
import { describePublicKey, generateCheckpointKey, signCheckpoint } from './checkpoint.ts';
import { MerkleTree, memoryMerkleSource } from './merkle-tree.ts';
import { consistencyProofJson, inclusionProofJson } from './merkle-proof.ts';
import { exportLine } from './export-verify.ts';
import { createPublicKey } from 'node:crypto';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
const key = generateCheckpointKey();

function tre(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const entries: AuditEntry[] = [];
for (let i = 0, prev = GENESIS_HASH; i < 50; i++) {
  const e = {
    seq: i,
    time: new Date(Date.UTC(2026, 10, 23, 6, 0, i)).toISOString(),
    actor: 'u1',
    role: 'auditor',
    action: 'audit.query',
    object: '',
    projectId: null,
    outcome: 'success' as const,
    reason: null,
    requestId: `r${i}`,
    clientAddress: '127.0.0.1',
    details: {},
    prevHash: prev,
  };
  entries.push({ ...e, hash: entryHash(e) });
  prev = entries[i]!.hash;
}
const good = join(dir, 'good.jsonl');
writeFileSync(good, entries.map((e) => `${exportLine(e)}\n`).join(''));
const edited = join(dir, 'edited.jsonl');
writeFileSync(edited, entries.map((e) => `${exportLine(e.seq === 17 ? { ...e, actor: 'u2' } : e)}\n`).join(''));
const keyFile = join(dir, 'key.pem');
writeFileSync(keyFile, key.publicKeyPem);
const tree = new MerkleTree({ source: memoryMerkleSource(entries.map((e) => e.hash)) });
const root = await tree.root(50);
const cpFile = join(dir, 'checkpoint.json');
const note = signCheckpoint({ origin: 'test/audit', treeSize: 50, rootHash: root.toString('hex'), time: '2026-11-23T06:01:00.000Z' }, key.privateKeyPem);
writeFileSync(cpFile, JSON.stringify({ treeSize: 50, note }));

describe('tre audit verify', () => {
  it('exits 0 and reports the checkpoint for an intact export', async () => {
    const r = await tre('audit', 'verify', '--file', good, '--public-key', keyFile, '--checkpoint', cpFile, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entries: 50, checkpoint: { treeSize: 50, rootMatches: true }, failure: null });
  });

  it('exits 1 naming the first failing index of an edited export, with the key given inline as base64', async () => {
    const inline = describePublicKey(createPublicKey(key.publicKeyPem), 'test/audit').base64;
    const r = await tre('audit', 'verify', '--file', edited, '--public-key', inline);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED: entry at index 17 (line 18, seq 17): hash:');
    const j = await tre('audit', 'verify', '--file', edited, '--public-key', inline, '--json');
    expect(JSON.parse(j.stdout).failure).toMatchObject({ index: 17, kind: 'hash' });
  });

  it('exits 2 on a missing option or a key that is not Ed25519', async () => {
    expect((await tre('audit', 'verify', '--file', good)).code).toBe(2);
    expect((await tre('audit', 'verify', '--file', good, '--public-key', 'nonsense!')).code).toBe(2);
  });

  it('verify-inclusion and verify-consistency exit 0 for good proofs and 1 for a proof of another entry', async () => {
    const write = (name: string, v: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
      return f;
    };
    const entry = write('entry.json', exportLine(entries[20]!));
    const proof = write('inclusion.json', inclusionProofJson(20, 50, await tree.inclusionProof(20, 50)));
    const ok = await tre('audit', 'verify-inclusion', '--entry', entry, '--proof', proof, '--checkpoint', cpFile, '--public-key', keyFile);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('OK: entry seq 20 is in the log of 50 entries');
    const other = write('other.json', exportLine(entries[21]!));
    const bad = await tre('audit', 'verify-inclusion', '--entry', other, '--proof', proof, '--checkpoint', cpFile, '--public-key', keyFile, '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, reason: 'proof-index' });
    const oldRoot = (await tree.root(30)).toString('hex');
    const old = write(
      'old.txt',
      signCheckpoint({ origin: 'test/audit', treeSize: 30, rootHash: oldRoot, time: '2026-11-23T06:00:30.000Z' }, key.privateKeyPem),
    );
    const cons = write('consistency.json', consistencyProofJson(30, 50, await tree.consistencyProof(30, 50)));
    const c = await tre('audit', 'verify-consistency', '--old', old, '--new', cpFile, '--proof', cons, '--public-key', keyFile);
    expect(c.code).toBe(0);
  });
});
