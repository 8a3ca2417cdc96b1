import { createCipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AesPseudonymiser, newPseudonymKey, pseudonymOf } from './pseudonym.ts';

/** The aes-256-prf pseudonym straight from its definition in pseudonym.ts, one block at a time. */
function reference(key: Uint8Array, domain: string, id: number): bigint {
  const aesKey = createHmac('sha256', key).update('analyserom/pseudonym/aes-256/v1').digest();
  const block = Buffer.alloc(16);
  createHmac('sha256', key).update(`analyserom/pseudonym/domain/${domain}`).digest().copy(block, 0, 0, 8);
  block.writeDoubleBE(id, 8);
  const cipher = createCipheriv('aes-256-ecb', aesKey, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]).readBigInt64BE(0);
}

describe('aes-256-prf pseudonyms', () => {
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
  const ids = [0, 1, 1010750160, 24087732556, 31129999999, 99999999999, Number.MAX_SAFE_INTEGER];

  it('equal AES-256 of the domain tag and the big-endian identity number, first 8 bytes', () => {
    for (const id of ids) {
      expect(pseudonymOf(key, String(id).padStart(11, '0'))).toBe(reference(key, 'person', id));
      expect(pseudonymOf(key, String(id), { domain: 'prescriptions' })).toBe(reference(key, 'prescriptions', id));
    }
  });

  it('give the same values in batches of any size as one at a time, as little-endian word pairs', () => {
    const aes = new AesPseudonymiser(key, 'person');
    for (const n of [1, 3, 2048, 5000]) {
      const batch = Float64Array.from({ length: n }, (_, i) => (i < ids.length ? ids[i]! : 10_000_000_000 + i * 1009));
      const words = new Uint32Array(2 * n);
      aes.words(batch, n, words);
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 50))) {
        const want = reference(key, 'person', batch[i]!);
        expect(BigInt.asIntN(64, (BigInt(words[2 * i + 1]!) << 32n) | BigInt(words[2 * i]!))).toBe(want);
      }
    }
  });

  it('give, in batches laid out as words, what one block at a time gives, for any ids, batch size and domain', () => {
    const id = fc.oneof(fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 99_999_999_999, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,62}$/),
        fc.oneof(
          fc.array(id, { minLength: 1, maxLength: 20 }),
          // Batches around the 2048 rows of a DuckDB vector, from two numbers so that a failure shrinks fast.
          fc
            .record({ n: fc.constantFrom(2047, 2048, 2049, 3000), start: fc.maxSafeNat() })
            .map(({ n, start }) => Array.from({ length: n }, (_, i) => (start + i * 7919) % Number.MAX_SAFE_INTEGER)),
        ),
        (k, domain, batch) => {
          const aes = new AesPseudonymiser(k, domain);
          const words = new Uint32Array(2 * batch.length);
          aes.words(Float64Array.from(batch), batch.length, words);
          const got = batch.map((_, i) => BigInt.asIntN(64, (BigInt(words[2 * i + 1]!) << 32n) | BigInt(words[2 * i]!)));
          expect(got).toEqual(batch.map((x) => reference(k, domain, x)));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('differ between keys and between domains', () => {
    const other = newPseudonymKey();
    expect(pseudonymOf(other, '01018012345')).not.toBe(pseudonymOf(key, '01018012345'));
    expect(pseudonymOf(key, '01018012345', { domain: 'x' })).not.toBe(pseudonymOf(key, '01018012345'));
  });

  it('refuse identity numbers that are not non-negative integers', () => {
    const aes = new AesPseudonymiser(key, 'person');
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53]) expect(() => aes.words(Float64Array.of(bad), 1, new Uint32Array(2))).toThrow(RangeError);
  });
});
