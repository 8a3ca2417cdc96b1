/**
 * The browser's log verifier agrees with the server's audit code: the same entry preimages and
 * hashes, the same RFC 9162 roots for every tree size, the same signed checkpoints; and it names
 * the first entry that was edited, removed or reordered.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  entryHash,
  entryPreimage as serverPreimage,
  GENESIS_HASH,
  leafHash,
  rootOfLeafHashes,
  describePublicKey,
  signCheckpoint,
} from '../../control-plane/src/audit/index.ts';
import { entryPreimage, merkleRoot, verifyLog, verifyNote, type ExportedEntry } from '../../control-plane/web/src/lib/verify-log.ts';

function log(n: number): ExportedEntry[] {
  const out: ExportedEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 0; seq < n; seq++) {
    const e = {
      seq,
      time: new Date(Date.UTC(2026, 10, 23, 5, 0, seq)).toISOString(),
      actor: seq % 2 ? 'lead' : 'researcher',
      role: 'researcher',
      action: 'export.request',
      object: `export:exp_${seq}`,
      projectId: seq % 3 ? 'prj_demo' : null,
      outcome: 'success' as const,
      reason: seq % 5 ? null : 'with "quotes" and ÆØÅ',
      requestId: `req-${seq}`,
      clientAddress: '127.0.0.1',
      details: { z: seq, a: { nested: [1, 'two', null] }, b: seq % 2 === 0 },
      prevHash: prev,
    };
    const hash = entryHash(e as never);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const jsonl = (entries: ExportedEntry[]) => entries.map((e) => JSON.stringify(e)).join('\n');

function signedNote(entries: ExportedEntry[], treeSize: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rootHash = rootOfLeafHashes(entries.slice(0, treeSize).map((e) => leafHash(e.hash))).toString('hex');
  const note = signCheckpoint({ origin: 'analyserom.test/audit', treeSize, rootHash, time: '2026-11-23T06:00:00.000Z' }, privateKey);
  return { note, publicKeyB64: describePublicKey(publicKey, 'analyserom.test/audit').base64, rootHash };
}

describe('the browser log verifier', () => {
  it('builds the same preimage as the server for every entry', () => {
    for (const e of log(12)) expect(entryPreimage(e)).toBe(serverPreimage(e as never));
  });

  it('computes the same Merkle root as the server for every tree size from 0 to 33', async () => {
    const entries = log(33);
    for (let n = 0; n <= 33; n++) {
      const server = rootOfLeafHashes(entries.slice(0, n).map((e) => leafHash(e.hash))).toString('hex');
      expect([n, hexOf(await merkleRoot(entries.slice(0, n).map((e) => Buffer.from(e.hash, 'hex'))))]).toEqual([n, server]);
    }
  });

  it('accepts a checkpoint signed by the key and refuses one signed by another', async () => {
    const entries = log(5);
    const good = signedNote(entries, 5);
    expect(await verifyNote(good.note, Buffer.from(good.publicKeyB64, 'base64'))).toEqual({
      treeSize: 5,
      rootHash: good.rootHash,
      time: '2026-11-23T06:00:00.000Z',
    });
    const other = signedNote(entries, 5);
    expect(await verifyNote(good.note, Buffer.from(other.publicKeyB64, 'base64'))).toBe('signature');
  });

  it('verifies an intact log whose checkpoint covers a prefix', async () => {
    const entries = log(20);
    const { note, publicKeyB64, rootHash } = signedNote(entries, 13);
    expect(await verifyLog({ note, publicKeyB64, jsonl: jsonl(entries) })).toEqual({
      ok: true,
      treeSize: 13,
      rootHash,
      time: '2026-11-23T06:00:00.000Z',
      entries: 20,
      failure: null,
    });
  });

  it('names the first entry that was edited, removed or swapped, and a truncated log', async () => {
    const entries = log(20);
    const { note, publicKeyB64 } = signedNote(entries, 20);
    const edited = entries.map((e, i) => (i === 7 ? { ...e, actor: 'someone-else' } : e));
    expect((await verifyLog({ note, publicKeyB64, jsonl: jsonl(edited) })).failure).toEqual({ kind: 'hash', index: 7 });
    const removed = entries.filter((_, i) => i !== 4);
    expect((await verifyLog({ note, publicKeyB64, jsonl: jsonl(removed) })).failure).toEqual({ kind: 'seq', index: 4 });
    const swapped = [...entries];
    [swapped[9], swapped[10]] = [swapped[10]!, swapped[9]!];
    expect((await verifyLog({ note, publicKeyB64, jsonl: jsonl(swapped) })).failure).toEqual({ kind: 'seq', index: 9 });
    expect((await verifyLog({ note, publicKeyB64, jsonl: jsonl(entries.slice(0, 15)) })).failure).toEqual({ kind: 'missing' });
  });
});
