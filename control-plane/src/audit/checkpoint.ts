/**
 * Signed checkpoints of the audit log's Merkle tree, in the C2SP `tlog-checkpoint` format carried
 * in a C2SP `signed-note`, signed with Ed25519 (node:crypto). The signed text is exactly the body:
 *
 *   <origin>\n                     e.g. `analyserom.example/audit`, names the log
 *   <tree size>\n                  decimal, no leading zeros
 *   <root hash>\n                  standard base64 of the 32-byte MTH (see merkle.ts)
 *   time <ISO-8601 UTC>\n          extension line: when the checkpoint was made, e.g. 2026-11-23T05:00:00.000Z
 *
 * followed by an empty line and one or more signature lines
 *
 *   — <key name> <base64(key id (4 bytes) || Ed25519 signature (64 bytes))>\n
 *
 * where key id = SHA-256(<key name> || "\n" || 0x01 || raw 32-byte public key)[0:4], as in signed-note,
 * so standard note tooling (e.g. golang.org/x/mod/sumdb/note) verifies it with the verifier key
 * `<key name>+<key id hex>+<base64(0x01 || public key)>`. A verifier needs only the public key: a
 * signature line counts when its key id matches that key under the line's own name.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface Checkpoint {
  origin: string;
  treeSize: number;
  /** 64 hex characters. */
  rootHash: string;
  /** ISO-8601 UTC with milliseconds. */
  time: string;
}

export type CheckpointFailure = 'malformed' | 'bad-signature';

export type CheckpointVerification = { ok: true; checkpoint: Checkpoint; keyName: string } | { ok: false; failure: CheckpointFailure; message: string };

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_ALG = 0x01;
const SIG_PREFIX = '\u2014 ';

/** The exact text a checkpoint's signature covers. */
export function checkpointBody(c: Checkpoint): string {
  if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(c.origin)) throw new RangeError('origin must be printable ASCII, one line');
  if (!Number.isSafeInteger(c.treeSize) || c.treeSize < 0) throw new RangeError('invalid tree size');
  if (!/^[0-9a-f]{64}$/.test(c.rootHash)) throw new RangeError('root hash must be 64 hex characters');
  if (new Date(c.time).toISOString() !== c.time) throw new RangeError('time must be ISO-8601 UTC with milliseconds');
  return `${c.origin}\n${c.treeSize}\n${Buffer.from(c.rootHash, 'hex').toString('base64')}\ntime ${c.time}\n`;
}

/** A signed note for the checkpoint. `keyName` defaults to the origin. */
export function signCheckpoint(c: Checkpoint, privateKey: KeyObject | string, keyName: string = c.origin): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== 'ed25519') throw new RangeError('checkpoint key must be Ed25519');
  if (!/^[^\s+]+$/.test(keyName)) throw new RangeError('key name must be non-empty, without spaces or +');
  const body = checkpointBody(c);
  const sig = sign(null, Buffer.from(body), key);
  const id = keyId(keyName, rawPublicKey(createPublicKey(key)));
  return `${body}\n${SIG_PREFIX}${keyName} ${Buffer.concat([id, sig]).toString('base64')}\n`;
}

/** Parses the note and checks that some signature line is by `publicKey` over the body. */
export function verifyCheckpoint(note: string, publicKey: KeyObject | string): CheckpointVerification {
  const key = typeof publicKey === 'string' ? parsePublicKey(publicKey) : publicKey;
  const raw = rawPublicKey(key);
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return malformed('no blank line between body and signatures');
  const body = note.slice(0, split + 1);
  const checkpoint = parseBody(body);
  if (typeof checkpoint === 'string') return malformed(checkpoint);
  const lines = note.slice(split + 2, -1).split('\n');
  for (const line of lines) {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (!m) return malformed(`bad signature line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = m[1] as string;
    const blob = Buffer.from(m[2] as string, 'base64');
    if (blob.length !== 4 + 64 || !blob.subarray(0, 4).equals(keyId(name, raw))) continue;
    if (verify(null, Buffer.from(body), key, blob.subarray(4))) return { ok: true, checkpoint, keyName: name };
    return { ok: false, failure: 'bad-signature', message: `the signature by '${name}' does not match the checkpoint` };
  }
  return { ok: false, failure: 'bad-signature', message: 'no signature by the given public key' };
}

/**
 * The checkpoint a note states, without verifying its signature: for comparing with what a file
 * claims beside the note. A string says why the note is malformed.
 */
export function parseCheckpointNote(note: string): Checkpoint | string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return 'no blank line between body and signatures';
  return parseBody(note.slice(0, split + 1));
}

function malformed(message: string): CheckpointVerification {
  return { ok: false, failure: 'malformed', message: `malformed checkpoint: ${message}` };
}

function parseBody(body: string): Checkpoint | string {
  const lines = body.slice(0, -1).split('\n');
  const [origin, size, root, ...ext] = lines;
  if (!origin || !/^[\x21-\x7e][\x20-\x7e]*$/.test(origin)) return 'bad origin line';
  if (!size || !/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) return 'bad tree size line';
  const rootBytes = root && /^[A-Za-z0-9+/]{43}=$/.test(root) ? Buffer.from(root, 'base64') : undefined;
  if (rootBytes?.length !== 32) return 'bad root hash line';
  const timeLine = ext.find((l) => l.startsWith('time '));
  const time = timeLine?.slice(5);
  if (!time || Number.isNaN(Date.parse(time)) || new Date(time).toISOString() !== time) return 'missing or bad time line';
  return { origin, treeSize: Number(size), rootHash: rootBytes.toString('hex'), time };
}

/** signed-note key id: SHA-256(name || "\n" || 0x01 || public key)[0:4]. */
function keyId(name: string, rawKey: Buffer): Buffer {
  return createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.from([ED25519_ALG]))
    .update(rawKey)
    .digest()
    .subarray(0, 4);
}

function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new RangeError('checkpoint key must be Ed25519');
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(ED25519_SPKI_PREFIX.length));
}

/**
 * An Ed25519 public key from any of the forms `tre audit public-key` prints: PEM (SPKI), standard
 * base64 of the raw 32 bytes or of the SPKI DER, or a signed-note verifier key `name+id+base64`.
 */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) return checkEd25519(createPublicKey(t));
  const vkey = /^[^\s+]+\+[0-9a-f]{8}\+([A-Za-z0-9+/]+={0,2})$/.exec(t);
  let bytes = Buffer.from(vkey ? (vkey[1] as string) : t, 'base64');
  if (vkey) {
    if (bytes[0] !== ED25519_ALG) throw new RangeError('verifier key is not Ed25519');
    bytes = bytes.subarray(1);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(vkey ? (vkey[1] as string) : t)) throw new RangeError('public key is not PEM or base64');
  if (bytes.length === 32) bytes = Buffer.concat([ED25519_SPKI_PREFIX, bytes]);
  return checkEd25519(createPublicKey({ key: bytes, format: 'der', type: 'spki' }));
}

function checkEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new RangeError('public key is not Ed25519');
  return key;
}

/** The forms of a public key for `tre audit public-key`; any of them is accepted by `parsePublicKey`. */
export function describePublicKey(key: KeyObject, keyName: string): { pem: string; base64: string; verifierKey: string } {
  const raw = rawPublicKey(key);
  return {
    pem: key.export({ format: 'pem', type: 'spki' }).toString(),
    base64: raw.toString('base64'),
    verifierKey: `${keyName}+${keyId(keyName, raw).toString('hex')}+${Buffer.concat([Buffer.from([ED25519_ALG]), raw]).toString('base64')}`,
  };
}

/** A fresh Ed25519 key pair as PEM (PKCS#8 private, SPKI public), e.g. for first start-up. */
export function generateCheckpointKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}
