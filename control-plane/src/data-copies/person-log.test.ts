import { describe, expect, it } from 'vitest';
import { countDistinctPairs, PersonLog, unionIds } from './person-log.ts';

describe('person log', () => {
  it('gives the distinct identity numbers in ascending order, whatever the order of appends', () => {
    const log = new PersonLog();
    const ids = [31129999999, 1010750160, 31129999999, 5076348032, 1010750160, 24087732556];
    for (let i = 0; i < 70_000; i++) log.append(Float64Array.of(ids[i % ids.length]!, 10_000_000_000 + (i % 1234)), 2);
    const want = [...new Set([...ids, ...Array.from({ length: 1234 }, (_, i) => 10_000_000_000 + i)])].sort((a, b) => a - b);
    expect(Array.from(log.distinct())).toEqual(want);
    expect(Array.from(unionIds([Float64Array.of(1, 5), Float64Array.of(2, 5)]))).toEqual([1, 2, 5]);
  });

  it('gives each of many persons once, ascending, from many rows of each in any order', () => {
    const log = new PersonLog();
    const chunk = new Float64Array(4096);
    for (let done = 0; done < 600_000; done += chunk.length) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = 20_000_000_000 + (((done + i) * 7919) % 150_001);
      log.append(chunk, chunk.length);
    }
    const d = log.distinct();
    expect(d.length).toBe(150_001);
    expect([d[0], d[150_000]]).toEqual([20_000_000_000, 20_000_150_000]);
    expect(d.every((v, i) => i === 0 || v > d[i - 1]!)).toBe(true);
  });

  it('stays correct when the buffer is de-duplicated on the way (more rows than the compaction limit)', () => {
    const log = new PersonLog();
    const chunk = new Float64Array(4096);
    const rows = PersonLog.COMPACT_AT + 3 * 4096;
    for (let done = 0; done < rows; done += chunk.length) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = 20_000_000_000 + ((done + i) % 5003);
      log.append(chunk, chunk.length);
    }
    const d = log.distinct();
    expect(d.length).toBe(5003);
    expect([d[0], d[5002]]).toEqual([20_000_000_000, 20_000_005_002]);
  });

  it('stays correct when ids are bunched at one end of their range', () => {
    const log = new PersonLog();
    const ids = Float64Array.from({ length: 40_000 }, (_, i) => (i % 9_999) * 3);
    log.append(ids, ids.length);
    log.append(Float64Array.of(Number.MAX_SAFE_INTEGER, 0), 2);
    const d = log.distinct();
    expect(d.length).toBe(10_000);
    expect([d[0], d[1], d[9_998], d[9_999]]).toEqual([0, 3, 29_994, Number.MAX_SAFE_INTEGER]);
  });

  it('counts distinct 64-bit pairs among many, with duplicates anywhere', () => {
    const n = 200_000;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 150_000; // 50 000 repeats of earlier pairs
      hi[i] = Math.imul(k, 0x9e3779b1) >>> 0;
      lo[i] = Math.imul(k ^ 0x5bd1e995, 0x85ebca6b) >>> 0;
    }
    hi[100_000] = hi[100_001]!; // same high word, different low word: still distinct
    expect(countDistinctPairs(hi, lo)).toBe(150_000);
    lo[100_000] = lo[100_001]!; // now a duplicate pair
    expect(countDistinctPairs(hi, lo)).toBe(149_999);
  });

  it('refuses an identity number that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN]) {
      const log = new PersonLog();
      log.append(Float64Array.of(7, bad), 2);
      expect(() => log.distinct()).toThrow(RangeError);
    }
  });

  it('counts duplicate 64-bit word pairs exactly, including high words above 16 bits', () => {
    expect(countDistinctPairs(Uint32Array.of(0xffffffff, 0, 0x10000, 0xffffffff, 7, 0x10000), Uint32Array.of(1, 0xffffffff, 5, 1, 0, 4))).toBe(5);
    expect(countDistinctPairs(Uint32Array.of(3, 3, 3), Uint32Array.of(1, 2, 1))).toBe(2);
    expect(countDistinctPairs(Uint32Array.of(0, 9, 0, 9, 4), Uint32Array.of(2, 2, 2, 3, 2))).toBe(4);
  });
});
