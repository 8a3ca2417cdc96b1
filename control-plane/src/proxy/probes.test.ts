import { describe, expect, it } from 'vitest';
import { backgroundProbe, restOf } from './probes.ts';

/** `dest` 'websocket': a handshake as Chromium sends it, with Origin and no Sec-Fetch-* headers. */
const req = (method: string, url: string, dest?: string) => ({
  method,
  url,
  headers: dest === 'websocket' ? { upgrade: 'websocket', origin: 'http://r0123abcd.rooms.localhost' } : dest ? { 'sec-fetch-dest': dest } : {},
});
const probe = (method: string, url: string, dest: string | undefined, reason: string) => backgroundProbe(req(method, url, dest), restOf(url), reason);
const R = '/rooms/r0123abcd';

describe('backgroundProbe', () => {
  it("names JupyterLab's polls of a stopped room or an ended session", () => {
    const polls: [string, string, string?][] = [
      [`${R}/api/kernels?1733333333`, 'room_not_running'],
      [`${R}/api/kernels/4b2a6c1e-1111-4222-8333-944455556666`, 'room_not_running'],
      [`${R}/api/kernels/4b2a6c1e-1111-4222-8333-944455556666/channels?session_id=x`, 'room_not_running', 'websocket'],
      [`${R}/api/sessions`, 'not_authenticated'],
      [`${R}/api/terminals`, 'room_not_running'],
      [`${R}/api/kernelspecs`, 'room_not_running'],
      [`${R}/api/me`, 'not_authenticated'],
      [`${R}/api/events/subscribe`, 'room_not_running', 'websocket'],
      [`${R}/api/contents/data?content=1&hash=0`, 'room_not_running'],
      [`${R}/lab/api/workspaces/default`, 'room_not_running'],
      [`${R}/api/nbconvert`, 'export_refused'],
      ['/favicon.ico', 'no_such_room', 'image'],
    ];
    expect(probe('PUT', `${R}/lab/api/workspaces/default`, 'empty', 'room_not_running')).toBe('lab_api');
    expect(polls.map(([url, reason, dest]) => probe('GET', url, dest ?? 'empty', reason))).toEqual([
      'kernels',
      'kernel',
      'kernel_channels',
      'sessions',
      'terminals',
      'kernelspecs',
      'me',
      'events',
      'listing',
      'lab_api',
      'export_formats',
      'favicon',
    ]);
  });

  it("leaves the researcher's own refused attempts as they are: downloads, exports, file reads, changes, navigations", () => {
    const attempts: [string, string, string | undefined, string][] = [
      ['GET', `${R}/files/data/population.parquet`, 'empty', 'download_refused'],
      ['GET', `${R}/api/nbconvert/html/welcome.ipynb`, 'empty', 'export_refused'],
      ['GET', `${R}/nbconvert/html/welcome.ipynb`, 'empty', 'export_refused'],
      ['GET', `${R}/api/contents/data/population.csv?type=file&format=text&content=1`, 'empty', 'room_not_running'],
      ['GET', `${R}/api/contents/welcome.ipynb?download=1`, 'empty', 'download_refused'],
      ['GET', `${R}/api/contents/data?content=1`, 'empty', 'contents_too_large'],
      ['PUT', `${R}/api/contents/x.ipynb`, 'empty', 'room_not_running'],
      ['PUT', `${R}/lab/api/settings/@jupyterlab/notebook-extension:tracker`, 'empty', 'room_not_running'],
      ['POST', `${R}/api/kernels`, 'empty', 'room_not_running'],
      ['GET', `${R}/api/kernels`, 'document', 'room_not_running'],
      ['GET', `${R}/api/kernels`, undefined, 'room_not_running'],
      ['GET', `${R}/api/kernels`, 'empty', 'not_room_owner'],
      ['GET', `${R}/api/nbconvert`, 'document', 'export_refused'],
      ['GET', `${R}/lab`, 'document', 'room_not_running'],
      ['GET', '/favicon.ico', 'document', 'no_such_room'],
      ['GET', `${R}/api/kernels/4b2a6c1e-1111-4222-8333-944455556666/channels`, 'empty', 'room_not_running'],
      ['GET', `${R}/api/kernels`, 'websocket', 'room_not_running'],
      ['GET', '/api/projects', 'empty', 'no_such_room'],
    ];
    expect(attempts.map(([m, url, dest, reason]) => probe(m, url, dest, reason))).toEqual(attempts.map(() => null));
  });

  it('reads the path below the room, decoded, and nothing that is not a room path', () => {
    expect([restOf(`${R}/api/contents/a%20b?x=1`), restOf(R), restOf('/api/projects'), restOf(`${R}/%E0%A4%A`)]).toEqual([
      '/api/contents/a b',
      '/',
      null,
      null,
    ]);
  });
});
