import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH } from './hash.ts';
import type { AuditEntry } from '../platform/index.ts';
import { generateCheckpointKey, signCheckpoint } from './checkpoint.ts';
import { MerkleTree, memoryMerkleSource } from './merkle-tree.ts';
import { exportLine, verifyExport, type ExportVerification } from './export-verify.ts';
import { scanRange } from './export-verify-scan.ts';

const dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
let fileNo = 0;
const key = generateCheckpointKey();
const otherKey = generateCheckpointKey();
const ORIGIN = 'analyserom.test/audit';

/** A valid log of n entries; some with details, escapes and non-ASCII so both verification paths run. */
function makeLog(n: number, salt = ''): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < n; i++) {
    const e: Omit<AuditEntry, 'hash'> = {
      seq: i,
      time: new Date(Date.UTC(2026, 10, 23, 5, 0, 0, i)).toISOString(),
      actor: `user-${i % 7}${salt}`,
      role: 'researcher',
      action: i % 5 === 0 ? 'room.file.read' : 'project.read',
      object: `project:p-${i % 3}`,
      projectId: i % 4 === 0 ? null : `p-${i % 3}`,
      outcome: i % 9 === 0 ? 'denied' : 'success',
      reason: i % 9 === 0 ? (i % 2 ? 'not a member of "p-1"' : 'ikke medlem av prosjektet (Ålesund)') : null,
      requestId: `req-${i}`,
      clientAddress: '127.0.0.1',
      details: i % 6 === 0 ? { path: '/data/x.csv', bytes: i, nested: { b: 1, a: [1, 'two'] } } : {},
      prevHash: prev,
    };
    const full = { ...e, hash: entryHash(e) };
    out.push(full);
    prev = full.hash;
  }
  return out;
}

function write(lines: string[]): string {
  const f = join(dir, `export-${fileNo++}.jsonl`);
  writeFileSync(f, lines.map((l) => `${l}\n`).join(''));
  return f;
}

async function checkpointFor(entries: AuditEntry[], treeSize: number, privateKeyPem = key.privateKeyPem): Promise<string> {
  const tree = new MerkleTree({ source: memoryMerkleSource(entries.map((e) => e.hash)) });
  const rootHash = (await tree.root(treeSize)).toString('hex');
  return signCheckpoint({ origin: ORIGIN, treeSize, rootHash, time: '2026-11-23T06:00:00.000Z' }, privateKeyPem);
}

const log = makeLog(300);
const lines = log.map(exportLine);

/** Runs in-process and with 3 worker threads; both must give the same answer. */
async function verifyBoth(file: string, checkpoint?: string): Promise<ExportVerification> {
  const opts = { file, publicKey: key.publicKeyPem, ...(checkpoint === undefined ? {} : { checkpoint }) };
  const single = await verifyExport({ ...opts, threads: 1 });
  const multi = await verifyExport({ ...opts, threads: 3 });
  expect(multi).toEqual(single);
  return single;
}

describe('verifyExport', () => {
  it('accepts an untouched export, with and without a checkpoint of its full size or a prefix', async () => {
    const file = write(lines);
    const plain = await verifyBoth(file);
    expect(plain).toEqual({
      ok: true,
      entries: 300,
      firstSeq: 0,
      lastSeq: 299,
      lastHash: log[299]?.hash,
      startsAtGenesis: true,
      checkpoint: null,
      failure: null,
    });
    for (const size of [0, 1, 255, 256, 300]) {
      const r = await verifyBoth(file, await checkpointFor(log, size));
      expect(r.ok).toBe(true);
      expect(r.checkpoint).toMatchObject({ treeSize: size, rootMatches: true, origin: ORIGIN });
    }
  });

  it('checks exportLine lines on the fast path, except those with escapes or non-ASCII text', async () => {
    const r = scanRange(write(lines), 0, Infinity, 300);
    const special = lines.filter((l) => l.includes('\\') || /[^\x20-\x7e]/.test(l)).length;
    expect(special).toBeGreaterThan(0);
    expect(r).toMatchObject({ count: 300, failure: null, slowLines: special });
  });

  it('accepts lines in a non-canonical layout when their fields hash right (slow path)', async () => {
    const reordered = log.map((e) => JSON.stringify({ ...e, details: e.details, hash: e.hash }, null, 0));
    const spaced = reordered.map((l, i) => (i % 2 ? l.replace(/,"/g, ', "') : l));
    const r = await verifyBoth(write(spaced), await checkpointFor(log, 300));
    expect(r.ok).toBe(true);
  });

  it('names the edited entry when a field is changed', async () => {
    for (const i of [0, 41, 150, 299]) {
      const edited = [...lines];
      edited[i] = (edited[i] as string).replace('"role":"researcher"', '"role":"access_admin"');
      const r = await verifyBoth(write(edited));
      expect(r.failure).toEqual({ index: i, seq: i, kind: 'hash', message: "hash does not match the entry's fields" });
      expect(r.ok).toBe(false);
      expect(r.entries).toBe(i);
    }
    const details = [...lines];
    details[6] = (details[6] as string).replace('"bytes":6', '"bytes":7');
    expect(details[6]).not.toBe(lines[6]);
    expect((await verifyBoth(write(details))).failure).toMatchObject({ index: 6, kind: 'hash' });
  });

  it('names the entry after the gap when one is deleted', async () => {
    for (const i of [1, 100, 298]) {
      const r = await verifyBoth(write(lines.filter((_, j) => j !== i)));
      expect(r.failure).toEqual({ index: i, seq: i + 1, kind: 'seq', message: `seq is ${i + 1}, expected ${i}` });
    }
  });

  it('names the first entry when it is deleted and a checkpoint is given', async () => {
    const r = await verifyBoth(write(lines.slice(1)), await checkpointFor(log, 300));
    expect(r.failure).toMatchObject({ index: null, kind: 'checkpoint-partial-export' });
    const plain = await verifyBoth(write(lines.slice(1)));
    expect(plain).toMatchObject({ ok: true, startsAtGenesis: false, firstSeq: 1 });
  });

  it('names an inserted copy at its position, and a well-formed insert at the entry it displaced', async () => {
    const copied = [...lines.slice(0, 120), lines[60] as string, ...lines.slice(120)];
    expect((await verifyBoth(write(copied))).failure).toMatchObject({ index: 120, seq: 60, kind: 'seq' });
    // A forger who computes a valid hash for the insert, linked to the entry before it.
    const before = log[119] as AuditEntry;
    const forged = { ...before, seq: 120, actor: 'mallory', prevHash: before.hash };
    const withHash = { ...forged, hash: entryHash(forged) };
    const inserted = [...lines.slice(0, 120), exportLine(withHash), ...lines.slice(120)];
    expect((await verifyBoth(write(inserted))).failure).toEqual({
      index: 121,
      seq: 120,
      kind: 'seq',
      message: 'seq is 120, expected 121',
    });
  });

  it('names the first of two swapped entries', async () => {
    const swapped = [...lines];
    [swapped[70], swapped[200]] = [swapped[200] as string, swapped[70] as string];
    expect((await verifyBoth(write(swapped))).failure).toMatchObject({ index: 70, seq: 200, kind: 'seq' });
    const adjacent = [...lines];
    [adjacent[9], adjacent[10]] = [adjacent[10] as string, adjacent[9] as string];
    expect((await verifyBoth(write(adjacent))).failure).toMatchObject({ index: 9, seq: 10, kind: 'seq' });
  });

  it('names the first missing index when the tail is truncated below the checkpoint', async () => {
    const cp = await checkpointFor(log, 300);
    const r = await verifyBoth(write(lines.slice(0, 250)), cp);
    expect(r.failure).toEqual({
      index: 250,
      seq: 250,
      kind: 'truncated',
      message: 'the checkpoint covers 300 entries; the export ends after 250',
    });
  });

  it('rejects a forged checkpoint: edited after signing, or signed by another key', async () => {
    const file = write(lines);
    const cp = await checkpointFor(log, 300);
    const edited = cp.replace('\n300\n', '\n299\n');
    expect((await verifyBoth(file, edited)).failure).toMatchObject({ index: null, kind: 'checkpoint-signature' });
    const foreign = await checkpointFor(log, 300, otherKey.privateKeyPem);
    expect((await verifyBoth(file, foreign)).failure).toEqual({
      index: null,
      seq: null,
      kind: 'checkpoint-signature',
      message: 'no signature by the given public key',
    });
    expect((await verifyBoth(file, 'not a checkpoint')).failure).toMatchObject({ kind: 'checkpoint-malformed' });
  });

  it('rejects a replayed checkpoint of another log signed by the same key', async () => {
    const other = makeLog(300, '-other');
    const r = await verifyBoth(write(lines), await checkpointFor(other, 200));
    expect(r.failure).toMatchObject({ index: null, kind: 'checkpoint-root' });
    expect(r.checkpoint).toMatchObject({ treeSize: 200, rootMatches: false });
  });

  it('rejects a replayed old checkpoint when a freshness bound is given, and a checkpoint of another origin', async () => {
    const cut = write(lines.slice(0, 250));
    const old = await checkpointFor(log, 250); // signed at 2026-11-23T06:00:00.000Z
    expect((await verifyBoth(cut, old)).ok).toBe(true); // consistent, so only freshness can tell
    const stale = await verifyExport({ file: cut, publicKey: key.publicKeyPem, checkpoint: old, notBefore: '2026-11-23T07:00:00Z' });
    expect(stale.failure).toMatchObject({ index: null, kind: 'checkpoint-stale' });
    const foreign = await verifyExport({ file: cut, publicKey: key.publicKeyPem, checkpoint: old, origin: 'prod/audit' });
    expect(foreign.failure).toEqual({
      index: null,
      seq: null,
      kind: 'checkpoint-origin',
      message: `the checkpoint is of log '${ORIGIN}', not 'prod/audit'`,
    });
  });

  it('names index 0 as missing for an empty export, and accepts a last line without a newline', async () => {
    const empty = write([]);
    expect((await verifyBoth(empty, await checkpointFor(log, 10))).failure).toMatchObject({ index: 0, kind: 'truncated' });
    const f = join(dir, 'no-newline.jsonl');
    writeFileSync(f, lines.join('\n'));
    expect(await verifyBoth(f, await checkpointFor(log, 300))).toMatchObject({ ok: true, entries: 300 });
  });

  it('rejects a history rewritten with valid hashes from some entry on, given a checkpoint', async () => {
    const rewritten = [...log.slice(0, 100)];
    for (const e of log.slice(100)) {
      const prev = rewritten[rewritten.length - 1] as AuditEntry;
      const body = { ...e, actor: e.seq === 100 ? 'nobody' : e.actor, prevHash: prev.hash };
      rewritten.push({ ...body, hash: entryHash(body) });
    }
    const file = write(rewritten.map(exportLine));
    expect((await verifyBoth(file)).ok).toBe(true);
    const r = await verifyBoth(file, await checkpointFor(log, 300));
    expect(r.failure).toMatchObject({ kind: 'checkpoint-root' });
  });

  it('calls a line that is not an export entry malformed, naming its index', async () => {
    for (const [i, bad] of [
      [3, '{"seq":3'],
      [4, ''],
      [7, JSON.stringify({ ...log[7], extra: 1 })],
      [8, JSON.stringify({ ...log[8], seq: '9' })],
    ] as const) {
      const broken = [...lines];
      broken[i] = bad;
      expect((await verifyBoth(write(broken))).failure).toMatchObject({ index: i, kind: 'malformed' });
    }
  });

  it('checks the genesis link of the entry with seq 0', async () => {
    const bad = { ...(log[0] as AuditEntry), prevHash: 'f'.repeat(64) };
    const r = await verifyBoth(write([exportLine({ ...bad, hash: entryHash(bad) }), ...lines.slice(1)]));
    expect(r.failure).toMatchObject({ index: 0, kind: 'genesis' });
  });
});

describe('keys JSON must escape', () => {
  /** Two chained entries with the given details; the second's line then rewritten to `text2`. */
  function pair(details0: Record<string, unknown>, details1: Record<string, unknown>): string[] {
    const base = makeLog(2);
    const e0 = { ...base[0]!, details: details0, prevHash: GENESIS_HASH };
    const h0 = entryHash(e0);
    const e1 = { ...base[1]!, details: details1, prevHash: h0 };
    return [exportLine({ ...e0, hash: h0 }), exportLine({ ...e1, hash: entryHash(e1) })];
  }

  it('refuses the first line with a key JSON must escape, rather than judge it by what JSON.parse reads (nodejs/node#63785)', async () => {
    // Node 24's JSON.parse, once it has read a key of one backslash, can read a later key of one
    // quote back as a backslash. A forger who hashes an entry with the one key and writes it with
    // the other must not have the line judged by that reading: verification stops at the first key
    // that needs escaping, whatever the hashes say.
    const [l0, l1] = pair({ '\\': 1 }, { '\\': 2 });
    const forged = l1!.replace('{"\\\\":2}', '{"\\"":2}');
    expect(forged).not.toBe(l1);
    const r = await verifyBoth(write([l0!, forged]));
    expect(r.ok).toBe(false);
    expect(r.failure).toMatchObject({ index: 0, kind: 'malformed' });
  });

  it('refuses a key with a quote or a control character even on its own', async () => {
    for (const k of ['"', 'a\u0001b']) {
      const r = await verifyBoth(write(pair({ [k]: 1 }, {})));
      expect(r.failure).toMatchObject({ index: 0, kind: 'malformed' });
    }
  });
});
