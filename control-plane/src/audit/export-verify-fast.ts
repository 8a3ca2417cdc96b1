/**
 * The fast path of export verification (see export-verify-scan.ts): the chain-hash preimage of a line
 * written by `exportLine`, built from its bytes without a JSON parse. It accepts a line only when every
 * value is in the form `JSON.stringify` / `canonicalJson` gives it (ASCII scalars without escapes,
 * canonical details), so the bytes it hashes are exactly `entryPreimage` of the parsed line; anything
 * else returns null and goes to the slow path. Also `shapeProblem`, the slow path's field check.
 */
import { hash } from 'node:crypto';
import { canonicalJson, ENTRY_FIELDS } from './hash.ts';

const enc = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const K_SEQ = enc('{"seq":');
/** Scalar fields after seq, in preimage order; true when the value may be null. */
const SCALARS: [Uint8Array, boolean][] = [
  [enc(',"time":'), false],
  [enc(',"actor":'), false],
  [enc(',"role":'), false],
  [enc(',"action":'), false],
  [enc(',"object":'), false],
  [enc(',"projectId":'), true],
  [enc(',"outcome":'), false],
  [enc(',"reason":'), true],
  [enc(',"requestId":'), true],
  [enc(',"clientAddress":'), true],
];
const SCALAR_KEYS = SCALARS.map(([k]) => k);
const NULLABLE_FIELD = SCALARS.map(([, n]) => n);
const K_DETAILS = enc(',"details":');
export const K_PREV = enc(',"prevHash":"');
const K_HASH = enc('","hash":"');
/** `,"prevHash":"` 64 hex `","hash":"` 64 hex `"}` */
export const TAIL_LEN = K_PREV.length + 64 + K_HASH.length + 64 + 2;
const PRE_HEAD = enc('["ae1",');
export const HEX = enc('0123456789abcdef');
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX[i] as number] = i;

/** 0 for bytes a canonical ASCII string holds as they are; 1 for the closing quote, backslash, controls, non-ASCII. */
const BYTE_CLASS = new Uint8Array(256).fill(1);
for (let b = 0x20; b <= 0x7e; b++) BYTE_CLASS[b] = b === 34 || b === 92 ? 1 : 0;

/** Longer lines (large details) take the slow path. */
const MAX_FAST_LINE = 1 << 15;

export class FastLineHasher {
  /** The preimage under construction; starts with `["ae1",`. */
  private readonly scratch = Buffer.alloc(MAX_FAST_LINE + 64);
  /** scratch.subarray(0, n) by n, so hashing a preimage allocates no view. */
  private readonly views: Buffer[] = [];
  /** The seq of the line last hashed. */
  seq = 0;

  constructor() {
    this.scratch.set(PRE_HEAD, 0);
  }

  /**
   * The chain hash of a canonical line (a 32-char binary string), computed on its bytes, or null
   * when the line is not in canonical form. Sets `seq`. The hash hex (and, given `prevHex`, the
   * prevHash hex) are not checked here: the caller compares them with the computed hash and `prevHex`.
   */
  hash(buf: Buffer, s: number, e: number, prevHex: Uint8Array | null): string | null {
    const len = e - s;
    if (len < TAIL_LEN + 40 || len > MAX_FAST_LINE) return null;
    const out = this.scratch;
    let p = s;
    for (let k = 0; k < 7; k++) if (buf[p + k] !== K_SEQ[k]) return null;
    p += 7;
    let j = 7; // out starts with PRE_HEAD
    // seq: 1 to 15 digits, no leading zero.
    let seq = 0;
    let b = buf[p] as number;
    if (b === 48 && buf[p + 1] !== 44) return null;
    while (b >= 48 && b <= 57) {
      seq = seq * 10 + (b - 48);
      out[j++] = b;
      b = buf[++p] as number;
    }
    if (j === 7 || j > 22) return null;
    this.seq = seq;
    const tail = e - TAIL_LEN;
    for (let f = 0; f < SCALAR_KEYS.length; f++) {
      const key = SCALAR_KEYS[f] as Uint8Array;
      const kl = key.length;
      for (let k = 0; k < kl; k++) if (buf[p + k] !== key[k]) return null;
      p += kl;
      out[j++] = 44; // ,
      b = buf[p] as number;
      if (b === 110) {
        if (!NULLABLE_FIELD[f] || buf[p + 1] !== 117 || buf[p + 2] !== 108 || buf[p + 3] !== 108) return null;
        out[j] = 110;
        out[j + 1] = 117;
        out[j + 2] = 108;
        out[j + 3] = 108;
        j += 4;
        p += 4;
        continue;
      }
      if (b !== 34) return null;
      out[j++] = 34;
      // A string of printable ASCII without escapes: exactly what JSON.stringify writes for it.
      // The tail is fixed-length, so a string running into it is caught by the key checks after it.
      for (;;) {
        b = buf[++p] as number;
        out[j++] = b;
        if (BYTE_CLASS[b] !== 0) {
          if (b === 34) break;
          return null;
        }
      }
      p++;
      if (p >= tail) return null;
    }
    for (let k = 0; k < K_DETAILS.length; k++) if (buf[p + k] !== K_DETAILS[k]) return null;
    p += K_DETAILS.length;
    out[j++] = 44;
    // details: between here and the fixed-length tail; must be canonicalJson of an object.
    if (tail - p === 2) {
      if (buf[p] !== 123 || buf[p + 1] !== 125) return null;
      out[j] = 123;
      out[j + 1] = 125;
      j += 2;
    } else {
      if (buf[p] !== 123 || tail - p < 2) return null;
      const text = buf.toString('utf8', p, tail);
      let d: unknown;
      try {
        d = JSON.parse(text);
      } catch {
        return null;
      }
      if (d === null || typeof d !== 'object' || Array.isArray(d) || canonicalJson(d) !== text) return null;
      // The bytes must be the text's UTF-8: invalid UTF-8 decodes to U+FFFD, which the slow path hashes.
      const n = out.write(text, j, 'utf8');
      if (n !== tail - p || out.compare(buf, p, tail, j, j + n) !== 0) return null;
      j += n;
    }
    // ,"prevHash":"<64 hex>","hash":"<64 hex>"}
    p = tail;
    for (let k = 0; k < K_PREV.length; k++) if (buf[p + k] !== K_PREV[k]) return null;
    p += K_PREV.length;
    out[j] = 44;
    out[j + 1] = 34;
    j += 2;
    if (prevHex)
      out.set(prevHex, j); // the caller checks that the line carries the same
    else for (let k = 0; k < 64; k++) if (HEX_VALUE[(out[j + k] = buf[p + k] as number)] === -1) return null;
    j += 64;
    out[j] = 34;
    out[j + 1] = 93; // ]
    j += 2;
    p += 64;
    for (let k = 0; k < K_HASH.length; k++) if (buf[p + k] !== K_HASH[k]) return null;
    if (buf[e - 2] !== 34 || buf[e - 1] !== 125) return null;
    let view = this.views[j];
    if (view === undefined) view = this.views[j] = out.subarray(0, j);
    return hash('sha256', view, 'binary');
  }
}

const FIELDS = ENTRY_FIELDS;
const NULLABLE = new Set(['projectId', 'reason', 'requestId', 'clientAddress']);

/** Why a parsed line is not an export entry, or null. */
export function shapeProblem(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec);
  for (const k of keys) if (!(FIELDS as readonly string[]).includes(k)) return `unknown field '${k}'`;
  for (const f of FIELDS) {
    if (!(f in rec)) return `missing field '${f}'`;
    const x = rec[f];
    if (f === 'seq') {
      if (!Number.isSafeInteger(x) || (x as number) < 0) return 'seq must be a non-negative integer';
    } else if (f === 'details') {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) return 'details must be an object';
    } else if (f === 'prevHash' || f === 'hash') {
      if (typeof x !== 'string' || !/^[0-9a-f]{64}$/.test(x)) return `${f} must be 64 lowercase hex characters`;
    } else if (!(typeof x === 'string' || (x === null && NULLABLE.has(f)))) {
      return `${f} must be a string${NULLABLE.has(f) ? ' or null' : ''}`;
    }
  }
  return null;
}
