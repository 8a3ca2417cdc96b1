/**
 * Rooms on their own origins, over real sockets against a real control plane and real rooms (the
 * stub server; one room pointed at a hostile upstream on a unix socket, as a researcher's own
 * server in the room could answer): a room host serves only its room, the platform's host proxies
 * none, hand-off codes work once and only for their room and owner, and a room's answer carries
 * the platform's policy, not its own, and sets no platform cookie.
 */
import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomView } from '../../control-plane/src/rooms/index.ts';
import { login } from '../proxy/client.ts';
import { enterRoom, roomCall, roomFetch, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';

const skip = roomsUnavailable();

describe.skipIf(skip !== undefined)(`room origins${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let p: RoomsPlatform;
  let room: RoomView;
  let leadRoom: RoomView;
  beforeAll(async () => {
    p = await startRoomsPlatform();
    room = await p.startRoom('researcher');
    leadRoom = await p.startRoom('lead');
  }, 120_000);
  afterAll(async () => {
    for (const r of [room, leadRoom]) if (r) await p.call('POST', `/api/rooms/${r.id}/stop`, { as: 'operator' });
    await p.rooms.reconciler.runOnce();
    await p.stop();
  }, 60_000);

  const refusals = async () =>
    (await p.deps.store.query<{ reason: string }>(`SELECT reason FROM audit_log WHERE action = 'room.proxy.refused' ORDER BY seq`)).map((r) => r.reason);

  it("a room host serves its room only: not the platform's API or UI, not another room's path, and a rooms-domain name that is no room serves nothing", async () => {
    const at = (path: string) => roomCall(p, room.id, 'GET', path, { as: 'researcher' });
    const results = [
      await at(`/rooms/${room.id}/api/status`),
      await at('/api/me'),
      await at('/api/openapi.json'),
      await at('/'),
      await at('/healthz'),
      await at(`/rooms/${leadRoom.id}/api/status`),
    ].map((r) => [r.status, r.status >= 400 ? r.body.reason : null]);
    expect(results).toEqual([
      [200, null],
      [404, 'no_such_room'],
      [404, 'no_such_room'],
      [302, null],
      [404, 'no_such_room'],
      [404, 'wrong_room_host'],
    ]);
    const r = await request(`${p.url}/api/me`, { headers: { host: `not_a.room.${p.rooms.hosts.domain()}` } });
    const bogus = [r.statusCode, ((await r.body.json()) as { reason: string }).reason];
    expect(bogus).toEqual([404, 'no_such_room']);
    expect(await refusals()).toEqual(expect.arrayContaining(['wrong_room_host', 'no_such_room']));
  });

  it("the platform's host proxies no room: changes there are refused, a page load is handed off, an anonymous one sent to log in", async () => {
    const token = await p.token('researcher');
    const post = await fetch(`${p.url}/rooms/${room.id}/api/sessions`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const anonymous = await fetch(`${p.url}/rooms/${room.id}/lab`, { redirect: 'manual', headers: { accept: 'text/html' } });
    const owner = await fetch(`${p.url}/rooms/${room.id}/lab`, { redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    const other = await fetch(`${p.url}/rooms/${leadRoom.id}/lab`, { redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    expect([
      [post.status, ((await post.json()) as { reason: string }).reason],
      [anonymous.status, anonymous.headers.get('location')],
      [owner.status, owner.headers.get('location')?.replace(/code=[^&]+/, 'code=C')],
      [other.status, ((await other.json()) as { reason: string }).reason],
    ]).toEqual([
      [404, 'room_moved'],
      [303, '/'],
      [303, `${p.rooms.hosts.origin(room.id)}/_tre/handoff?code=C&next=${encodeURIComponent(`/rooms/${room.id}/lab`)}`],
      [403, 'not_room_owner'],
    ]);
  });

  it("a hand-off code works once, only on its own room's host, and the API issues none for another's room", async () => {
    const issued = await p.call('POST', `/api/rooms/${room.id}/handoff`, { as: 'researcher', body: { next: `/rooms/${room.id}/lab/tree` } });
    const url = new URL(issued.body.url as string);
    const elsewhere = await roomFetch(p, leadRoom.id, `${url.pathname}${url.search}`);
    const once = await roomFetch(p, room.id, `${url.pathname}${url.search}`);
    const twice = await roomFetch(p, room.id, `${url.pathname}${url.search}`);
    const notMine = await p.call('POST', `/api/rooms/${leadRoom.id}/handoff`, { as: 'researcher', body: {} });
    expect([issued.status, elsewhere.status, once.status, twice.status, notMine.status, notMine.body.reason]).toEqual([
      201,
      403,
      403,
      403,
      403,
      'not_room_owner',
    ]);
    // The code was spent by the attempt on the wrong host: a code is tried once, wherever.
    const fresh = await p.call('POST', `/api/rooms/${room.id}/handoff`, { as: 'researcher', body: { next: 'https://evil.example/' } });
    const u2 = new URL(fresh.body.url as string);
    const entered = await roomFetch(p, room.id, `${u2.pathname}${u2.search}`);
    expect({
      status: entered.status,
      next: (await entered.text()).match(/url=([^"]+)"/)?.[1],
      cookie: entered.headers.get('set-cookie')?.replace(/=tre_r_[^;]+/, '=S'),
    }).toEqual({ status: 200, next: `/rooms/${room.id}/lab`, cookie: 'tre_room=S; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800' });
  });

  it('a room cookie ends with the platform session or API token its hand-off was asked with', async () => {
    const status = async (cookie: string) => (await roomFetch(p, room.id, `/rooms/${room.id}/api/status`, { headers: { cookie } })).status;
    const s = await login(p.url, 'researcher');
    const viaSession = (await enterRoom(p, room.id, s.cookie)).cookie;
    const token = await p.token('researcher');
    const issued = await p.call('POST', `/api/rooms/${room.id}/handoff`, { as: 'researcher', body: {} });
    const u = new URL(issued.body.url as string);
    const viaToken = (await roomFetch(p, room.id, `${u.pathname}${u.search}`)).headers.get('set-cookie')!.split(';')[0]!;
    const before = [await status(viaSession), await status(viaToken)];
    await fetch(`${p.url}/api/auth/logout`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken } });
    await p.deps.store.query("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", [token]);
    p.forgetTokens();
    expect({ before, after: [await status(viaSession), await status(viaToken)] }).toEqual({ before: [200, 200], after: [401, 401] });
  });

  it("a room's answer carries the platform's policy for rooms, never its own CSP or a platform cookie", async () => {
    const hostile: Server = createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html',
        'content-security-policy': "default-src * 'unsafe-inline'",
        'x-frame-options': 'ALLOWALL',
        'set-cookie': ['tre_session=stolen; Path=/', '__Host-tre_room=x; Path=/; Secure', '_xsrf=ok; Path=/'],
      });
      res.end('<p>hi</p>');
    });
    const socketPath = `${p.dataDir}/hostile.sock`;
    await new Promise<void>((r) => hostile.listen(socketPath, r));
    await p.deps.store.query('UPDATE rooms SET endpoint = $2 WHERE id = $1', [leadRoom.id, JSON.stringify({ kind: 'unix', socketPath })]);
    try {
      const s = await login(p.url, 'lead');
      const { cookie } = await enterRoom(p, leadRoom.id, s.cookie);
      const res = await roomFetch(p, leadRoom.id, `/rooms/${leadRoom.id}/page`, { headers: { cookie } });
      const own = p.rooms.hosts.origin(leadRoom.id);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect({ status: res.status, cookies: res.headers.getSetCookie(), xfo: res.headers.get('x-frame-options') }).toEqual({
        status: 200,
        cookies: ['_xsrf=ok; Path=/'],
        xfo: null,
      });
      expect(csp.split('; ')).toEqual(
        expect.arrayContaining([
          `default-src 'self' ${own}`,
          `connect-src 'self' ${own} ${own.replace('http', 'ws')}`,
          `img-src 'self' ${own} data: blob:`,
          `form-action 'self' ${own}`,
          `frame-src 'self' ${own}`,
          `frame-ancestors ${new URL(p.url).origin}`,
          "object-src 'none'",
          "base-uri 'self'",
        ]),
      );
      expect(csp).not.toContain('*');
    } finally {
      hostile.close();
    }
  });
});
