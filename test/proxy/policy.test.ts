/** What may pass through a room's proxy by path and method alone (`checkPath`). */
import { describe, expect, it } from 'vitest';
import { checkPath } from '../../control-plane/src/proxy/index.ts';

const reason = (method: string, url: string) => {
  const v = checkPath(method, url);
  return v.ok ? 'ok' : v.reason;
};

describe('room path policy', () => {
  it('plain paths pass, with the room and the rest of the path', () => {
    expect(checkPath('GET', '/rooms/r1/lab/tree?x=1')).toEqual({ ok: true, roomId: 'r1', rest: '/lab/tree', inspectContents: false, contentsWrite: false });
    expect(['/rooms/r1', '/rooms/r1/', '/rooms/r1/lab/', '/rooms/r1/.hidden/x', '/rooms/r1/a/...', '/rooms/r1/a.b/c..d'].map((u) => reason('GET', u))).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
    ]);
  });

  it('400 for dot segments, empty segments, backslashes and NUL, also when percent-encoded', () => {
    const urls = [
      '/rooms/r1/./lab',
      '/rooms/r1/../r2/lab',
      '/rooms/r1/a/..',
      '/rooms/r1/x/.',
      '/rooms/r1//x',
      '/rooms/r1/%2e%2e/x',
      '/rooms/r1/%2E/x',
      '/rooms/r1/a%2f%2fb',
      '/rooms/r1/a%5cb',
      '/rooms/r1/a%00b',
      '/rooms/r1/%ZZ',
    ];
    expect(urls.map((u) => reason('GET', u))).toEqual(Array(urls.length).fill('bad_path'));
  });

  it('403 for downloads and exports', () => {
    expect(
      [
        '/rooms/r1/files/a.csv',
        '/rooms/r1/view/a.csv',
        '/rooms/r1/api/contents/a.csv?download=1',
        '/rooms/r1/api/contents/a?DOWNLOAD=true',
        '/rooms/r1/nbconvert/html/a.ipynb',
        '/rooms/r1/api/nbconvert',
      ].map((u) => reason('GET', u)),
    ).toEqual(['download_refused', 'download_refused', 'download_refused', 'download_refused', 'export_refused', 'export_refused']);
    expect(reason('GET', '/rooms/r1/api/contents/a?download=0')).toBe('ok');
  });

  it('404 for what cannot be a room id', () => {
    expect(['/rooms/', '/rooms/UPPER/x', '/rooms/-r/x'].map((u) => reason('GET', u))).toEqual(['no_such_room', 'no_such_room', 'no_such_room']);
  });

  it('contents reads are inspected whatever the query says (Jupyter takes the last of repeated arguments); contents writes are marked', () => {
    const v = (m: string, u: string) => {
      const r = checkPath(m, u);
      return r.ok ? [r.inspectContents, r.contentsWrite] : r.reason;
    };
    expect([
      v('GET', '/rooms/r1/api/contents/a.csv'),
      v('GET', '/rooms/r1/api/contents/a.csv?content=0'),
      v('GET', '/rooms/r1/api/contents/a.csv?content=0&content=1'),
      v('PUT', '/rooms/r1/api/contents/a.csv'),
      v('GET', '/rooms/r1/api/contents'),
    ]).toEqual([
      [true, false],
      [true, false],
      [true, false],
      [false, true],
      [true, false],
    ]);
  });
});
