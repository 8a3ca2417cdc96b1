/**
 * Project-specific pseudonyms.
 *
 * Every project has its own random 256-bit pseudonym key, held by the platform (never in a room)
 * and deleted when the project closes. A person's pseudonym in a project is a keyed pseudo-random
 * function of their identity number under that key, so it is
 * - the same in every copy version of that project (same key, same input),
 * - unrelated across projects (independent keys),
 * - not reversible without the key (a PRF output reveals nothing about its input), and not even
 *   decryptable with it (only 64 of the output bits are kept).
 *
 * Two schemes compute the same kind of value (a signed 64-bit integer, like the "løpenummer"
 * Norwegian registers deliver):
 * - `aes-256-prf` (default): the first 8 bytes of AES-256(Kₐ, domain ‖ id), Kₐ = HMAC-SHA-256(K, "analyserom/pseudonym/aes-256/v1").
 *   AES is a pseudo-random permutation; truncated it is a PRF (deterministic encryption is one of the
 *   keyed pseudonymisation techniques ENISA lists, alongside MACs). Computed per row inside the
 *   extract query in batches of 2048 through Node's AES-NI, it costs almost nothing.
 * - `hmac-sha256`: the first 8 bytes of HMAC-SHA-256(K, domain ‖ ":" ‖ id). Computed once per distinct
 *   person in Node and joined in; slower (see bench/extract), kept for deployments that require a MAC.
 *
 * `domain` is `person` when the permit allows linkage (one pseudonym across the project's registers)
 * and the dataset name when it does not (a person's rows cannot be joined across registers).
 */
import { createCipheriv, createHmac, randomBytes, type Cipheriv } from 'node:crypto';
import { endianness } from 'node:os';
import { z } from 'zod';
import { HmacSha256 } from './hmac-sha256.ts';

export const PseudonymSchemeSchema = z.enum(['aes-256-prf', 'hmac-sha256']);
export type PseudonymScheme = z.infer<typeof PseudonymSchemeSchema>;

/** A fresh project pseudonym key (32 random bytes). The caller stores it under platform keys. */
export function newPseudonymKey(): Buffer {
  return randomBytes(32);
}

/** A short non-secret fingerprint of a key, for manifests and proofs of deletion. */
export function keyFingerprint(key: Uint8Array): string {
  return createHmac('sha256', key).update('analyserom/pseudonym/fingerprint/v1').digest('hex').slice(0, 16);
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32) throw new RangeError('pseudonym key must be 32 bytes');
}

/** The 8-byte domain tag that starts each AES block: the domain's HMAC under the key, so tags are secret too. */
function domainTag(key: Uint8Array, domain: string): Buffer {
  return createHmac('sha256', key).update(`analyserom/pseudonym/domain/${domain}`).digest().subarray(0, 8);
}

const LITTLE_ENDIAN = endianness() === 'LE';

function checkId(id: number): void {
  if (!(id >= 0 && id <= Number.MAX_SAFE_INTEGER && Math.floor(id) === id)) {
    throw new RangeError(Number.isNaN(id) ? 'person id missing' : `person id ${id} is not a non-negative integer`);
  }
}

/** Batch AES-256 PRF over numeric person ids (11-digit identity numbers as numbers). */
export class AesPseudonymiser {
  readonly #cipher: Cipheriv;
  readonly #tag: Buffer;
  /** The tag's bytes reversed, as two little-endian words: what `swap64` turns into the tag. */
  readonly #tagSwapped: [number, number];
  #buf = Buffer.alloc(0);

  constructor(key: Uint8Array, domain: string) {
    checkKey(key);
    const aesKey = createHmac('sha256', key).update('analyserom/pseudonym/aes-256/v1').digest();
    // ECB over independent 16-byte blocks is exactly "apply the block cipher to each input":
    // no chaining state is carried between blocks or calls.
    this.#cipher = createCipheriv('aes-256-ecb', aesKey, null);
    this.#cipher.setAutoPadding(false);
    this.#tag = domainTag(key, domain);
    const reversed = Buffer.from(this.#tag).reverse();
    this.#tagSwapped = [reversed.readUInt32LE(0), reversed.readUInt32LE(4)];
  }

  /**
   * Pseudonyms of `ids[0..n)` (integers below 2^53): block i of the returned buffer starts with
   * the 8-byte big-endian pseudonym of ids[i]. The buffer is fresh; the input block buffer is reused.
   */
  encrypt(ids: Float64Array, n: number): Buffer {
    if (this.#buf.length < n * 16) this.#buf = Buffer.from(new ArrayBuffer(Math.max(n, 2048) * 16));
    const buf = this.#buf.subarray(0, n * 16);
    if (LITTLE_ENDIAN) {
      // Block i is tag ‖ id as a big-endian double: write the reversed tag and the id in native
      // (little-endian) order, then reverse every 8 bytes at once.
      const words = new Uint32Array(buf.buffer, buf.byteOffset, n * 4);
      const doubles = new Float64Array(buf.buffer, buf.byteOffset, n * 2);
      const [t0, t1] = this.#tagSwapped;
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        checkId(id);
        words[4 * i] = t0;
        words[4 * i + 1] = t1;
        doubles[2 * i + 1] = id;
      }
      buf.swap64();
    } else {
      for (let i = 0; i < n; i++) {
        const id = ids[i]!;
        checkId(id);
        this.#tag.copy(buf, i * 16);
        buf.writeDoubleBE(id, i * 16 + 8);
      }
    }
    return this.#cipher.update(buf);
  }

  /**
   * Pseudonyms of `ids[0..n)` as 32-bit word pairs in the layout of a little-endian BIGINT column:
   * `out[2i]` is the low word and `out[2i + 1]` the high word of ids[i]'s pseudonym.
   */
  words(ids: Float64Array, n: number, out: Uint32Array): void {
    const enc = this.encrypt(ids, n);
    if (LITTLE_ENDIAN && enc.byteOffset % 4 === 0) {
      enc.swap64();
      const e = new Uint32Array(enc.buffer, enc.byteOffset, n * 4);
      for (let i = 0; i < n; i++) {
        out[2 * i] = e[4 * i]!;
        out[2 * i + 1] = e[4 * i + 1]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        out[2 * i] = enc.readUInt32BE(i * 16 + 4);
        out[2 * i + 1] = enc.readUInt32BE(i * 16);
      }
    }
  }

  /** One person's pseudonym (for tests and citizen look-ups done by the platform). */
  one(id: number): bigint {
    return this.encrypt(Float64Array.of(id), 1).readBigInt64BE(0);
  }
}

/** HMAC-SHA-256 pseudonyms over 11-digit identity numbers given as numbers. */
export class HmacPseudonymiser {
  readonly #mac: HmacSha256;
  readonly #prefix: string;

  constructor(key: Uint8Array, domain: string) {
    checkKey(key);
    this.#mac = new HmacSha256(key);
    this.#prefix = `${domain}:`;
  }

  /** The first 8 bytes of the MAC as [high word (signed), low word (unsigned)]. */
  words(id: number): [number, number] {
    const s = this.#mac.words(this.#prefix + String(id).padStart(11, '0'));
    return [s[0]!, s[1]! >>> 0];
  }

  one(id: number): bigint {
    const [hi, lo] = this.words(id);
    return (BigInt(hi) << 32n) + BigInt(lo);
  }
}

/** The pseudonym of the person with identity number `fnr` under `key` (reference implementation). */
export function pseudonymOf(key: Uint8Array, fnr: string, opts: { scheme?: PseudonymScheme; domain?: string } = {}): bigint {
  const id = Number(fnr);
  const domain = opts.domain ?? 'person';
  return (opts.scheme ?? 'aes-256-prf') === 'aes-256-prf' ? new AesPseudonymiser(key, domain).one(id) : new HmacPseudonymiser(key, domain).one(id);
}
