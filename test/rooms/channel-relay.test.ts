/**
 * A Kubernetes room's channel, for real but for the pod: the relay that runs in the room pod
 * (`workspace-images/jupyter/channel-relay.py`, started here with python3 on loopback and a unix
 * socket), the control plane dialling in to it, and the airlock helper talking to the relay's socket
 * as it would in the room. What only a cluster adds (the Service, the NetworkPolicy admitting 8889
 * from control-plane pods only, the shared emptyDir) is asserted on the rendered objects in
 * kubernetes-driver.test.ts.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { createRoomsModule, type RoomsModule, relaySecretOf, RELAY_KEY, insertRoom, updateRoom, tokenContext } from '../../control-plane/src/rooms/index.ts';
import { keptSecret } from '../../control-plane/src/secrets/index.ts';
import { TEST_ROOM_OPTIONS } from '../proxy/support.ts';
import { freePorts } from '../support/ports.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const RELAY = fileURLToPath(new URL('../../workspace-images/jupyter/channel-relay.py', import.meta.url));
const HELPER = fileURLToPath(new URL('../../workspace-images/airlock-helper/analyserom_airlock.py', import.meta.url));

let p: TestPlatform;
let rooms: RoomsModule;
let projectId = '';
let relayPort: number | undefined;
const work = mkdtempSync(join(tmpdir(), 'tre-relay-'));
const relays: ChildProcess[] = [];

beforeAll(async () => {
  // The module dials relays on the pod's 8889 in a cluster; here on a free loopback port.
  [relayPort] = await freePorts(1);
  p = await startTestPlatform({}, { modules: [createRoomsModule(TEST_ROOM_OPTIONS, { relayPort })] });
  rooms = p.modules.rooms;
  projectId = ((await p.call('GET', '/api/projects', { as: 'researcher' })).body as { id: string }[])[0]!.id;
  const outputs = platformPaths(p.dataDir).outputs(projectId, 'researcher');
  mkdirSync(outputs, { recursive: true });
  writeFileSync(join(outputs, 'tiny.csv'), 'sex,n\nf,1\nf,2\nm,3\n');
}, 120_000);
afterAll(async () => {
  rooms?.dialer.stopAll();
  for (const r of relays) r.kill();
  await p?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A running Kubernetes room in the store, as the reconcile loop leaves it; returns its id and token. */
/** The secret the rooms module presents to a room's relay (from the control plane's kept key). */
async function relaySecret(roomId: string): Promise<string> {
  return relaySecretOf(await keptSecret(p.deps.store, p.deps.box, RELAY_KEY, () => randomBytes(32)), roomId);
}

async function kubernetesRoom(): Promise<{ id: string; token: string }> {
  const id = `r${randomBytes(5).toString('hex')}`;
  const token = randomBytes(32).toString('hex');
  const now = new Date();
  await insertRoom(
    p.deps.store,
    { id, projectId, ownerId: 'researcher', driver: 'kubernetes', program: 'jupyterlab', jupyterTokenSealed: p.deps.box.seal(token, tokenContext(id)) },
    now,
  );
  await updateRoom(p.deps.store, id, { state: 'running', runningAt: now }, now);
  return { id, token };
}

/** Ends a room in the store (one live room per member and project). */
async function endRoom(id: string): Promise<void> {
  rooms.dialer.stop(id);
  await rooms.channels.close(id);
  await updateRoom(p.deps.store, id, { state: 'stopped', wanted: 'stopped', stoppedAt: new Date() }, new Date());
}

async function startRelay(secret: string, waitS = 10, fixedPort?: number): Promise<{ port: number; socket: string }> {
  const [port] = fixedPort ? [fixedPort] : await freePorts(1);
  const socket = join(work, `${port}.sock`);
  const child = spawn('python3', [RELAY, `tcp:127.0.0.1:${port}`, socket], {
    env: { PATH: process.env.PATH!, ANALYSEROM_RELAY_SECRET: secret, ANALYSEROM_RELAY_WAIT_S: String(waitS) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  relays.push(child);
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) throw new Error('the relay did not start');
  return { port: port!, socket };
}

function helper(socket: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'python3',
      [HELPER, ...args],
      {
        env: { PATH: process.env.PATH!, ANALYSEROM_API: socket, ANALYSEROM_PROJECT: projectId, ANALYSEROM_OUTPUTS: work },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function parked(roomId: string, n: number): Promise<void> {
  for (let i = 0; i < 200 && rooms.dialer.parked(roomId) !== n; i++) await new Promise((r) => setTimeout(r, 25));
  expect(rooms.dialer.parked(roomId)).toBe(n);
}

/** A running room whose relay is up and has the control plane's connections parked. */
async function connectedRoom(): Promise<{ id: string; token: string; relay: { port: number; socket: string } }> {
  const room = await kubernetesRoom();
  const relay = await startRelay(await relaySecret(room.id));
  await rooms.channels.open(room.id);
  rooms.dialer.ensure(room.id, { host: '127.0.0.1', port: relay.port, secret: await relaySecret(room.id) });
  await parked(room.id, 2);
  return { ...room, relay };
}

const TINY = ['check-table', '--output', 'tiny.csv', '--method', 'pivot_table', '--index', 'sex'];

describe("a Kubernetes room's channel: the control plane dials in to the relay in the pod", () => {
  it('the helper in the room gets its table checked through the relay, request after request, audited as the room', async () => {
    const room = await connectedRoom();
    const relay = room.relay;

    for (let i = 0; i < 3; i++) {
      const res = await helper(relay.socket, TINY);
      expect(res.code, res.stderr).toBe(4); // the threshold rule fails: the answer came from the real engine
      expect(JSON.parse(res.stdout).rules.threshold).toEqual([
        { row: ['f'], col: ['count'] },
        { row: ['m'], col: ['count'] },
      ]);
    }
    await parked(room.id, 2); // each used connection was replaced
    const entries = await p.deps.store.query<{ actor: string; client_address: string }>(
      "SELECT actor, client_address FROM audit_log WHERE action = 'output.check-table' AND outcome = 'success' AND client_address = $1",
      [`room:${room.id}`],
    );
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.actor === 'researcher')).toBe(true);
    await endRoom(room.id);
  });

  it("admits nothing else through the relay than through a local room's socket", async () => {
    const room = await connectedRoom();
    const relay = room.relay;
    const res = await helper(relay.socket, [
      'check-table',
      '--output',
      'tiny.csv',
      '--method',
      'pivot_table',
      '--index',
      'sex',
      '--project',
      'another-project',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('404');
    const denied = await p.deps.store.query<{ reason: string }>("SELECT reason FROM audit_log WHERE action = 'room.channel.request' AND client_address = $1", [
      `room:${room.id}`,
    ]);
    expect(denied).toEqual([{ reason: 'channel_route_not_allowed' }]);
    await endRoom(room.id);
  });

  it('a relay refuses a control plane without its secret, and the helper is told the control plane is not there', async () => {
    const room = await kubernetesRoom();
    const relay = await startRelay(await relaySecret(room.id), 1);
    await rooms.channels.open(room.id);
    rooms.dialer.ensure(room.id, { host: '127.0.0.1', port: relay.port, secret: 'f'.repeat(64) });
    await new Promise((r) => setTimeout(r, 500));
    expect(rooms.dialer.parked(room.id)).toBeLessThan(2);
    const res = await helper(relay.socket, TINY);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('503');
    await endRoom(room.id);
  });

  it("after a control-plane restart a running room's relay is dialled again; a stopped room's is not", async () => {
    const stopped = await kubernetesRoom();
    await endRoom(stopped.id);
    const room = await kubernetesRoom();
    const relay = await startRelay(await relaySecret(room.id), 10, relayPort);
    for (const r of [room, stopped]) await updateRoom(p.deps.store, r.id, { endpoint: { kind: 'tcp', host: '127.0.0.1', port: 8888 } }, new Date());
    rooms.dialer.stopAll(); // as a control plane stopping
    await rooms.channels.closeAll();
    await rooms.reopenChannels(); // as the next one starting
    await parked(room.id, 2);
    expect(rooms.channels.isOpen(stopped.id)).toBe(false);
    expect(rooms.dialer.parked(stopped.id)).toBe(0);
    const res = await helper(relay.socket, TINY);
    expect(res.code, res.stderr).toBe(4);
  });
});
