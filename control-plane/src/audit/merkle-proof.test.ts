import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH } from './hash.ts';
import type { AuditEntry } from '../platform/index.ts';
import { generateCheckpointKey, signCheckpoint } from './checkpoint.ts';
import { MerkleTree, memoryMerkleSource } from './merkle-tree.ts';
import { consistencyProofJson, inclusionProofJson, verifyCheckpointConsistency, verifyEntryInclusion } from './merkle-proof.ts';

const key = generateCheckpointKey();

function makeLog(n: number, actor = 'u'): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0, prev = GENESIS_HASH; i < n; i++) {
    const e = {
      seq: i,
      time: new Date(Date.UTC(2026, 10, 23, 6, 0, 0, i)).toISOString(),
      actor: `${actor}${i % 3}`,
      role: 'researcher',
      action: 'project.read',
      object: 'project:p',
      projectId: 'p',
      outcome: 'success' as const,
      reason: null,
      requestId: null,
      clientAddress: null,
      details: {},
      prevHash: prev,
    };
    out.push({ ...e, hash: entryHash(e) });
    prev = out[i]!.hash;
  }
  return out;
}

const log = makeLog(100);
const tree = new MerkleTree({ source: memoryMerkleSource(log.map((e) => e.hash)) });
async function note(size: number, t = tree): Promise<string> {
  const rootHash = (await t.root(size)).toString('hex');
  return signCheckpoint({ origin: 'test/audit', treeSize: size, rootHash, time: '2026-11-23T06:10:00.000Z' }, key.privateKeyPem);
}

describe('offline proof checks', () => {
  it('accepts an entry with its inclusion proof against the signed checkpoint', async () => {
    const cp = await note(100);
    for (const seq of [0, 37, 64, 99]) {
      const proof = inclusionProofJson(seq, 100, await tree.inclusionProof(seq, 100));
      const r = verifyEntryInclusion({ entry: log[seq]!, proof, checkpointNote: cp, publicKey: key.publicKeyPem });
      expect(r).toMatchObject({ ok: true, checkpoint: { treeSize: 100 } });
    }
  });

  it('rejects an edited entry, a proof for another entry or size, and an altered proof', async () => {
    const cp = await note(100);
    const proof = inclusionProofJson(37, 100, await tree.inclusionProof(37, 100));
    const check = (entry: AuditEntry, p: unknown, c = cp) => verifyEntryInclusion({ entry, proof: p, checkpointNote: c, publicKey: key.publicKeyPem });
    expect(check({ ...log[37]!, actor: 'x' }, proof)).toMatchObject({ ok: false, reason: 'entry-hash' });
    expect(check(log[38]!, proof)).toMatchObject({ ok: false, reason: 'proof-index' });
    expect(check(log[37]!, proof, await note(99))).toMatchObject({ ok: false, reason: 'proof-size' });
    const altered = { ...proof, hashes: [proof.hashes[1], proof.hashes[0], ...proof.hashes.slice(2)] };
    expect(check(log[37]!, altered)).toMatchObject({ ok: false, reason: 'proof-invalid' });
    expect(check(log[37]!, { ...proof, hashes: ['abc'] })).toMatchObject({ ok: false, reason: 'proof-malformed' });
    expect(check(log[37]!, proof, cp.replace('\n100\n', '\n101\n'))).toMatchObject({ ok: false, reason: 'checkpoint-bad-signature' });
  });

  it('links two checkpoints of one log, and refuses a checkpoint of a rewritten log', async () => {
    const older = await note(60);
    const newer = await note(100);
    const proof = consistencyProofJson(60, 100, await tree.consistencyProof(60, 100));
    expect(verifyCheckpointConsistency({ olderNote: older, newerNote: newer, proof, publicKey: key.publicKeyPem })).toMatchObject({
      ok: true,
      checkpoint: { treeSize: 100 },
    });
    const forkedLog = [...log.slice(0, 50), ...makeLog(100, 'v').slice(50)];
    const forked = new MerkleTree({ source: memoryMerkleSource(forkedLog.map((e) => e.hash)) });
    const forkedNote = await note(100, forked);
    const forkedProof = consistencyProofJson(60, 100, await forked.consistencyProof(60, 100));
    expect(verifyCheckpointConsistency({ olderNote: older, newerNote: forkedNote, proof: forkedProof, publicKey: key.publicKeyPem })).toMatchObject({
      ok: false,
      reason: 'proof-invalid',
    });
    expect(verifyCheckpointConsistency({ olderNote: newer, newerNote: older, proof, publicKey: key.publicKeyPem })).toMatchObject({
      ok: false,
      reason: 'proof-size',
    });
  });
});
