/**
 * Differential properties: the hand-written HMAC-SHA-256 (two compressions from precomputed key
 * midstates) gives `crypto.createHmac`'s MAC for any key and message, and the `hmac-sha256`
 * pseudonym is the first 8 bytes of that MAC over `domain:identity number`, for every dataset name
 * the catalogue accepts as a domain.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from './hmac-sha256.ts';
import { HmacPseudonymiser, pseudonymOf } from './pseudonym.ts';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
/** Keys of every length class: empty, short, exactly one block, longer than a block (hashed first). */
const key = fc.oneof(bytes(0, 0), bytes(1, 63), bytes(64, 64), bytes(65, 200), bytes(32, 32));
const ascii = (min: number, max: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
/** Messages on both sides of one SHA-256 block with padding (55 bytes), ASCII or any Unicode. */
const message = fc.oneof(
  ascii(0, 55),
  ascii(54, 56),
  ascii(56, 200),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', 'person:01010750160', 'x'.repeat(55), 'ø', '日本'),
);

const wordsHex = (w: Int32Array) => Array.from(w.slice(0, 8), (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');

describe('hand-written HMAC-SHA-256 against crypto.createHmac', () => {
  it('gives the same MAC for any key and message', () => {
    fc.assert(
      fc.property(key, message, (k, m) => {
        const want = createHmac('sha256', k).update(m).digest('hex');
        const mac = new HmacSha256(k);
        expect(mac.hex(m)).toBe(want);
        expect(wordsHex(mac.words(m))).toBe(want);
        expect(mac.hex(m, 16)).toBe(want.slice(0, 16));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same MAC for many messages in turn under one key (no state carried over)', () => {
    fc.assert(
      fc.property(key, fc.array(message, { minLength: 2, maxLength: 20 }), (k, ms) => {
        const mac = new HmacSha256(k);
        expect(ms.map((m) => mac.hex(m))).toEqual(ms.map((m) => createHmac('sha256', k).update(m).digest('hex')));
      }),
      { numRuns: 200 },
    );
  });
});

describe('hmac-sha256 pseudonyms against their definition', () => {
  /** Every name the catalogue accepts (NameSchema: lower snake case, 1 to 63 characters), and `person`. */
  const domain = fc.oneof(fc.constant('person'), fc.stringMatching(/^[a-z][a-z0-9_]{0,62}$/), fc.constant(`a${'_'.repeat(62)}`));
  const id = fc.oneof(fc.constantFrom(0, 1, 1010750160, 31129999999, 99_999_999_999, 100_000_000_000, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
  const key32 = bytes(32, 32);

  it('are the first 8 bytes of HMAC-SHA-256(key, domain:id padded to 11 digits), signed', () => {
    fc.assert(
      fc.property(key32, domain, id, (k, d, n) => {
        const want = createHmac('sha256', k)
          .update(`${d}:${String(n).padStart(11, '0')}`)
          .digest()
          .readBigInt64BE(0);
        expect(new HmacPseudonymiser(k, d).one(n)).toBe(want);
        expect(pseudonymOf(k, String(n).padStart(11, '0'), { scheme: 'hmac-sha256', domain: d })).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});
