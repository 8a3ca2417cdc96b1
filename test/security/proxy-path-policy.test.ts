/**
 * Property-based: whatever a client does to a path — percent-encoding any character, dot segments,
 * duplicate slashes, case variants, repeated query arguments — no request `checkPath` admits could
 * reach one of Jupyter's refused handlers (`files/`, `view/`, `nbconvert`), another room, or a
 * download, under any normalisation a server might apply (decode once, resolve dot segments,
 * collapse slashes, ignore case) or tornado's reading of query arguments (last value wins, `+` is
 * a space, stripped).
 */
import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPath } from '../../control-plane/src/proxy/index.ts';

const WORDS = ['files', 'view', 'nbconvert', 'api', 'contents', 'lab', 'tree', 'kernels', 'a.csv', 'r2', 'rooms', '.', '..', '', 'x'];

/** A word with each character maybe percent-encoded (either hex case) and maybe its letters' case flipped. */
const variant = (word: string) =>
  fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: word.length, maxLength: word.length }), fc.boolean()).map(([how, upper]) =>
    [...word]
      .map((c, i) => {
        const ch = upper && i % 2 === 0 ? c.toUpperCase() : c;
        const hex = ch.charCodeAt(0).toString(16).padStart(2, '0');
        return how[i] === 1 ? `%${hex}` : how[i] === 2 ? `%${hex.toUpperCase()}` : ch;
      })
      .join(''),
  );

const segment = fc.oneof(fc.constantFrom(...WORDS).chain(variant), fc.constantFrom('%2f', '%2F', '%5c', '%00', '%25', '%2e%2e', '.%2e'));
const path = fc
  .tuple(fc.array(segment, { minLength: 0, maxLength: 6 }), fc.array(fc.constantFrom('/', '//', '///'), { minLength: 6, maxLength: 6 }))
  .map(([segs, seps]) => `/rooms/r1/${segs.map((s, i) => (i ? seps[i]! : '') + s).join('')}`);

/** What a server could make of the path: decoded once, dot segments resolved, slashes collapsed, lower case. */
function normalised(url: string): string | undefined {
  try {
    return posix.normalize(decodeURIComponent(url)).toLowerCase();
  } catch {
    return undefined;
  }
}

const REFUSED = /^\/rooms\/r1\/(files|view)(\/|$)|(^|\/)nbconvert(\/|$)/;

describe('room path policy, property-based', () => {
  it('no admitted path reaches files/, view/ or nbconvert, or leaves its room, under any normalisation', () => {
    fc.assert(
      fc.property(path, fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'), (url, method) => {
        const v = checkPath(method, url);
        if (!v.ok) return;
        const n = normalised(url);
        expect(n).toBeDefined();
        expect(n!.startsWith('/rooms/r1/') || n === '/rooms/r1').toBe(true);
        expect(REFUSED.test(n!)).toBe(false);
        expect(v.roomId).toBe('r1');
      }),
      { numRuns: 20_000 },
    );
  });

  it('a download asked in the query, however spelled or repeated, is refused', () => {
    const key = fc.constantFrom('download', 'DOWNLOAD', 'down%6coad', 'download+', '+download', 'Download%20', 'x');
    const value = fc.constantFrom('1', 'true', '0', '', 'false', 'no', '1+', '%31', ' yes', 'NO');
    const query = fc.array(fc.tuple(key, value, fc.boolean()), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(query, (args) => {
        const url = `/rooms/r1/lab/tree?${args.map(([k, v, bare]) => (bare ? k : `${k}=${v}`)).join('&')}`;
        // tornado: `+` is a space, then percent-decoding, stripped; the last `download` wins.
        const read = (s: string) => decodeURIComponent(s.replace(/\+/g, ' ')).trim();
        const downloads = args.filter(([k]) => read(k).toLowerCase() === 'download').map(([, v, bare]) => (bare ? '' : read(v).toLowerCase()));
        const last = downloads.at(-1);
        const asked = last !== undefined && !['', '0', 'false', 'no'].includes(last);
        if (asked) expect(checkPath('GET', url)).toMatchObject({ ok: false, reason: 'download_refused' });
      }),
      { numRuns: 5_000 },
    );
  });
});
