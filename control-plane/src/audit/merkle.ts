/**
 * The audit log's Merkle tree, in the manner of Certificate Transparency (RFC 6962, RFC 9162 section 2.1).
 *
 * Leaves: leaf i is the log entry with `seq` i (the service numbers entries from 0, without gaps).
 * The leaf INPUT is the entry's 32-byte chain hash (`AuditEntry.hash`, hex-decoded), not its preimage:
 * the chain hash already commits to every field and to the entry before, so the tree can be built and
 * proofs served from the `hash` column alone, and a verifier recomputes the chain hash from the fields
 * before checking inclusion.
 *
 *   leaf hash  = SHA-256(0x00 || entryHash)
 *   node hash  = SHA-256(0x01 || left || right)
 *   MTH({})    = SHA-256()            (the empty tree)
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 *
 * This file holds the primitives and the proof verifiers (RFC 9162 2.1.3.2 and 2.1.4.2), which need no
 * storage; proof generation over millions of leaves is in `merkle-tree.ts`.
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

/** SHA-256 of nothing: the root of the empty tree. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The leaf hash of an entry, from its 32-byte chain hash (raw bytes or 64 hex characters). */
export function leafHash(entryHash: Uint8Array | string): Buffer {
  const bytes = typeof entryHash === 'string' ? hexToBytes(entryHash) : entryHash;
  if (bytes.length !== HASH_SIZE) throw new RangeError(`entry hash must be ${HASH_SIZE} bytes`);
  return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** 64 hex characters to 32 bytes; throws on anything else. */
export function hexToBytes(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError('expected 64 lowercase hex characters');
  return Buffer.from(hex, 'hex');
}

/** The largest power of two strictly smaller than n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes held in memory, iteratively (no recursion depth, O(n) hashing). */
export function rootOfLeafHashes(leaves: readonly Uint8Array[]): Buffer {
  const acc = new MerkleAccumulator();
  for (const l of leaves) acc.push(l);
  return acc.root();
}

/**
 * A compact range over leaves 0..size-1: the roots of the perfect subtrees that make up the prefix,
 * one per set bit of `size`. Appending is amortised O(1) hashes; `root()` folds the O(log n) roots.
 * The offline verifier and checkpoint publishing both use it.
 */
export class MerkleAccumulator {
  /** stack[j] is the root of a perfect subtree; sizes strictly decrease from bottom to top. */
  private readonly stack: Buffer[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends a LEAF HASH (already `leafHash`-ed). */
  push(leaf: Uint8Array): void {
    let h: Buffer = Buffer.from(leaf);
    let n = this.count;
    while (n % 2 === 1) {
      h = nodeHash(this.stack.pop() as Buffer, h);
      n = (n - 1) / 2;
    }
    this.stack.push(h);
    this.count++;
  }

  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let h = this.stack[this.stack.length - 1] as Buffer;
    for (let j = this.stack.length - 2; j >= 0; j--) h = nodeHash(this.stack[j] as Buffer, h);
    return h;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * RFC 9162 2.1.3.2: does `proof` show that the leaf with hash `leaf` is at `index` in the tree of
 * `treeSize` leaves whose root is `root`? Never throws on a bad proof; returns false.
 */
export function verifyInclusion(index: number, treeSize: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (p.length !== HASH_SIZE || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/**
 * RFC 9162 2.1.4.2: does `proof` show that the tree of `size1` leaves with root `root1` is a prefix of
 * the tree of `size2` leaves with root `root2`? Equal sizes need an empty proof and equal roots; the
 * empty tree is a prefix of every tree (empty proof).
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) return false;
  if (proof.some((p) => p.length !== HASH_SIZE)) return false;
  if (size1 === 0) return proof.length === 0 && equal(root1, EMPTY_ROOT);
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}
