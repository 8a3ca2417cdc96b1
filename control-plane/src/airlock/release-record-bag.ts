/**
 * The release record's BagIt bag (RFC 8500), one top-level directory named after the export:
 *
 *   <exportId>/bagit.txt                 BagIt-Version 1.0, UTF-8
 *   <exportId>/bag-info.txt              Bagging-Date (the decision's date), External-Identifier, Payload-Oxum
 *   <exportId>/manifest-sha512.txt       sha-512 of every payload file, `data/...` in byte order
 *   <exportId>/tagmanifest-sha512.txt    sha-512 of bagit.txt, bag-info.txt and manifest-sha512.txt
 *   <exportId>/data/...                  the payload: the RO-Crate metadata, results.json, the released files
 *   <exportId>/audit-record.json         the audit entry naming the digest, its inclusion proof, the checkpoint
 *
 * The record's DIGEST is the sha-512 of `tagmanifest-sha512.txt`: it lists the hash of the payload
 * manifest, which lists the hash of every payload byte, so the digest commits to the whole bag but
 * the audit record. The audit record cannot be inside what it vouches for; it is a tag file outside
 * the tag manifest (RFC 8500 2.2.1 makes listing tag files a SHOULD), and the verifier refuses any
 * other file that no manifest lists.
 */
import { createHash } from 'node:crypto';
import { isSafeEntryName, type TarEntry } from './release-record-tar.ts';

export const AUDIT_RECORD_FILE = 'audit-record.json';
/** The audit action of the entry that names a record's digest. */
export const RECORD_ACTION = 'export.record';
const BAGIT_TXT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';

export interface BagInput {
  exportId: string;
  /** Payload files by their path below `data/`. */
  payload: ReadonlyMap<string, Buffer>;
  /** `YYYY-MM-DD`. */
  baggingDate: string;
  description: string;
}

export interface Bag {
  /** The bag's files, top-level directory first in each name, in archive order (without the audit record). */
  entries: TarEntry[];
  /** sha-512 (hex) of the tag manifest. */
  digest: string;
}

const sha512 = (b: Buffer | string) => createHash('sha512').update(b).digest('hex');

function manifest(files: ReadonlyArray<readonly [string, Buffer]>): string {
  return files.map(([name, bytes]) => `${sha512(bytes)}  ${name}\n`).join('');
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function buildBag(input: BagInput): Bag {
  const payload = [...input.payload.entries()].map(([rel, bytes]) => [`data/${rel}`, bytes] as const).sort((a, b) => byteOrder(a[0], b[0]));
  const octets = payload.reduce((n, [, b]) => n + b.length, 0);
  const info = [
    `Bagging-Date: ${input.baggingDate}`,
    `External-Identifier: ${input.exportId}`,
    `External-Description: ${input.description.replace(/[\r\n]+/g, ' ').slice(0, 500)}`,
    `Payload-Oxum: ${octets}.${payload.length}`,
    'Bag-Software-Agent: Analyserom airlock',
    '',
  ].join('\n');
  const tags = [
    ['bagit.txt', Buffer.from(BAGIT_TXT)],
    ['bag-info.txt', Buffer.from(info)],
    ['manifest-sha512.txt', Buffer.from(manifest(payload))],
  ] as const;
  const tagManifest = Buffer.from(manifest(tags));
  const root = input.exportId;
  const entries: TarEntry[] = [...tags, ['tagmanifest-sha512.txt', tagManifest] as const, ...payload].map(([name, bytes]) => ({
    name: `${root}/${name}`,
    bytes,
  }));
  for (const e of entries) if (!isSafeEntryName(e.name)) throw new RangeError(`unsafe bag path: ${e.name}`);
  return { entries, digest: sha512(tagManifest) };
}

export type BagCheck =
  | { ok: true; exportId: string; digest: string; payload: Map<string, Buffer>; auditRecord: Buffer }
  | { ok: false; check: 'bag-layout' | 'bag-manifest' | 'bag-tagmanifest'; message: string };

function parseManifest(text: string): Map<string, string> | string {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]{128}) {2}(\S+)$/.exec(line);
    if (!m) return `bad manifest line ${JSON.stringify(line.slice(0, 80))}`;
    if (out.has(m[2] as string)) return `${m[2]} is listed twice`;
    out.set(m[2] as string, m[1] as string);
  }
  return out;
}

/**
 * Checks a bag read from its archive: one top-level directory, the bag declaration, every payload
 * file in the manifest with its hash and nothing else, the tag manifest over the tag files, and no
 * file but the audit record outside the manifests. Returns the digest it recomputed.
 */
export function checkBag(files: ReadonlyMap<string, Buffer>): BagCheck {
  const names = [...files.keys()];
  const root = names[0]?.split('/')[0];
  if (!root || names.some((n) => n.split('/')[0] !== root)) return { ok: false, check: 'bag-layout', message: 'the archive is not one top-level directory' };
  const at = (rel: string) => files.get(`${root}/${rel}`);
  if (at('bagit.txt')?.toString() !== BAGIT_TXT) return { ok: false, check: 'bag-layout', message: 'bagit.txt is missing or not BagIt 1.0 in UTF-8' };
  const tagManifest = at('tagmanifest-sha512.txt');
  const payloadManifest = at('manifest-sha512.txt');
  const auditRecord = at(AUDIT_RECORD_FILE);
  if (!tagManifest || !payloadManifest) return { ok: false, check: 'bag-layout', message: 'a sha-512 manifest or tag manifest is missing' };
  if (!auditRecord) return { ok: false, check: 'bag-layout', message: `${AUDIT_RECORD_FILE} is missing` };
  const payloadHashes = parseManifest(payloadManifest.toString());
  if (typeof payloadHashes === 'string') return { ok: false, check: 'bag-manifest', message: payloadHashes };
  const tagHashes = parseManifest(tagManifest.toString());
  if (typeof tagHashes === 'string') return { ok: false, check: 'bag-tagmanifest', message: tagHashes };
  for (const tag of ['bagit.txt', 'bag-info.txt', 'manifest-sha512.txt']) {
    if (!tagHashes.has(tag)) return { ok: false, check: 'bag-tagmanifest', message: `the tag manifest does not list ${tag}` };
  }
  for (const [rel, hash] of tagHashes) {
    const bytes = at(rel);
    if (!bytes || rel.startsWith('data/'))
      return { ok: false, check: 'bag-tagmanifest', message: `the tag manifest lists ${rel}, which is not a tag file of the bag` };
    if (sha512(bytes) !== hash) return { ok: false, check: 'bag-tagmanifest', message: `${rel} does not match its sha-512 in the tag manifest` };
  }
  const payload = new Map<string, Buffer>();
  for (const [rel, hash] of payloadHashes) {
    const bytes = at(rel);
    if (!rel.startsWith('data/') || !bytes)
      return { ok: false, check: 'bag-manifest', message: `the manifest lists ${rel}, which is not in the bag's payload` };
    if (sha512(bytes) !== hash) return { ok: false, check: 'bag-manifest', message: `${rel} does not match its sha-512 in the manifest` };
    payload.set(rel.slice('data/'.length), bytes);
  }
  for (const name of names) {
    const rel = name.slice(root.length + 1);
    if (rel === AUDIT_RECORD_FILE || rel === 'tagmanifest-sha512.txt' || payloadHashes.has(rel) || tagHashes.has(rel)) continue;
    return { ok: false, check: rel.startsWith('data/') ? 'bag-manifest' : 'bag-tagmanifest', message: `${rel} is in the bag but in no manifest` };
  }
  return { ok: true, exportId: root, digest: sha512(tagManifest), payload, auditRecord };
}
