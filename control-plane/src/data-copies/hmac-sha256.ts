/**
 * HMAC-SHA-256 for many short messages under one key, in plain JavaScript.
 *
 * Why not `node:crypto`: the `hmac-sha256` pseudonym scheme MACs every distinct person of an extract
 * (877,289 in bench/extract), and there each call's object set-up and crossing into C++ dominate.
 * HMAC's key blocks (key ⊕ ipad, key ⊕ opad) are the same for every message, so their SHA-256
 * midstates are computed once here; each message then costs exactly two compressions (inner block,
 * outer block). Measured (2026-12-03, Node 24.21, 2 shared cores under load 12-15, so absolute
 * figures are inflated; the ratios held in every round):
 * - per message: this 3.7-4.0 µs; `crypto.hash` of prebuilt ipad‖m then opad‖inner 9.2-13.6 µs;
 *   `createHash` midstates reused with `Hash.copy()` 15-24 µs; `createHmac` per message 46-60 µs;
 * - the whole hmac-sha256 extract of bench/extract's register, alternating runs: this 12.7-23.9 s,
 *   `crypto.hash` 25.0-39.9 s, `createHmac` 153 s (bench/extract, unloaded: hmac_s 3.41).
 * Node offers no HMAC midstate copy, so node:crypto stays 1.4-2.6 times slower here, well beyond
 * the 10-20% that would justify dropping this file.
 *
 * The result is bit-for-bit HMAC-SHA-256 (RFC 2104): `hmac-sha256.property.test.ts` holds it to
 * `crypto.createHmac` on random keys and messages. The fast path takes ASCII messages of at most
 * 55 bytes (one SHA-256 block with padding), which covers `person:` and 11 digits; any other
 * message (a long dataset name as the domain, non-ASCII text) goes to `createHmac`.
 */
import { createHash, createHmac } from 'node:crypto';

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Compresses the 16 words in `w[0..15]` into `state` (8 words); `w` must have room for 64. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!;
    const y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!;
  let e = state[4]!,
    f = state[5]!,
    g = state[6]!,
    h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

function midstate(block: Uint8Array): Int32Array {
  const state = IV.slice();
  const w = new Int32Array(64);
  for (let i = 0; i < 16; i++) {
    w[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!;
  }
  compress(state, w);
  return state;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function wordHex(x: number): string {
  return HEX[(x >>> 24) & 255]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
}

/** HMAC-SHA-256 under one fixed key; fastest for short ASCII messages. */
export class HmacSha256 {
  readonly #key: Uint8Array;
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;
  readonly #w = new Int32Array(64);
  readonly #s = new Int32Array(8);

  constructor(key: Uint8Array) {
    this.#key = Uint8Array.from(key);
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? createHash('sha256').update(key).digest() : key);
    const ipad = k.map((b) => b ^ 0x36);
    const opad = k.map((b) => b ^ 0x5c);
    this.#inner = midstate(ipad);
    this.#outer = midstate(opad);
  }

  /** The full 32-byte MAC as 8 big-endian words (the returned array is reused by the next call). */
  words(message: string): Int32Array {
    const n = message.length;
    if (n > 55) return this.#slow(message);
    const w = this.#w;
    w.fill(0, 0, 16);
    for (let i = 0; i < n; i++) {
      const c = message.charCodeAt(i);
      if (c > 127) return this.#slow(message);
      w[i >> 2]! |= c << (24 - 8 * (i & 3));
    }
    return this.#finish(n);
  }

  /** A message the two-compression path does not take (longer than a block, or not ASCII: hashed as UTF-8). */
  #slow(message: string): Int32Array {
    const mac = createHmac('sha256', this.#key).update(message, 'utf8').digest();
    for (let i = 0; i < 8; i++) this.#s[i] = mac.readInt32BE(4 * i);
    return this.#s;
  }

  #finish(n: number): Int32Array {
    const w = this.#w;
    w[n >> 2]! |= 0x80 << (24 - 8 * (n & 3));
    w[15] = (64 + n) * 8;
    const s = this.#s;
    s.set(this.#inner);
    compress(s, w);
    for (let i = 0; i < 8; i++) w[i] = s[i]!;
    w[8] = 0x80000000;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (64 + 32) * 8;
    s.set(this.#outer);
    compress(s, w);
    return s;
  }

  /** The first `hexChars` (multiple of 8, at most 64) lowercase hex characters of the MAC. */
  hex(message: string, hexChars = 64): string {
    const s = this.words(message);
    let out = '';
    for (let i = 0; i < hexChars / 8; i++) out += wordHex(s[i]!);
    return out;
  }
}
