/**
 * Differential properties: the person log's fast de-duplication (value-range buckets, cache-sized
 * hash tables, small radix sorts, half of the buckets on the extract helper's thread) and the
 * pseudonym collision count (buckets by high word, hash tables) give exactly what the plain forms
 * give, a `Set` and a sort, on random inputs: empty, one id, all equal, duplicates anywhere, ids
 * bunched at one end, 0 and 2^53 − 1, and sizes on both sides of each size the code switches at
 * (64 ids in a bucket, 8192 per bucket, 65536 rows for the helper, 1024 pairs per bucket).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ExtractHelper } from './extract-helper.ts';
import { countDistinctPairs, dedupeBuckets, PersonLog, unionIds } from './person-log.ts';

const MAX = Number.MAX_SAFE_INTEGER;

/** The plain form: the distinct ids, ascending. */
const plainDistinct = (ids: readonly number[]) => [...new Set(ids)].sort((a, b) => a - b);

const idValue = fc.oneof(
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 99_999_999_999, MAX - 1, MAX),
  fc.integer({ min: 0, max: 70 }),
  fc.integer({ min: 10_000_000_000, max: 99_999_999_999 }),
  fc.maxSafeNat(),
);

/**
 * Many rows from few parameters (so that a counterexample shrinks to readable numbers): `n` rows
 * over `distinct` ids spaced `stride` apart from `base`, visited in a scrambled order, with a few
 * extreme ids mixed in so that one bucket's value range is wide.
 */
const manyIdsParams = fc.record({
  n: fc.oneof(fc.constantFrom(1, 63, 64, 8192, 8193, 16_385, 65_535, 65_536, 65_537), fc.integer({ min: 1, max: 140_000 })),
  distinctShare: fc.double({ min: 0, max: 1, noNaN: true }),
  base: fc.oneof(fc.constant(0), fc.constant(10_000_000_000), fc.integer({ min: 0, max: 2 ** 40 })),
  stride: fc.constantFrom(1, 2, 3, 511, 512, 513, 1009, 2 ** 20),
  extremes: fc.subarray([0, 1, MAX - 1, MAX]),
});
type ManyIds = typeof manyIdsParams extends fc.Arbitrary<infer T> ? T : never;
function manyIds({ n, distinctShare, base, stride, extremes }: ManyIds): number[] {
  const distinct = Math.max(1, Math.round(n * distinctShare));
  const ids = Array.from({ length: n }, (_, i) => base + ((i * 7919) % distinct) * stride);
  extremes.forEach((v, k) => (ids[(k * 104_729) % n] = v));
  return ids;
}

/**
 * Ids within a window of `span` + 1 values, both ends present, at least 64 distinct: one bucket
 * whose radix sort needs exactly one more 9-bit pass when the span is 512^k.
 */
const windowIds = fc
  .record({
    base: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 45 })),
    span: fc.constantFrom(63, 64, 511, 512, 513, 262_143, 262_144, 262_145),
    picks: fc.array(fc.nat(), { minLength: 64, maxLength: 400 }),
  })
  .map(({ base, span, picks }) => [base + span, ...picks.map((p, i) => base + ((p + i) % (span + 1))), base]);

/** Appends `ids` in chunks of the given sizes (cycled), as the extract appends one vector at a time. */
function logOf(ids: readonly number[], chunks: readonly number[]): PersonLog {
  const log = new PersonLog();
  const all = Float64Array.from(ids);
  for (let at = 0, k = 0; at < all.length; k++) {
    const size = Math.max(1, chunks[k % chunks.length] ?? all.length);
    const part = all.subarray(at, at + size);
    log.append(part, part.length);
    at += part.length;
  }
  return log;
}

const chunkSizes = fc.array(fc.oneof(fc.constantFrom(1, 2048, 65_536), fc.integer({ min: 1, max: 5000 })), { minLength: 1, maxLength: 4 });

const helper = new ExtractHelper();
afterAll(() => helper.close());

describe('person log against a Set and a sort', () => {
  it('gives the distinct ids ascending, for few ids appended in any chunks', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(idValue, { maxLength: 300 }), windowIds), chunkSizes, (ids, chunks) => {
        expect(Array.from(logOf(ids, chunks).distinct())).toEqual(plainDistinct(ids));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the distinct ids ascending, for many rows over many buckets', () => {
    fc.assert(
      fc.property(manyIdsParams, chunkSizes, (params, chunks) => {
        const ids = manyIds(params);
        expect(Array.from(logOf(ids, chunks).distinct())).toEqual(plainDistinct(ids));
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same with half of the buckets de-duplicated on the helper thread, or on this one', async () => {
    const onThisThread = async (b: Parameters<typeof dedupeBuckets>[0], from: number, to: number) => dedupeBuckets(b, from, to);
    await fc.assert(
      fc.asyncProperty(manyIdsParams, fc.boolean(), async (params, worker) => {
        const ids = manyIds(params);
        const got = await logOf(ids, [4096]).distinctWith(worker ? helper.dedupe : onThisThread);
        expect(Array.from(got)).toEqual(plainDistinct(ids));
      }),
      { numRuns: 30 },
    );
    expect(helper.running).toBe(true);
  });

  it('unites ascending distinct lists into one', () => {
    fc.assert(
      fc.property(fc.array(fc.array(idValue, { maxLength: 200 }), { minLength: 1, maxLength: 5 }), (lists) => {
        const parts = lists.map((l) => Float64Array.from(plainDistinct(l)));
        expect(Array.from(unionIds(parts))).toEqual(plainDistinct(lists.flat()));
      }),
      { numRuns: 200 },
    );
  });
});

describe('distinct pseudonym count against a Set', () => {
  const word = fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));
  const pairsParams = fc.record({
    pool: fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 40 }),
    picks: fc.array(fc.nat(), { maxLength: 400 }),
    fresh: fc.oneof(fc.constantFrom(0, 1023, 1024, 1025, 8193), fc.nat({ max: 40_000 })),
    seed: fc.nat(),
  });
  /** Picks from the pool (repeats, shared high words), then `fresh` pairs spread over the whole high word as pseudonyms are, every 7th repeating an earlier one. */
  function pairs({ pool, picks, fresh, seed }: typeof pairsParams extends fc.Arbitrary<infer T> ? T : never): [number, number][] {
    const out: [number, number][] = picks.map((p) => pool[p % pool.length]!);
    for (let i = 0; i < fresh; i++) {
      const k = i % 7 === 6 ? Math.floor(i / 2) : i;
      out.push([Math.imul(k + seed, 0x9e3779b1) >>> 0, Math.imul((k + seed) ^ 0x5bd1e995, 0x85ebca6b) >>> 0]);
    }
    return out;
  }

  it('counts each distinct 64-bit pair once', () => {
    fc.assert(
      fc.property(pairsParams, (params) => {
        const ps = pairs(params);
        const hi = Uint32Array.from(ps, ([h]) => h);
        const lo = Uint32Array.from(ps, ([, l]) => l);
        expect(countDistinctPairs(hi, lo)).toBe(new Set(ps.map(([h, l]) => (BigInt(h) << 32n) | BigInt(l))).size);
      }),
      { numRuns: 200 },
    );
  });
});
