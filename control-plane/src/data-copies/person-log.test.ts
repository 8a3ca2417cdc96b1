import { describe, expect, it } from 'vitest';
import { countDistinctPairs, PersonLog, radixSortPairs, unionIds } from './person-log.ts';

describe('person log', () => {
  it('gives the distinct identity numbers in ascending order, whatever the order of appends', () => {
    const log = new PersonLog();
    const ids = [31129999999, 1010750160, 31129999999, 5076348032, 1010750160, 24087732556];
    for (let i = 0; i < 70_000; i++) log.append(Float64Array.of(ids[i % ids.length]!, 10_000_000_000 + (i % 1234)), 2);
    const want = [...new Set([...ids, ...Array.from({ length: 1234 }, (_, i) => 10_000_000_000 + i)])].sort((a, b) => a - b);
    expect(Array.from(log.distinct())).toEqual(want);
    expect(Array.from(unionIds([Float64Array.of(1, 5), Float64Array.of(2, 5)]))).toEqual([1, 2, 5]);
  });

  it('stays correct while its hash set grows, for many rows of the same persons', () => {
    const log = new PersonLog();
    const chunk = new Float64Array(4096);
    for (let done = 0; done < 600_000; done += chunk.length) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = 20_000_000_000 + (((done + i) * 7919) % 150_001);
      log.append(chunk, chunk.length);
    }
    const d = log.distinct();
    expect(log.size).toBe(150_001);
    expect(d.length).toBe(150_001);
    expect([d[0], d[150_000]]).toEqual([20_000_000_000, 20_000_150_000]);
    expect(d.every((v, i) => i === 0 || v > d[i - 1]!)).toBe(true);
  });

  it('keeps the tag of each person and counts how many distinct tags the persons have', () => {
    const log = new PersonLog();
    // Rows: persons 5, 9, 5, 12 with tags (low, high); person 12 shares person 9's tag.
    log.append(Float64Array.of(5, 9, 5, 12), 4, Uint32Array.of(1, 0xffffffff, 2, 7, 1, 0xffffffff, 2, 7));
    expect(Array.from(log.distinct())).toEqual([5, 9, 12]);
    expect(log.distinctTags()).toBe(2);
    log.append(Float64Array.of(13), 1, Uint32Array.of(3, 7));
    expect(log.distinctTags()).toBe(3);
  });

  it('refuses an identity number that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => new PersonLog().append(Float64Array.of(bad), 1)).toThrow(RangeError);
  });

  it('sorts 64-bit word pairs and counts duplicates exactly, including high words above 16 bits', () => {
    const hi = Uint32Array.of(0xffffffff, 0, 0x10000, 0xffffffff, 7, 0x10000);
    const lo = Uint32Array.of(1, 0xffffffff, 5, 1, 0, 4);
    radixSortPairs(hi, lo);
    expect(Array.from(hi)).toEqual([0, 7, 0x10000, 0x10000, 0xffffffff, 0xffffffff]);
    expect(Array.from(lo)).toEqual([0xffffffff, 0, 4, 5, 1, 1]);
    expect(countDistinctPairs(Uint32Array.of(3, 3, 3), Uint32Array.of(1, 2, 1))).toBe(2);
    expect(countDistinctPairs(Uint32Array.of(0, 9, 0, 9, 4), Uint32Array.of(2, 2, 2, 3, 2))).toBe(4);
  });
});
