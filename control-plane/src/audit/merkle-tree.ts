/**
 * Roots, inclusion proofs (RFC 6962 PATH) and consistency proofs (PROOF) over a log of millions of
 * entries, computed from a `MerkleSource` (the entries' chain hashes, e.g. the `audit_log.hash`
 * column) and an optional `SubtreeCache` of perfect-subtree hashes (e.g. `audit_merkle_subtrees`).
 *
 * Every hash a proof needs is the MTH of a range that splits into O(log n) PERFECT subtrees
 * (2^level leaves starting at index * 2^level). A perfect subtree never changes once its leaves
 * exist (the log is append-only), so it is cached for good. A proof then costs O(log n) cache reads;
 * a missing subtree is computed once from its leaves (fetched in one call for up to 2^16 leaves)
 * and every node at `cacheMinLevel` and above is written back.
 *
 * Contract for callers: `treeSize` must never exceed the number of COMMITTED entries, or a cached
 * subtree could be built from rows that later roll back.
 */
import { EMPTY_ROOT, leafHash, nodeHash, splitPoint } from './merkle.ts';

export interface MerkleSource {
  /** The chain hashes (32 bytes each) of leaves [from, to), in order; all must exist. */
  leafInputs(from: number, to: number): Promise<Uint8Array[]>;
}

export interface SubtreeKey {
  /** log2 of the number of leaves: 0 is one leaf (its leaf hash). */
  level: number;
  /** Position among subtrees of this level: the subtree covers leaves [index * 2^level, (index + 1) * 2^level). */
  index: number;
}

export interface SubtreeCache {
  /** The cached hash of each key, or undefined; same order as `keys`. */
  getMany(keys: readonly SubtreeKey[]): Promise<(Uint8Array | undefined)[]>;
  /** Stores hashes; a key already present keeps its value (the values are equal by construction). */
  putMany(items: readonly (SubtreeKey & { hash: Uint8Array })[]): Promise<void>;
}

/** Leaves fetched in one call when a missing subtree is computed; bigger subtrees recurse. */
const FETCH_LEVEL = 16;

type Range = readonly [start: number, end: number];

export class MerkleTree {
  private readonly source: MerkleSource;
  private readonly cache: SubtreeCache | undefined;
  private readonly cacheMinLevel: number;

  /** `cacheMinLevel` (default 8): smaller subtrees are recomputed from their leaves instead of stored. */
  constructor(deps: { source: MerkleSource; cache?: SubtreeCache; cacheMinLevel?: number }) {
    this.source = deps.source;
    this.cache = deps.cache;
    this.cacheMinLevel = deps.cacheMinLevel ?? 8;
  }

  /** MTH of the first `treeSize` leaves. */
  async root(treeSize: number): Promise<Buffer> {
    checkSize(treeSize);
    if (treeSize === 0) return EMPTY_ROOT;
    const [h] = await this.rangeHashes([[0, treeSize]]);
    return h as Buffer;
  }

  /** The audit path for leaf `index` in the tree of `treeSize` leaves, leaf end first (RFC 6962 2.1.1). */
  async inclusionProof(index: number, treeSize: number): Promise<Buffer[]> {
    checkSize(treeSize);
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new RangeError(`leaf index ${index} is outside a tree of ${treeSize}`);
    }
    return this.rangeHashes(pathRanges(index, 0, treeSize));
  }

  /** The consistency proof from the tree of `size1` leaves to the tree of `size2` (RFC 6962 2.1.2). */
  async consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    checkSize(size1);
    checkSize(size2);
    if (size1 > size2) throw new RangeError(`size1 ${size1} exceeds size2 ${size2}`);
    if (size1 === 0 || size1 === size2) return [];
    return this.rangeHashes(subproofRanges(size1, 0, size2, true));
  }

  /** MTH of each range; every range's start is aligned to its own split, as in PATH and PROOF. */
  private async rangeHashes(ranges: readonly Range[]): Promise<Buffer[]> {
    const parts = ranges.map(([s, e]) => decompose(s, e));
    const flat = parts.flat();
    const hashes = await this.perfectHashes(flat);
    let at = 0;
    return parts.map((p) => {
      const mine = hashes.slice(at, at + p.length);
      at += p.length;
      let h = mine[mine.length - 1] as Buffer;
      for (let j = mine.length - 2; j >= 0; j--) h = nodeHash(mine[j] as Buffer, h);
      return h;
    });
  }

  private async perfectHashes(keys: readonly SubtreeKey[]): Promise<Buffer[]> {
    const cached = this.cache ? await this.cache.getMany(keys) : keys.map(() => undefined);
    const out: Buffer[] = [];
    for (let i = 0; i < keys.length; i++) {
      const c = cached[i];
      out.push(c ? Buffer.from(c) : await this.computePerfect(keys[i] as SubtreeKey));
    }
    return out;
  }

  private async computePerfect(key: SubtreeKey): Promise<Buffer> {
    if (key.level > FETCH_LEVEL) {
      const [l, r] = await this.perfectHashes([
        { level: key.level - 1, index: key.index * 2 },
        { level: key.level - 1, index: key.index * 2 + 1 },
      ]);
      const h = nodeHash(l as Buffer, r as Buffer);
      await this.cache?.putMany([{ ...key, hash: h }]);
      return h;
    }
    const width = 2 ** key.level;
    const inputs = await this.source.leafInputs(key.index * width, (key.index + 1) * width);
    if (inputs.length !== width) throw new Error(`merkle source returned ${inputs.length} leaves, wanted ${width}`);
    let level: Buffer[] = inputs.map((x) => leafHash(x));
    const toCache: (SubtreeKey & { hash: Uint8Array })[] = [];
    for (let lv = 0; ; lv++) {
      if (lv >= this.cacheMinLevel) {
        const base = key.index * 2 ** (key.level - lv);
        level.forEach((hash, i) => toCache.push({ level: lv, index: base + i, hash }));
      }
      if (level.length === 1) break;
      const next: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i] as Buffer, level[i + 1] as Buffer));
      level = next;
    }
    if (this.cache && toCache.length > 0) await this.cache.putMany(toCache);
    return level[0] as Buffer;
  }
}

function checkSize(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid tree size ${n}`);
}

/** PATH(m, D[s:e]) as the ranges whose MTHs form it, deepest first. */
export function pathRanges(m: number, s: number, e: number): Range[] {
  if (e - s <= 1) return [];
  const k = splitPoint(e - s);
  return m < s + k ? [...pathRanges(m, s, s + k), [s + k, e]] : [...pathRanges(m, s + k, e), [s, s + k]];
}

/** SUBPROOF(m, D[s:e], b) as ranges; `m` is the absolute size of the older tree. */
export function subproofRanges(m: number, s: number, e: number, b: boolean): Range[] {
  if (m === e) return b ? [] : [[s, e]];
  const k = splitPoint(e - s);
  return m - s <= k ? [...subproofRanges(m, s, s + k, b), [s + k, e]] : [...subproofRanges(m, s + k, e, false), [s, s + k]];
}

/** [s, e) as perfect subtrees, left to right; MTH of the range is their right fold. */
function decompose(s: number, e: number): SubtreeKey[] {
  const out: SubtreeKey[] = [];
  while (s < e) {
    let level = Math.floor(Math.log2(e - s));
    if (2 ** level > e - s) level--; // float rounding just below a power of two
    const width = 2 ** level;
    if (s % width !== 0) throw new Error(`range [${s}, ${e}) is not aligned`);
    out.push({ level, index: s / width });
    s += width;
  }
  return out;
}

/** An in-process `SubtreeCache` (tests, tools, or a front for a persistent one). */
export function memorySubtreeCache(): SubtreeCache & { readonly size: number } {
  const map = new Map<string, Uint8Array>();
  const id = (k: SubtreeKey) => `${k.level}/${k.index}`;
  return {
    get size() {
      return map.size;
    },
    async getMany(keys) {
      return keys.map((k) => map.get(id(k)));
    },
    async putMany(items) {
      for (const it of items) if (!map.has(id(it))) map.set(id(it), it.hash);
    },
  };
}

/** A `MerkleSource` over chain hashes in memory (hex or bytes), for tests and offline tools. */
export function memoryMerkleSource(hashes: readonly (Uint8Array | string)[]): MerkleSource {
  return {
    async leafInputs(from, to) {
      if (from < 0 || to > hashes.length || from > to) throw new RangeError(`leaves [${from}, ${to}) not available`);
      return hashes.slice(from, to).map((h) => (typeof h === 'string' ? Buffer.from(h, 'hex') : h));
    },
  };
}
