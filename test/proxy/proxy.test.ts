/**
 * The room proxy on real components: a control plane with embedded PostgreSQL, rooms as real
 * bubblewrap sandboxes (the stub server; JupyterLab for the contents and websocket cases), requests
 * over real sockets.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { dirname } from 'node:path';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import type { RoomView } from '../../control-plane/src/rooms/index.ts';
import { login, upgrade } from './client.ts';
import { enterRoom, loopback, roomCall, roomFetch, roomHost, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from './support.ts';

const skip = roomsUnavailable();

async function addOtherProject(p: RoomsPlatform, member: string): Promise<string> {
  const id = 'p-other-proxy';
  await p.deps.store.query(
    `INSERT INTO projects (id, title, purpose, data_controllers, legal_basis, period_from, period_to, status, created_by)
     VALUES ($1, 'Other project', 'Proxy isolation test', ARRAY['SSB'], 'consent', '2026-01-01', '2027-12-31', 'active', 'admin1')`,
    [id],
  );
  await p.deps.store.query(`INSERT INTO project_members (project_id, user_id, role, added_by) VALUES ($1, $2, 'lead', 'admin1')`, [id, member]);
  await p.deps.store.query(
    `INSERT INTO permits (id, version, project_id, case_type, datasets, period_from, period_to, cohort, linkage_allowed, authorised_persons,
       legal_basis, opt_out_honoured, expires_at, issued_by, reason)
     VALUES ('permit-other', 1, $1, 'one_off', '[]', '2026-01-01', '2027-12-31', '{}', false, ARRAY[$2], 'consent', true, '2027-12-31T00:00:00Z', 'admin1', 'test')`,
    [id, member],
  );
  return id;
}

describe.skipIf(skip !== undefined)(`room proxy${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let p: RoomsPlatform;
  let room: RoomView;
  let leadRoom: RoomView;
  let otherProjectRoom: RoomView;
  beforeAll(async () => {
    p = await startRoomsPlatform();
    room = await p.startRoom('researcher');
    leadRoom = await p.startRoom('lead');
    const other = await addOtherProject(p, 'citizen');
    const r = await p.call('POST', `/api/projects/${other}/rooms`, { as: 'citizen', body: {} });
    otherProjectRoom = await p.waitState(r.body.id, 'running');
  }, 120_000);
  afterAll(async () => {
    for (const r of [room, leadRoom, otherProjectRoom]) if (r) await p.call('POST', `/api/rooms/${r.id}/stop`, { as: 'operator' });
    await p.rooms.reconciler.runOnce();
    await p.stop();
  }, 60_000);

  const audits = async (action: string) =>
    p.deps.store.query<{ actor: string; reason: string | null; object: string; outcome: string }>(
      'SELECT actor, reason, object, outcome FROM audit_log WHERE action = $1 ORDER BY seq',
      [action],
    );

  it("200 for the owner through the proxy, with Jupyter's token added by the proxy", async () => {
    const res = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/lab/tree`, { as: 'researcher' });
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { ok: true, path: `/rooms/${room.id}/lab/tree` } });
    expect(await audits('room.session.open')).toContainEqual({ actor: 'researcher', reason: null, object: `room:${room.id}`, outcome: 'success' });
  });

  it('401 without a session or token, and the refusal is audited', async () => {
    const res = await roomFetch(p, room.id, `/rooms/${room.id}/lab`);
    expect(res.status).toBe(401);
    expect(await audits('room.proxy.refused')).toContainEqual({
      actor: 'anonymous',
      reason: 'not_authenticated',
      object: `room:${room.id}`,
      outcome: 'denied',
    });
  });

  it("403 for a non-member, for another member's room and for another project's room", async () => {
    const nonMember = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/lab`, { as: 'auditor' });
    const otherMember = await roomCall(p, leadRoom.id, 'GET', `/rooms/${leadRoom.id}/lab`, { as: 'researcher' });
    const otherProject = await roomCall(p, otherProjectRoom.id, 'GET', `/rooms/${otherProjectRoom.id}/lab`, { as: 'researcher' });
    const intoMine = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/lab`, { as: 'citizen' });
    expect([nonMember, otherMember, otherProject, intoMine].map((r) => [r.status, r.body.reason])).toEqual([
      [403, 'not_room_owner'],
      [403, 'not_room_owner'],
      [403, 'not_room_owner'],
      [403, 'not_room_owner'],
    ]);
  });

  it('403 for downloads and exports: files/, view/, ?download=1, nbconvert, and encoded or dotted paths are refused', async () => {
    const paths = [
      'files/data.csv',
      'files/',
      'view/data.csv',
      'api/contents/data.csv?download=1',
      'lab/tree?x=1&download=true',
      'nbconvert/html/notebook.ipynb?download=true',
      'api/nbconvert',
      '%66iles/data.csv',
    ];
    const statuses = await Promise.all(
      paths.map(async (path) => {
        const r = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/${path}`, { as: 'researcher' });
        return [path, r.status, r.body.reason];
      }),
    );
    expect(statuses).toEqual(paths.map((path) => [path, 403, path.includes('nbconvert') ? 'export_refused' : 'download_refused']));
    // fetch would resolve the dot segments itself; a raw request sends them as they are.
    const token = await p.token('researcher');
    const dotted = await new Promise<number>((resolve, reject) => {
      const url = new URL(p.url);
      request(
        {
          host: url.hostname,
          port: url.port,
          path: `/rooms/${room.id}/lab/%2e%2e/files/x`,
          headers: { host: roomHost(p, room.id), authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(dotted).toBe(400);
    expect((await audits('room.proxy.refused')).filter((a) => a.reason === 'download_refused' && a.actor === 'researcher').length).toBeGreaterThanOrEqual(6);
  });

  it('413 for an upload above the limit, audited', async () => {
    const big = 'x'.repeat(26 * 1024 * 1024);
    const res = await roomCall(p, room.id, 'PUT', `/rooms/${room.id}/api/contents/big.bin`, {
      as: 'researcher',
      body: { type: 'file', format: 'text', content: big },
    });
    expect({ status: res.status, reason: res.body.reason }).toEqual({ status: 413, reason: 'upload_too_large' });
    expect(await audits('room.proxy.refused')).toContainEqual({
      actor: 'researcher',
      reason: 'upload_too_large',
      object: `room:${room.id}`,
      outcome: 'denied',
    });
  });

  it("the room cookie works for reads; changes must come from the room's origin; the platform session is no credential there", async () => {
    const s = await login(p.url, 'researcher');
    const { cookie } = await enterRoom(p, room.id, s.cookie);
    const own = p.rooms.hosts.origin(room.id);
    const at = (path: string, init: { method?: string; headers: Record<string, string> }) => roomFetch(p, room.id, `/rooms/${room.id}/${path}`, init);
    const statuses = [
      await at('lab', { headers: { cookie } }),
      await at('lab', { headers: { cookie: s.cookie } }),
      await at('api/sessions', { method: 'POST', headers: { cookie } }),
      await at('api/sessions', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } }),
      await at('api/sessions', { method: 'POST', headers: { cookie, origin: p.url, 'x-csrf-token': s.csrfToken } }),
      await at('api/sessions', { method: 'POST', headers: { cookie, origin: own } }),
    ].map((r) => r.status);
    expect(statuses).toEqual([200, 401, 403, 403, 403, 200]);
  });

  it("websocket upgrades: refused without a credential, from a foreign origin, on the platform's host, into another room and where nothing takes them", async () => {
    const s = await login(p.url, 'researcher');
    const { cookie } = await enterRoom(p, room.id, s.cookie);
    const own = p.rooms.hosts.origin(room.id);
    const host = roomHost(p, room.id);
    const path = `/rooms/${room.id}/api/events/subscribe`;
    expect([
      await upgrade(p.url, path, { host }),
      await upgrade(p.url, path, { host, origin: own }),
      await upgrade(p.url, path, { host, cookie, origin: 'https://evil.example' }),
      await upgrade(p.url, path, { host, cookie }),
      await upgrade(p.url, path, { host, cookie, origin: p.url }),
      await upgrade(p.url, path, { cookie: s.cookie, origin: p.url }),
      await upgrade(p.url, `/rooms/${leadRoom.id}/api/events/subscribe`, { host: roomHost(p, leadRoom.id), cookie, origin: p.rooms.hosts.origin(leadRoom.id) }),
      await upgrade(p.url, `/rooms/${leadRoom.id}/api/events/subscribe`, { host, cookie, origin: own }),
      await upgrade(p.url, '/api/me', { cookie: s.cookie, origin: p.url }),
    ]).toEqual([401, 401, 403, 403, 403, 404, 401, 404, 404]);
    expect((await audits('room.proxy.refused')).some((a) => a.reason === 'bad_origin')).toBe(true);
  });

  it('activity is recorded on successful responses only', async () => {
    const activity = async () => (await p.call('GET', `/api/rooms/${leadRoom.id}`, { as: 'lead' })).body.lastActivityAt as string | null;
    expect(await activity()).toBeNull();
    p.clock.advance(60_000);
    await roomCall(p, leadRoom.id, 'GET', `/rooms/${leadRoom.id}/files/x`, { as: 'lead' });
    await roomFetch(p, leadRoom.id, `/rooms/${leadRoom.id}/lab`);
    await roomCall(p, leadRoom.id, 'GET', `/rooms/${leadRoom.id}/lab`, { as: 'researcher' });
    expect(await activity()).toBeNull();
    await roomCall(p, leadRoom.id, 'GET', `/rooms/${leadRoom.id}/lab`, { as: 'lead' });
    for (let i = 0; i < 50 && (await activity()) === null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await activity()).toBe(p.clock.now().toISOString());
  });

  it("the platform's cookie and Authorization never reach the room (echo upstream)", async () => {
    const echo: Server = createServer((req, res) => res.end(JSON.stringify(req.headers)));
    const socketPath = `${p.dataDir}/echo.sock`;
    await new Promise<void>((r) => echo.listen(socketPath, r));
    // The room's endpoint is pointed at an echo server on a unix socket, as a driver would report it.
    const echoRoom = leadRoom.id;
    await p.deps.store.query(`UPDATE rooms SET endpoint = $2 WHERE id = $1`, [echoRoom, JSON.stringify({ kind: 'unix', socketPath })]);
    try {
      const s = await login(p.url, 'lead');
      const { cookie } = await enterRoom(p, echoRoom, s.cookie);
      const viaCookie = await roomFetch(p, echoRoom, `/rooms/${echoRoom}/x`, {
        headers: { cookie: `${cookie}; ${s.cookie}; _xsrf=abc`, 'x-csrf-token': s.csrfToken },
      });
      const viaBearer = await roomFetch(p, echoRoom, `/rooms/${echoRoom}/x`, { headers: { authorization: `Bearer ${await p.token('lead')}` } });
      const seen = [await viaCookie.json(), await viaBearer.json()] as Record<string, string>[];
      for (const h of seen) {
        expect(h.authorization).toMatch(/^token [0-9a-f]{64}$/);
        expect(JSON.stringify(h)).not.toContain('tre_s_');
        expect(JSON.stringify(h)).not.toContain('tre_r_');
        expect(JSON.stringify(h)).not.toContain('tre_t_');
        expect(h['x-csrf-token']).toBeUndefined();
      }
      expect(seen[0]!.cookie).toBe('_xsrf=abc');
      expect(seen[1]!.cookie).toBeUndefined();
    } finally {
      echo.close();
    }
  });

  it("bodies stream both ways whole, repeated response headers survive, and a client going away cancels the room's request", async () => {
    let cancelled: () => void = () => undefined;
    const cancelledSeen = new Promise<void>((r) => (cancelled = r));
    const upstream: Server = createServer((req, res) => {
      if (req.url!.endsWith('/endless')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('tick\n'), 10);
        res.on('close', () => {
          clearInterval(timer);
          cancelled();
        });
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        // Chunked answer (no length) in several writes, with two Set-Cookie headers.
        res.writeHead(201, { 'content-type': 'application/octet-stream', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
        const body = Buffer.concat(chunks);
        for (let i = 0; i < body.length; i += 65_536) res.write(body.subarray(i, i + 65_536));
        res.end();
      });
    });
    const socketPath = `${p.dataDir}/stream.sock`;
    await new Promise<void>((r) => upstream.listen(socketPath, r));
    await p.deps.store.query(`UPDATE rooms SET endpoint = $2 WHERE id = $1`, [leadRoom.id, JSON.stringify({ kind: 'unix', socketPath })]);
    try {
      const auth = { authorization: `Bearer ${await p.token('lead')}` };
      const sent = Buffer.alloc(1_000_000, 'x');
      const res = await roomFetch(p, leadRoom.id, `/rooms/${leadRoom.id}/api/echo`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/octet-stream' },
        body: sent,
      });
      expect({ status: res.status, cookies: res.headers.getSetCookie(), same: Buffer.from(await res.arrayBuffer()).equals(sent) }).toEqual({
        status: 201,
        cookies: ['a=1; Path=/', 'b=2; Path=/'],
        same: true,
      });

      const abort = new AbortController();
      const endless = await roomFetch(p, leadRoom.id, `/rooms/${leadRoom.id}/endless`, { headers: auth, signal: abort.signal });
      const reader = endless.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('tick');
      abort.abort();
      await cancelledSeen;
    } finally {
      upstream.close();
    }
    // Nobody listening on the room's socket any more: 502, said as a problem.
    const gone = await roomCall(p, leadRoom.id, 'GET', `/rooms/${leadRoom.id}/api/echo`, { as: 'lead' });
    expect({ status: gone.status, reason: gone.body.reason }).toEqual({ status: 502, reason: 'room_unreachable' });
  });
});

describe.skipIf(skip !== undefined)('room proxy in front of JupyterLab', () => {
  let p: RoomsPlatform;
  let room: RoomView;
  beforeAll(async () => {
    p = await startRoomsPlatform({ program: 'jupyterlab' });
    const home = platformPaths(p.dataDir).home(p.projectId, 'researcher');
    mkdirSync(home, { recursive: true });
    writeFileSync(`${home}/small.txt`, 'hello\n');
    writeFileSync(`${home}/large.csv`, 'id,value\n'.repeat(10_000));
    writeFileSync(`${home}/analysis.ipynb`, JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    mkdirSync(dirname(home), { recursive: true });
    const r = await p.call('POST', `/api/projects/${p.projectId}/rooms`, { as: 'researcher', body: {} });
    room = await p.waitState(r.body.id, 'running', 120_000);
  }, 180_000);
  afterAll(async () => {
    if (room) await p.call('POST', `/api/rooms/${room.id}/stop`, { as: 'operator' });
    await p.rooms.reconciler.runOnce();
    await p.stop();
  }, 60_000);

  it('JupyterLab answers 200 through the proxy', async () => {
    const res = await roomCall(p, room.id, 'GET', `/rooms/${room.id}/lab`, { as: 'researcher' });
    expect(res.status).toBe(200);
    expect(String(res.body)).toContain('JupyterLab');
  });

  it('contents reads: notebooks and small files pass, a large non-notebook file is refused and audited with who asked', async () => {
    const read = async (path: string) => (await roomCall(p, room.id, 'GET', `/rooms/${room.id}/api/contents/${path}`, { as: 'researcher' })).status;
    expect([await read('analysis.ipynb'), await read('small.txt'), await read('large.csv'), await read('large.csv?content=0'), await read('')]).toEqual([
      200, 200, 403, 200, 200,
    ]);
    const refused = await p.deps.store.query<{ actor: string; project_id: string | null; details: { file?: string } }>(
      `SELECT actor, project_id, details FROM audit_log WHERE action = 'room.proxy.refused' AND reason = 'contents_too_large' AND object = $1`,
      [`room:${room.id}`],
    );
    expect(refused.map((r) => ({ actor: r.actor, projectId: r.project_id, file: r.details.file }))).toEqual([
      { actor: 'researcher', projectId: p.projectId, file: 'large.csv' },
    ]);
  });

  it('an upload of a file within the limit reaches the room and is audited', async () => {
    const res = await roomCall(p, room.id, 'PUT', `/rooms/${room.id}/api/contents/uploaded.txt`, {
      as: 'researcher',
      body: { type: 'file', format: 'text', content: 'hello' },
    });
    expect(res.status).toBe(201);
    const audited = await p.deps.store.query<{ details: unknown }>(`SELECT details FROM audit_log WHERE action = 'room.upload' AND object = $1`, [
      `room:${room.id}`,
    ]);
    expect(audited.map((a) => a.details)).toEqual([{ path: 'uploaded.txt', bytes: expect.any(Number), type: 'file' }]);
  });

  it("websocket for the owner with the room cookie from the room's origin, or a bearer, switches protocols", async () => {
    const s = await login(p.url, 'researcher');
    const { cookie } = await enterRoom(p, room.id, s.cookie);
    const host = roomHost(p, room.id);
    expect(await upgrade(p.url, `/rooms/${room.id}/api/events/subscribe`, { host, cookie, origin: p.rooms.hosts.origin(room.id) })).toBe(101);
    expect(await upgrade(p.url, `/rooms/${room.id}/api/events/subscribe`, { host, authorization: `Bearer ${await p.token('researcher')}` })).toBe(101);
  });

  it('a kernel answers over its websocket channels through the proxy (messages both ways)', async () => {
    const kernel = await roomCall(p, room.id, 'POST', `/rooms/${room.id}/api/kernels`, { as: 'researcher', body: { name: 'python3' } });
    expect(kernel.status).toBe(201);
    const url = `${p.rooms.hosts.wsOrigin(room.id)}/rooms/${room.id}/api/kernels/${kernel.body.id}/channels`;
    const ws = new WebSocket(url, { dispatcher: loopback, headers: { authorization: `Bearer ${await p.token('researcher')}` } });
    const msgId = randomUUID();
    const reply = await new Promise<{ msg_type: string; parent: string; status: string }>((resolve, reject) => {
      ws.onerror = () => reject(new Error('websocket failed'));
      ws.onopen = () =>
        ws.send(
          JSON.stringify({
            header: {
              msg_id: msgId,
              msg_type: 'kernel_info_request',
              username: 'researcher',
              session: randomUUID(),
              date: new Date().toISOString(),
              version: '5.3',
            },
            parent_header: {},
            metadata: {},
            content: {},
            channel: 'shell',
            buffers: [],
          }),
        );
      ws.onmessage = (ev) => {
        const m = JSON.parse(String(ev.data)) as { msg_type: string; parent_header: { msg_id?: string }; content: { status?: string } };
        if (m.msg_type === 'kernel_info_reply') resolve({ msg_type: m.msg_type, parent: m.parent_header.msg_id ?? '', status: m.content.status ?? '' });
      };
    });
    ws.close();
    expect(reply).toEqual({ msg_type: 'kernel_info_reply', parent: msgId, status: 'ok' });
    await roomCall(p, room.id, 'DELETE', `/rooms/${room.id}/api/kernels/${kernel.body.id}`, { as: 'researcher' });
  }, 120_000);
});
