/**
 * Starts of a local JupyterLab room: from `POST /api/projects/:id/rooms` to the first `200` of
 * `GET /rooms/<id>/lab` through the proxy; each room is stopped (and gone) before the next.
 *
 *   pool = false: every start launches a new sandbox and JupyterLab (a true cold start).
 *   pool = true:  the rooms pool (`poolSize: 1`) keeps a standby room prepared for the member, who
 *                 used a room before (one warm-up start, not counted); each measured start waits
 *                 until the standby is ready, as a member arriving after a pause would find it. Each
 *                 standby is its own fresh sandbox with the member's home, the data and a new token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, startPlatform } from '../../control-plane/src/server/index.ts';
import { silentLogger } from '../../control-plane/src/platform/index.ts';
import { request } from 'undici';
import { createRoomsModule } from '../../control-plane/src/rooms/index.ts';

export async function coldStarts(n: number, pool: boolean, log: (line: string) => void): Promise<number[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-rooms-cold-'));
  const platform = await startPlatform(loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: true, demoPassword: 'demo' }), {
    logger: silentLogger,
    modules: [
      createRoomsModule({
        program: 'jupyterlab',
        rootfsDir: process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs'),
        fastReconcileMs: 10,
        localStopGraceMs: 500,
        poolSize: pool ? 1 : 0,
      }),
    ],
  });
  try {
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(`${platform.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
    };
    const roomHostOf = (id: string) => new URL(platform.modules.rooms.hosts.origin(id)).host;
    const { token } = (await call('POST', '/api/auth/token', undefined, { username: 'researcher', password: 'demo' })).body as { token: string };
    const operator = ((await call('POST', '/api/auth/token', undefined, { username: 'operator', password: 'demo' })).body as { token: string }).token;
    const project = ((await call('GET', '/api/projects', token)).body as { id: string }[])[0]!.id;
    const times: number[] = [];
    const standbyReady = async () => {
      for (let k = 0; k < 2400; k++) {
        const live = (await call('GET', '/api/operator/rooms', operator)).body as { wanted: string; state: string }[];
        if (live.some((r) => r.wanted === 'standby' && r.state === 'running')) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no standby room became ready');
    };
    for (let i = pool ? -1 : 0; i < n; i++) {
      if (pool && i >= 0) await standbyReady();
      const t0 = performance.now();
      const room = (await call('POST', `/api/projects/${project}/rooms`, token, {})).body as { id: string };
      let status = 0;
      while (status !== 200) {
        // At the room's own origin: the platform's address with the room's Host.
        const r = await request(`${platform.url}/rooms/${room.id}/lab`, { headers: { host: roomHostOf(room.id), authorization: `Bearer ${token}` } });
        await r.body.dump();
        status = r.statusCode;
        if (performance.now() - t0 > 120_000) throw new Error(`room ${room.id} not answering after 120 s (last ${status})`);
        if (status !== 200) await new Promise((r) => setTimeout(r, 5));
      }
      const s = (performance.now() - t0) / 1000;
      if (i >= 0) times.push(s);
      log(`  ${pool ? 'pooled' : 'cold'} start ${i < 0 ? 'warm-up' : `${i + 1}/${n}`}: ${s.toFixed(3)} s`);
      await call('POST', `/api/rooms/${room.id}/stop`, token);
      for (let k = 0; k < 600 && (await call('GET', `/api/rooms/${room.id}`, token)).body.state !== 'stopped'; k++) await new Promise((r) => setTimeout(r, 50));
    }
    return times;
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
