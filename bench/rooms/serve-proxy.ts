/**
 * A control plane for the throughput benchmark, in its own process: rooms module with the fixed
 * upstream driver, one running room for `researcher`, started as `start.ts` starts every control
 * plane (room requests taken from the HTTP server ahead of Express). Prints `{"url", "token", "roomId", "roomHost"}` when ready;
 * SIGTERM closes it and removes its data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startPlatform } from '../../control-plane/src/server/index.ts';
import { silentLogger } from '../../control-plane/src/platform/index.ts';
import { request } from 'undici';
import { createRoomsModule } from '../../control-plane/src/rooms/index.ts';
import { fixedUpstreamDriver } from './fixed-upstream-driver.ts';

const upstreamSocket = process.argv[2]!;
const dataDir = mkdtempSync(join(tmpdir(), 'bench-rooms-proxy-'));
const platform = await startPlatform(loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: true, demoPassword: 'demo' }), {
  logger: silentLogger,
  modules: [createRoomsModule({ program: 'stub', fastReconcileMs: 20 }, { drivers: () => new Map([['local', fixedUpstreamDriver(upstreamSocket)]]) })],
});
const post = async (path: string, body: unknown, token?: string) => {
  const res = await fetch(`${platform.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return res.json() as Promise<Record<string, any>>;
};
const { token } = await post('/api/auth/token', { username: 'researcher', password: 'demo' });
const projects = (await (await fetch(`${platform.url}/api/projects`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string }[];
// The demo data copy lands in the background after start; ready only once it has, so its one-off
// work does not fall into the first measured round.
for (let i = 0; i < 600; i++) {
  const copies = (await (await fetch(`${platform.url}/api/projects/${projects[0]!.id}/copies`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    copies?: unknown[];
  };
  if (copies.copies?.length) break;
  await new Promise((res) => setTimeout(res, 100));
}
const room = await post(`/api/projects/${projects[0]!.id}/rooms`, {}, token);
// Rooms are served at their own origin: clients connect to the platform's address with the room's Host.
const roomHost = new URL(platform.modules.rooms.hosts.origin(room.id)).host;
for (let i = 0; i < 500; i++) {
  const r = await request(`${platform.url}/rooms/${room.id}/api/status`, { headers: { host: roomHost, authorization: `Bearer ${token}` } });
  await r.body.dump();
  if (r.statusCode === 200) break;
  await new Promise((res) => setTimeout(res, 20));
}
process.stdout.write(`${JSON.stringify({ url: platform.url, token, roomId: room.id, roomHost })}\n`);
process.on('SIGTERM', () => {
  void platform.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
