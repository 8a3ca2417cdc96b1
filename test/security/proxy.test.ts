/**
 * The room proxy against a hostile client, on real components (a control plane with embedded
 * PostgreSQL, rooms as real bubblewrap sandboxes: the stub server, and JupyterLab for contents).
 *
 *   - The access cache once keyed a whitespace bearer (`Bearer \u00a0`) that authentication
 *     ignored in favour of the cookie: the owner's request admitted, under that key, an anonymous
 *     one with the same header for the cache's lifetime.
 *   - `?content=0&content=1` once passed a large file as a "no content" read (Jupyter, through
 *     tornado, takes the last value).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import type { RoomView } from '../../control-plane/src/rooms/index.ts';
import { login } from '../proxy/client.ts';
import { enterRoom, roomCall, roomHost, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';

const skip = roomsUnavailable();

/** A raw GET at a room's host (fetch would refuse or re-encode some header bytes). */
function rawGet(p: RoomsPlatform, roomId: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(p.url);
  return new Promise((resolve, reject) => {
    request({ host: url.hostname, port: url.port, path, agent: false, headers: { host: roomHost(p, roomId), ...headers } }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe.skipIf(skip !== undefined)(`proxy credentials${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let p: RoomsPlatform;
  let room: RoomView;
  beforeAll(async () => {
    // Decisions cached for a minute: what a cached decision is filed under is what is tested.
    p = await startRoomsPlatform({ proxyAuthCacheMs: 60_000 });
    room = await p.startRoom('researcher');
  }, 120_000);
  afterAll(async () => {
    if (room) await p.call('POST', `/api/rooms/${room.id}/stop`, { as: 'operator' });
    await p.rooms.reconciler.runOnce();
    await p.stop();
  }, 60_000);

  it("a whitespace or empty bearer is no credential: the owner's cookie beside it admits nothing, and an anonymous client with the same header is refused", async () => {
    const s = await login(p.url, 'researcher');
    const { cookie } = await enterRoom(p, room.id, s.cookie);
    const path = `/rooms/${room.id}/api/status`;
    const results: [string, number][] = [];
    for (const bearer of ['Bearer \u00a0', 'Bearer ', 'Bearer \t', 'Bearer  x y', 'bearer\u00a0']) {
      const owner = await rawGet(p, room.id, path, { cookie, authorization: bearer });
      const anonymous = await rawGet(p, room.id, path, { authorization: bearer });
      results.push([`owner ${JSON.stringify(bearer)}`, owner.status], [`anonymous ${JSON.stringify(bearer)}`, anonymous.status]);
    }
    // The owner's cookie alone is admitted (also beside JupyterLab's own `token` scheme), and that admits no one else.
    results.push(
      ['owner cookie', (await rawGet(p, room.id, path, { cookie })).status],
      ['owner cookie, token scheme', (await rawGet(p, room.id, path, { cookie, authorization: 'token abc' })).status],
    );
    results.push(
      ['anonymous after', (await rawGet(p, room.id, path, {})).status],
      ['anonymous token scheme', (await rawGet(p, room.id, path, { authorization: 'token abc' })).status],
    );
    expect(results).toEqual([
      ['owner "Bearer \u00a0"', 401],
      ['anonymous "Bearer \u00a0"', 401],
      ['owner "Bearer "', 401],
      ['anonymous "Bearer "', 401],
      ['owner "Bearer \\t"', 401],
      ['anonymous "Bearer \\t"', 401],
      ['owner "Bearer  x y"', 401],
      ['anonymous "Bearer  x y"', 401],
      ['owner "bearer\u00a0"', 401],
      ['anonymous "bearer\u00a0"', 401],
      ['owner cookie', 200],
      ['owner cookie, token scheme', 200],
      ['anonymous after', 401],
      ['anonymous token scheme', 401],
    ]);
  });

  it("the platform's session cookie is no credential on a room host, even for the owner", async () => {
    const s = await login(p.url, 'researcher');
    const res = await rawGet(p, room.id, `/rooms/${room.id}/api/status`, { cookie: s.cookie });
    expect(res.status).toBe(401);
  });
});

describe.skipIf(skip !== undefined)('proxy contents guard in front of JupyterLab', () => {
  let p: RoomsPlatform;
  let room: RoomView;
  beforeAll(async () => {
    p = await startRoomsPlatform({ program: 'jupyterlab' });
    const home = platformPaths(p.dataDir).home(p.projectId, 'researcher');
    mkdirSync(home, { recursive: true });
    writeFileSync(`${home}/big.csv`, 'id,value\n'.repeat(550_000));
    room = await p.startRoom('researcher');
  }, 180_000);
  afterAll(async () => {
    if (room) await p.call('POST', `/api/rooms/${room.id}/stop`, { as: 'operator' });
    await p.rooms.reconciler.runOnce();
    await p.stop();
  }, 60_000);

  it('403 for a 5 MB file asked with repeated or disguised content arguments; a read without content still passes', async () => {
    const read = async (query: string) => {
      const r = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/api/contents/big.csv${query}`, { as: 'researcher' });
      return [query, r.status, r.status === 200 ? (r.body as { content: unknown }).content === null : r.body.reason];
    };
    expect([await read('?content=0&content=1'), await read('?content=0&content=1+'), await read('?content=0&content=%31'), await read('?content=0')]).toEqual([
      ['?content=0&content=1', 403, 'contents_too_large'],
      ['?content=0&content=1+', 403, 'contents_too_large'],
      ['?content=0&content=%31', 403, 'contents_too_large'],
      ['?content=0', 200, true],
    ]);
  });
});
