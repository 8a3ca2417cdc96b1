/**
 * The hot loop of offline export verification: checks the lines of one byte range of a JSON Lines
 * export (see `exportLine` in export-verify.ts) and builds the Merkle compact range of their leaves.
 * Runs in a worker per core, or in-process for small files.
 *
 * Each line is checked in this order, and the range stops at its first failure:
 *   malformed (not a JSON object with exactly the export's fields and types),
 *   seq (not the previous seq + 1), link (prevHash is not the previous hash), hash (not entryHash of the fields).
 * The first line of a range is checked for seq and link by the caller, which knows the range before.
 *
 * Speed: a line written by `exportLine` (canonical layout, ASCII scalars without escapes) is checked
 * on its bytes: the hash preimage is the line with its keys dropped, copied into a scratch buffer and
 * hashed, with no JSON parse and few allocations. Any other line takes the slow path (JSON.parse and
 * `entryHash`), which alone decides failures. The fast path accepts exactly when the slow path would:
 * it requires every value to be in the form `JSON.stringify` / `canonicalJson` gives it, so the bytes
 * it hashes are the canonical preimage.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { hash } from 'node:crypto';
import { canonicalJson, entryHash, GENESIS_HASH } from './hash.ts';

export type LineFailureKind = 'malformed' | 'seq' | 'link' | 'hash';

export interface CompactNode {
  level: number;
  index: number;
  /** 64 hex characters. */
  hash: string;
}

export interface RangeResult {
  /** Lines that passed every check (all of them when `failure` is null). */
  count: number;
  /** The first line's seq and prevHash, for the caller's seq and link check; null if it is malformed. */
  first: { seq: number; prevHash: string } | null;
  /** The last line that passed. */
  last: { seq: number; hash: string } | null;
  failure: { local: number; seq: number | null; kind: LineFailureKind; message: string } | null;
  /** Compact range over the leaves (leaf index = seq) of passing lines with leaf index < treeSize. */
  nodes: CompactNode[];
  /** Lines that took the slow path (not in `exportLine` form, or with escapes or non-ASCII text). */
  slowLines: number;
}

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
const K_PREV = enc(',"prevHash":"');
const K_HASH = enc('","hash":"');
/** `,"prevHash":"` 64 hex `","hash":"` 64 hex `"}` */
const TAIL_LEN = K_PREV.length + 64 + K_HASH.length + 64 + 2;
const PRE_HEAD = enc('["ae1",');
const HEX = enc('0123456789abcdef');
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX[i] as number] = i;

/** 0 for bytes a canonical ASCII string holds as they are; 1 for the closing quote, backslash, controls, non-ASCII. */
const BYTE_CLASS = new Uint8Array(256).fill(1);
for (let b = 0x20; b <= 0x7e; b++) BYTE_CLASS[b] = b === 34 || b === 92 ? 1 : 0;

const CHUNK = 8 << 20;
const STACK_AT = 128;
/** Longer lines (large details) take the slow path. */
const MAX_FAST_LINE = 1 << 15;

export function scanRange(path: string, start: number, end: number, treeSize: number): RangeResult {
  return new RangeScanner(treeSize).run(path, start, end);
}

class RangeScanner {
  private readonly treeSize: number;
  /** The preimage under construction; starts with `["ae1",`. */
  private readonly scratch = Buffer.alloc(MAX_FAST_LINE + 64);
  /** scratch.subarray(0, n) by n, so hashing a preimage allocates no view. */
  private readonly views: Buffer[] = [];
  private readonly leaf = Buffer.alloc(33);
  /**
   * One buffer for the node preimage (bytes 0..64: 0x01 || left || right) and the compact range's
   * hashes (from byte STACK_AT, 32 each), so a merge is one copyWithin and allocates nothing.
   */
  private readonly mem = Buffer.alloc(STACK_AT + 128 * 32);
  private readonly node = this.mem.subarray(0, 65);
  /** The compact range: levels, indices, and 32-byte hashes side by side so a merge reads 64 contiguous bytes. */
  private readonly stLevel = new Int32Array(128);
  private readonly stIndex = new Float64Array(128);
  private depth = 0;
  private readonly prevHex = new Uint8Array(64);
  private prevSeq = 0;
  private count = 0;
  private slowLines = 0;
  private first: RangeResult['first'] = null;
  private failure: RangeResult['failure'] = null;
  // Set by checkLine for the line just checked.
  private seq = 0;

  constructor(treeSize: number) {
    this.treeSize = treeSize;
    this.node[0] = 1;
    this.scratch.set(PRE_HEAD, 0);
  }

  run(path: string, start: number, end: number): RangeResult {
    const fd = openSync(path, 'r');
    try {
      let buf = Buffer.allocUnsafe(CHUNK);
      let filled = 0;
      let filePos = start;
      let bufStart = start; // file offset of buf[0]
      let pos = 0;
      let eof = false;
      if (start > 0) {
        // This range's first line starts after the first newline at or after start - 1.
        const one = Buffer.alloc(1);
        readSync(fd, one, 0, 1, start - 1);
        if (one[0] !== 10) {
          for (;;) {
            const n = readSync(fd, buf, 0, CHUNK, filePos);
            if (n === 0) return this.result();
            const nl = buf.subarray(0, n).indexOf(10);
            if (nl >= 0) {
              filePos += nl + 1;
              break;
            }
            filePos += n;
          }
          bufStart = filePos;
        }
      }
      for (;;) {
        // Lines that START before `end` belong to this range.
        if (bufStart + pos >= end) break;
        let nl = pos < filled ? buf.indexOf(10, pos) : -1;
        if (nl < 0 || nl >= filled) {
          if (!eof) {
            buf.copy(buf, 0, pos, filled);
            filled -= pos;
            bufStart += pos;
            pos = 0;
            if (filled === buf.length) {
              const bigger = Buffer.allocUnsafe(buf.length * 2);
              buf.copy(bigger, 0, 0, filled);
              buf = bigger;
            }
            const n = readSync(fd, buf, filled, buf.length - filled, bufStart + filled);
            if (n === 0) eof = true;
            filled += n;
            continue;
          }
          if (pos >= filled) break;
          nl = filled; // last line without a newline
        }
        if (!this.checkLine(buf, pos, nl)) return this.result();
        pos = nl + 1;
      }
      return this.result();
    } finally {
      closeSync(fd);
    }
  }

  private result(): RangeResult {
    const nodes: CompactNode[] = [];
    for (let d = 0; d < this.depth; d++) {
      nodes.push({
        level: this.stLevel[d] as number,
        index: this.stIndex[d] as number,
        hash: this.mem.toString('hex', STACK_AT + d * 32, STACK_AT + d * 32 + 32),
      });
    }
    const last = this.count > 0 ? { seq: this.prevSeq, hash: Buffer.from(this.prevHex).toString('latin1') } : null;
    return { count: this.count, first: this.first, last, failure: this.failure, nodes, slowLines: this.slowLines };
  }

  private fail(seq: number | null, kind: LineFailureKind, message: string): false {
    this.failure = { local: this.count, seq, kind, message };
    return false;
  }

  /**
   * Checks the line buf[s, e); on success records it as the previous line and pushes its leaf.
   * Any failure is left to the slow path, so that one place decides what failed, in check order.
   */
  private checkLine(buf: Buffer, s: number, e: number): boolean {
    const fast = this.fastHash(buf, s, e);
    if (fast === null) return this.slowLine(buf.toString('utf8', s, e));
    const seq = this.seq;
    const prevAt = e - TAIL_LEN + K_PREV.length;
    const hAt = e - 66;
    let same = true;
    for (let k = 0; k < 32; k++) {
      const c = fast.charCodeAt(k);
      this.leaf[k + 1] = c;
      if (HEX[c >> 4] !== buf[hAt + 2 * k] || HEX[c & 15] !== buf[hAt + 2 * k + 1]) same = false;
    }
    if (this.count === 0) {
      if (!same) return this.slowLine(buf.toString('utf8', s, e));
      this.first = { seq, prevHash: buf.toString('latin1', prevAt, prevAt + 64) };
    } else {
      // fastHash hashed the previous line's hash as prevHash; the line must carry the same.
      if (!same || seq !== this.prevSeq + 1) return this.slowLine(buf.toString('utf8', s, e));
      for (let k = 0; k < 64; k++) if (buf[prevAt + k] !== this.prevHex[k]) return this.slowLine(buf.toString('utf8', s, e));
    }
    for (let k = 0; k < 64; k++) this.prevHex[k] = buf[hAt + k] as number;
    this.accept(seq);
    return true;
  }

  /** Slow path: JSON.parse and `entryHash`; decides every failure. */
  private slowLine(text: string): boolean {
    this.slowLines++;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return this.fail(null, 'malformed', 'not valid JSON');
    }
    const problem = shapeProblem(v);
    const rec = v as Record<string, unknown>;
    const seq = typeof rec?.seq === 'number' ? rec.seq : null;
    if (problem) return this.fail(seq, 'malformed', problem);
    const entry = v as { seq: number; prevHash: string; hash: string } & Parameters<typeof entryHash>[0];
    if (this.count === 0) this.first = { seq: entry.seq, prevHash: entry.prevHash };
    else if (entry.seq !== this.prevSeq + 1) return this.fail(entry.seq, 'seq', `seq is ${entry.seq}, expected ${this.prevSeq + 1}`);
    else if (entry.prevHash !== Buffer.from(this.prevHex).toString('latin1')) return this.fail(entry.seq, 'link', LINK_MESSAGE);
    if (entryHash(entry) !== entry.hash) return this.fail(entry.seq, 'hash', HASH_MESSAGE);
    for (let k = 0; k < 32; k++) this.leaf[k + 1] = parseInt(entry.hash.slice(2 * k, 2 * k + 2), 16);
    for (let k = 0; k < 64; k++) this.prevHex[k] = entry.hash.charCodeAt(k);
    this.accept(entry.seq);
    return true;
  }

  /** Records a passing line; `this.leaf[1..32]` holds its chain hash. */
  private accept(seq: number): void {
    this.prevSeq = seq;
    this.count++;
    if (seq >= this.treeSize) return;
    this.leaf[0] = 0;
    this.pushLeaf(seq, hash('sha256', this.leaf, 'binary'));
  }

  private pushLeaf(index: number, leafStr: string): void {
    const st = this.mem;
    let d = this.depth;
    let o = STACK_AT + d * 32;
    for (let k = 0; k < 32; k++) st[o + k] = leafStr.charCodeAt(k);
    let level = 0;
    let idx = index;
    while (idx % 2 === 1 && d > 0 && this.stLevel[d - 1] === level && this.stIndex[d - 1] === idx - 1) {
      st.copyWithin(1, o - 32, o + 32);
      const h = hash('sha256', this.node, 'binary');
      d--;
      o -= 32;
      for (let k = 0; k < 32; k++) st[o + k] = h.charCodeAt(k);
      level++;
      idx = (idx - 1) / 2;
    }
    this.stLevel[d] = level;
    this.stIndex[d] = idx;
    this.depth = d + 1;
  }

  /**
   * The chain hash of a canonical line (a 32-char binary string), computed on its bytes, or null
   * when the line is not in canonical form. Sets `this.seq`. The hash and prevHash hex are not
   * checked here: the caller compares them with the computed hash and the previous line's hash.
   */
  private fastHash(buf: Buffer, s: number, e: number): string | null {
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
      j += buf.copy(out, j, p, tail);
    }
    // ,"prevHash":"<64 hex>","hash":"<64 hex>"}
    p = tail;
    for (let k = 0; k < K_PREV.length; k++) if (buf[p + k] !== K_PREV[k]) return null;
    p += K_PREV.length;
    out[j] = 44;
    out[j + 1] = 34;
    j += 2;
    if (this.count > 0) out.set(this.prevHex, j); // equal to the line's prevHash, or the caller fails the link
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

const LINK_MESSAGE = 'prevHash is not the hash of the entry before';
const HASH_MESSAGE = "hash does not match the entry's fields";

const FIELDS = [
  'seq',
  'time',
  'actor',
  'role',
  'action',
  'object',
  'projectId',
  'outcome',
  'reason',
  'requestId',
  'clientAddress',
  'details',
  'prevHash',
  'hash',
] as const;
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

export { GENESIS_HASH };
