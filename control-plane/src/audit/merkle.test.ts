import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, MerkleAccumulator, leafHash, nodeHash, rootOfLeafHashes, verifyConsistency, verifyInclusion } from './merkle.ts';
import { MerkleTree, memoryMerkleSource, memorySubtreeCache } from './merkle-tree.ts';

/** Entry chain hashes for a synthetic log: any 32 bytes will do for the tree. */
function chainHashes(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => createHash('sha256').update(`entry ${i}`).digest());
}

// The RFC 6962 definitions, written as directly (and slowly) as the RFC states them.
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return createHash('sha256').digest();
  if (d.length === 1) return leafHash(d[0] as Buffer);
  const s = k(d.length);
  return nodeHash(mth(d.slice(0, s)), mth(d.slice(s)));
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

const MAX = 40;
const data = chainHashes(MAX);

describe('Merkle tree (RFC 9162 2.1)', () => {
  it('computes the RFC root for every size up to 40, in memory, by accumulator and from a tree', async () => {
    const tree = new MerkleTree({ source: memoryMerkleSource(data) });
    expect(await tree.root(0)).toEqual(EMPTY_ROOT);
    const acc = new MerkleAccumulator();
    for (let n = 1; n <= MAX; n++) {
      acc.push(leafHash(data[n - 1] as Buffer));
      const want = mth(data.slice(0, n));
      expect(acc.root()).toEqual(want);
      expect(rootOfLeafHashes(data.slice(0, n).map((x) => leafHash(x)))).toEqual(want);
      expect(await tree.root(n)).toEqual(want);
    }
  });

  it('generates the RFC inclusion proof for every leaf of every size, and it verifies', async () => {
    const tree = new MerkleTree({ source: memoryMerkleSource(data), cache: memorySubtreeCache(), cacheMinLevel: 1 });
    for (let n = 1; n <= MAX; n++) {
      const root = mth(data.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = await tree.inclusionProof(m, n);
        expect(proof).toEqual(path(m, data.slice(0, n)));
        expect(verifyInclusion(m, n, leafHash(data[m] as Buffer), proof, root)).toBe(true);
      }
    }
  });

  it('generates the RFC consistency proof for every pair of sizes, and it verifies', async () => {
    const tree = new MerkleTree({ source: memoryMerkleSource(data), cache: memorySubtreeCache(), cacheMinLevel: 2 });
    for (let n = 1; n <= MAX; n++) {
      const root2 = mth(data.slice(0, n));
      for (let m = 0; m <= n; m++) {
        const proof = await tree.consistencyProof(m, n);
        expect(proof).toEqual(m === 0 ? [] : subproof(m, data.slice(0, n), true));
        expect(verifyConsistency(m, n, proof, mth(data.slice(0, m)), root2)).toBe(true);
      }
    }
  });

  it('rejects a wrong inclusion proof: altered hash, wrong index, wrong size, wrong leaf, extra or missing step', async () => {
    const tree = new MerkleTree({ source: memoryMerkleSource(data) });
    const n = 37;
    const root = mth(data.slice(0, n));
    for (const m of [0, 5, 31, 32, 36]) {
      const leaf = leafHash(data[m] as Buffer);
      const proof = await tree.inclusionProof(m, n);
      const altered = proof.map((p, i) => (i === 1 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p));
      expect(verifyInclusion(m, n, leaf, altered, root)).toBe(false);
      expect(verifyInclusion(m === 0 ? 1 : m - 1, n, leaf, proof, root)).toBe(false);
      expect(verifyInclusion(m, 2 * n, leaf, proof, root)).toBe(false);
      expect(verifyInclusion(m, n, leafHash(data[(m + 1) % n] as Buffer), proof, root)).toBe(false);
      expect(verifyInclusion(m, n, leaf, [...proof, proof[0] as Buffer], root)).toBe(false);
      expect(verifyInclusion(m, n, leaf, proof.slice(0, -1), root)).toBe(false);
      expect(verifyInclusion(m, n, leaf, proof, mth(data.slice(0, n - 1)))).toBe(false);
      expect(verifyInclusion(n, n, leaf, proof, root)).toBe(false);
    }
  });

  it('rejects a wrong consistency proof: altered hash, wrong sizes, wrong roots, truncated', async () => {
    const tree = new MerkleTree({ source: memoryMerkleSource(data) });
    for (const [m, n] of [
      [1, 2],
      [3, 7],
      [4, 8],
      [6, 8],
      [13, 39],
      [32, 33],
    ] as const) {
      const r1 = mth(data.slice(0, m));
      const r2 = mth(data.slice(0, n));
      const proof = await tree.consistencyProof(m, n);
      expect(verifyConsistency(m, n, proof, r1, r2)).toBe(true);
      const altered = proof.map((p, i) => (i === proof.length - 1 ? nodeHash(p, p) : p));
      expect(verifyConsistency(m, n, altered, r1, r2)).toBe(false);
      expect(verifyConsistency(m + 1, n, proof, mth(data.slice(0, m + 1)), r2)).toBe(false);
      expect(verifyConsistency(m, n + 1, proof, r1, mth(data.slice(0, n + 1)))).toBe(false);
      expect(verifyConsistency(m, n, proof, nodeHash(r1, r1), r2)).toBe(false);
      expect(verifyConsistency(m, n, proof, r1, r1)).toBe(false);
      expect(verifyConsistency(m, n, proof.slice(1), r1, r2)).toBe(false);
      expect(verifyConsistency(m, n, [], r1, r2)).toBe(false);
    }
    expect(verifyConsistency(5, 5, [], mth(data.slice(0, 5)), mth(data.slice(0, 5)))).toBe(true);
    expect(verifyConsistency(5, 5, [], mth(data.slice(0, 5)), mth(data.slice(0, 6)))).toBe(false);
    expect(verifyConsistency(6, 5, [], mth(data.slice(0, 6)), mth(data.slice(0, 5)))).toBe(false);
  });

  it('serves proofs over a large log from cached subtrees, reading few leaves once the cache is warm', async () => {
    const n = 70_001;
    const hashes = chainHashes(n);
    let leavesRead = 0;
    const src = memoryMerkleSource(hashes);
    const source = {
      async leafInputs(from: number, to: number) {
        leavesRead += to - from;
        return src.leafInputs(from, to);
      },
    };
    const cache = memorySubtreeCache();
    const tree = new MerkleTree({ source, cache });
    const acc = new MerkleAccumulator();
    for (const h of hashes) acc.push(leafHash(h));
    expect(await tree.root(n)).toEqual(acc.root());
    expect(leavesRead).toBe(n);
    leavesRead = 0;
    const proof = await tree.inclusionProof(12_345, n);
    expect(verifyInclusion(12_345, n, leafHash(hashes[12_345] as Buffer), proof, acc.root())).toBe(true);
    expect(leavesRead).toBeLessThanOrEqual(2 * 256); // siblings below the cached level, and the unaligned tail
    const small = new MerkleAccumulator();
    for (const h of hashes.slice(0, 50_000)) small.push(leafHash(h));
    const cons = await tree.consistencyProof(50_000, n);
    expect(verifyConsistency(50_000, n, cons, small.root(), acc.root())).toBe(true);
  });
});
