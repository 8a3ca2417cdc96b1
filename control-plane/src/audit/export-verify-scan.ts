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
 * it hashes are the canonical preimage. `export-verify.property.test.ts` holds both paths to that claim.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { hash } from 'node:crypto';
import { entryHash } from './hash.ts';
import { FastLineHasher, HEX, K_PREV, shapeProblem, TAIL_LEN } from './export-verify-fast.ts';

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

const CHUNK = 8 << 20;
const STACK_AT = 128;

export function scanRange(path: string, start: number, end: number, treeSize: number): RangeResult {
  return new RangeScanner(treeSize).run(path, start, end);
}

class RangeScanner {
  private readonly treeSize: number;
  private readonly fast = new FastLineHasher();
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

  constructor(treeSize: number) {
    this.treeSize = treeSize;
    this.node[0] = 1;
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
    const fast = this.fast.hash(buf, s, e, this.count > 0 ? this.prevHex : null);
    if (fast === null) return this.slowLine(buf.toString('utf8', s, e));
    const seq = this.fast.seq;
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
    const rec = v as Record<string, unknown>;
    const seq = typeof rec?.seq === 'number' ? rec.seq : null;
    const problem = shapeProblem(v) ?? escapedKeyProblem(v);
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
}

const LINK_MESSAGE = 'prevHash is not the hash of the entry before';

/**
 * Audit entries never have a key that JSON must escape (a quote, a backslash, a control character):
 * the platform's code names every key. A line with one is refused, not parsed on trust, because
 * Node 24's JSON.parse misreads such keys once it has seen a key of one backslash
 * (nodejs/node#63785): `{"\"":1}` then comes back as the key `\`, so a line could say one thing
 * and verify as another.
 */
function escapedKeyProblem(v: unknown, depth = 0): string | null {
  if (v === null || typeof v !== 'object' || depth > 64) return null;
  if (Array.isArray(v)) {
    for (const x of v) {
      const p = escapedKeyProblem(x, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, x] of Object.entries(v)) {
    if (/["\\\u0000-\u001f]/.test(k)) return 'a key with a character JSON must escape (audit entries have none)';
    const p = escapedKeyProblem(x, depth + 1);
    if (p) return p;
  }
  return null;
}
const HASH_MESSAGE = "hash does not match the entry's fields";
