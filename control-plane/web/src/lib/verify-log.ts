/**
 * Verifies the audit log in the browser against its latest signed checkpoint, with nothing but
 * the log's public key: the checkpoint note's Ed25519 signature (C2SP signed note), the hash
 * chain of every entry (each entry's SHA-256 over its fixed-order preimage, committing to the one
 * before), and the RFC 9162 Merkle root over the entries the checkpoint covers.
 * Mirrors `control-plane/src/audit/{hash,merkle,checkpoint}.ts`; the server is not trusted for the verdict.
 */
import type { AuditEntry } from './types.ts';

/** One line of `GET /api/audit/export`: an entry with its hashes. */
export type ExportedEntry = AuditEntry;

export type Failure = { kind: 'signature' | 'noCrypto' | 'root' | 'missing' } | { kind: 'seq' | 'chain' | 'hash'; index: number };

export interface Verification {
  ok: boolean;
  treeSize: number;
  rootHash: string;
  time: string;
  entries: number;
  failure: Failure | null;
}

const GENESIS = '0'.repeat(64);
const enc = new TextEncoder();

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryPreimage(e: ExportedEntry): string {
  const s = JSON.stringify;
  return `["ae1",${e.seq},${s(e.time)},${s(e.actor)},${s(e.role)},${s(e.action)},${s(e.object)},${s(e.projectId)},${s(e.outcome)},${s(e.reason)},${s(e.requestId)},${s(e.clientAddress)},${canonicalJson(e.details ?? {})},${s(e.prevHash)}]`;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string) => new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** RFC 9162 Merkle tree hash of leaves given as 32-byte entry hashes. */
export async function merkleRoot(entryHashes: Uint8Array[]): Promise<Uint8Array> {
  if (entryHashes.length === 0) return sha256();
  let level = await Promise.all(entryHashes.map((h) => sha256(new Uint8Array([0]), h)));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(await sha256(new Uint8Array([1]), level[i]!, level[i + 1]!));
    // An odd node is carried up unchanged: the same tree as RFC 9162's largest-power-of-two split.
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** Parses a signed checkpoint note and checks a signature line by the raw Ed25519 `publicKey`. */
export async function verifyNote(
  note: string,
  publicKey: Uint8Array,
): Promise<{ treeSize: number; rootHash: string; time: string } | 'signature' | 'noCrypto'> {
  const split = note.indexOf('\n\n');
  if (split < 0) return 'signature';
  const body = note.slice(0, split + 1);
  const [, size, rootB64, timeLine] = body.split('\n');
  const parsed = { treeSize: Number(size), rootHash: hex(fromB64(rootB64 ?? '')), time: (timeLine ?? '').replace(/^time /, '') };
  let key: Awaited<ReturnType<typeof crypto.subtle.importKey>>;
  try {
    key = await crypto.subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return 'noCrypto';
  }
  for (const line of note.slice(split + 2).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    const sig = fromB64(m[2]!);
    const id = (await sha256(enc.encode(`${m[1]}\n`), new Uint8Array([1]), publicKey)).slice(0, 4);
    if (sig.length !== 68 || hex(sig.slice(0, 4)) !== hex(id)) continue;
    if (await crypto.subtle.verify('Ed25519', key, new Uint8Array(sig.slice(4)), enc.encode(body))) return parsed;
  }
  return 'signature';
}

export async function verifyLog(opts: { note: string; publicKeyB64: string; jsonl: string }): Promise<Verification> {
  const entries = opts.jsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ExportedEntry);
  const base = { treeSize: 0, rootHash: '', time: '', entries: entries.length };
  const cp = await verifyNote(opts.note, fromB64(opts.publicKeyB64));
  if (cp === 'signature' || cp === 'noCrypto') return { ...base, ok: false, failure: { kind: cp } };
  const v = { ...base, ...cp };
  let prev = GENESIS;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.seq !== i) return { ...v, ok: false, failure: { kind: 'seq', index: i } };
    if (e.prevHash !== prev) return { ...v, ok: false, failure: { kind: 'chain', index: i } };
    if (hex(await sha256(enc.encode(entryPreimage(e)))) !== e.hash) return { ...v, ok: false, failure: { kind: 'hash', index: i } };
    prev = e.hash;
  }
  if (entries.length < cp.treeSize) return { ...v, ok: false, failure: { kind: 'missing' } };
  const root = await merkleRoot(entries.slice(0, cp.treeSize).map((e) => fromHex(e.hash)));
  if (hex(root) !== cp.rootHash) return { ...v, ok: false, failure: { kind: 'root' } };
  return { ...v, ok: true, failure: null };
}
