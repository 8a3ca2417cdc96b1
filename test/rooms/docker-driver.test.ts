/**
 * The Docker driver against a real dockerd (Debian `docker.io`, installed if missing) that this file
 * starts on a private unix socket with networking off (`test/rooms/dockerd.ts`), using the real room
 * file system (`workspace-images/build-rootfs.sh`, run here; a no-op when up to date) imported as the
 * room image. Runs the shared conformance suite, then checks the container's hardening as the
 * daemon reports it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerDriver, createImageImporter, containerName, type RoomDriver, type RoomSpec } from '../../control-plane/src/rooms/index.ts';
import { runDriverConformance, waitFor } from './conformance.ts';
import { startDockerd, type TestDockerd } from './dockerd.ts';
import { roomRequest, runInRoom } from './room-client.ts';

const rootfsDir = process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs');
const notRoot = process.getuid?.() !== 0 ? 'dockerd and debootstrap need root' : undefined;
let dockerd: TestDockerd | undefined;
const drivers: RoomDriver[] = [];

beforeAll(async () => {
  if (notRoot) return;
  // The real room file system; the script rebuilds only when its recipe changed.
  execFileSync('bash', [resolve('workspace-images/build-rootfs.sh'), rootfsDir], { stdio: 'pipe', maxBuffer: 256 * 1024 * 1024 });
  dockerd = await startDockerd({ cacheDataRoot: '/var/tmp/analyserom-test-dockerd' });
  // Import up front (about a minute for the 2.4 GB tree, once per machine with the cached data root)
  // so no case pays for it; drop images of earlier room file systems.
  const tag = await createImageImporter(dockerd.docker, rootfsDir)();
  for (const image of await dockerd.docker.listImages({ filters: { label: ['analyserom.image=room'] } })) {
    if (!image.RepoTags?.includes(tag)) await dockerd.docker.getImage(image.Id).remove({ force: true });
  }
}, 3_600_000);
afterAll(async () => {
  for (const d of drivers) await d.close?.();
  await dockerd?.stop();
}, 600_000);

function driver(ownerId: string): RoomDriver {
  if (!dockerd) throw new Error('dockerd not started');
  const d = createDockerDriver({ ownerId, docker: dockerd.docker, rootfsDir });
  drivers.push(d);
  return d;
}

runDriverConformance('docker', ({ ownerId }) => driver(ownerId), { skipAll: notRoot });

describe.skipIf(notRoot)('docker driver specifics', () => {
  let workDir = '';
  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'room-docker-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  function spec(label: string): RoomSpec {
    const dir = join(workDir, label);
    const s: RoomSpec = {
      roomId: `dk-${label}`,
      projectId: 'project-x',
      dataDir: join(dir, 'data'),
      homeDir: join(dir, 'home'),
      outputsDir: join(dir, 'outputs'),
      importsDir: join(dir, 'imports'),
      socketDir: join(dir, 'socket'),
      limits: { memoryBytes: 512 * 1024 * 1024, cpuMillis: 500, pids: 64 },
      jupyterToken: 't'.repeat(40),
      baseUrl: `/rooms/dk-${label}/`,
      program: 'stub',
    };
    mkdirSync(s.dataDir, { recursive: true });
    mkdirSync(s.importsDir, { recursive: true });
    return s;
  }

  it('runs the room with no network, read-only root, no capabilities, uid 1000 and limits, as the daemon reports', async () => {
    const d = driver('specifics');
    const s = spec('shape');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 30_000);
    const info = await dockerd!.docker.getContainer(containerName('specifics', s.roomId)).inspect();
    const h = info.HostConfig;
    expect({
      network: h.NetworkMode,
      readonly: h.ReadonlyRootfs,
      capDrop: h.CapDrop,
      capAdd: h.CapAdd,
      securityOpt: h.SecurityOpt,
      privileged: h.Privileged,
      memory: h.Memory,
      swap: h.MemorySwap,
      nanoCpus: h.NanoCpus,
      pids: h.PidsLimit,
      user: info.Config.User,
      tmpfs: Object.keys(h.Tmpfs ?? {}),
    }).toEqual({
      network: 'none',
      readonly: true,
      capDrop: ['ALL'],
      capAdd: null,
      securityOpt: ['no-new-privileges'],
      privileged: false,
      memory: 512 * 1024 * 1024,
      swap: 512 * 1024 * 1024,
      nanoCpus: 500_000_000,
      pids: 64,
      user: '1000:1000',
      tmpfs: ['/tmp'],
    });
    // NetworkDisabled: not even the `none` network is attached, so there is no address to have.
    expect(Object.values(info.NetworkSettings.Networks ?? {}).filter((n) => n.IPAddress !== '')).toEqual([]);
    expect(info.Mounts.map((m) => `${m.Source}:${m.Destination}:${m.RW ? 'rw' : 'ro'}`).sort()).toEqual([
      `${s.dataDir}:/data:ro`,
      `${s.homeDir}:/home/researcher:rw`,
      `${s.importsDir}:/imports:ro`,
      `${s.outputsDir}:/outputs:rw`,
      `${s.socketDir}:/run/jupyter:rw`,
    ]);
    expect(info.Config.Labels).toMatchObject({ 'analyserom.room-id': s.roomId, 'analyserom.project-id': 'project-x', 'analyserom.owner': 'specifics' });
    expect(info.Config.Cmd?.join(' ')).not.toContain(s.jupyterToken);
    await d.stop(s.roomId);
  });

  it('never hands out a socket path the room can replace: a planted symlink to a host socket is not followed', async () => {
    const d = driver('specifics');
    const s = spec('symlink');
    await d.start(s);
    const obs = await waitFor(d, s.roomId, 'running', 30_000);
    expect(obs.endpoint).toEqual({ kind: 'unix', socketPath: `${s.socketDir}.jupyter.sock` });
    let hostConnections = 0;
    const host = createServer((c) => {
      hostConnections++;
      c.destroy();
    });
    const hostSocket = join(workDir, 'host-daemon.sock');
    await new Promise<void>((r) => host.listen(hostSocket, r));
    try {
      await runInRoom(obs.endpoint!, s, ['sh', '-c', `rm -f /run/jupyter/jupyter.sock && ln -s ${hostSocket} /run/jupyter/jupyter.sock`]);
      const again = await d.poll(s.roomId);
      expect(again.endpoint).toEqual(obs.endpoint);
      expect((await roomRequest(again.endpoint!, { path: `${s.baseUrl}api` })).status).toBe(200);
      expect(hostConnections).toBe(0);
    } finally {
      host.close();
      await d.stop(s.roomId);
    }
  });

  it('imports the room image from the room file system once', async () => {
    const images = await dockerd!.docker.listImages({ filters: { label: ['analyserom.image=room'] } });
    expect(images).toHaveLength(1);
    expect(images[0]!.RepoTags?.[0]).toMatch(/^analyserom-room:[0-9a-f]{16}$/);
    await createImageImporter(dockerd!.docker, rootfsDir)();
    expect(await dockerd!.docker.listImages({ filters: { label: ['analyserom.image=room'] } })).toHaveLength(1);
  });

  it('refuses a data folder that does not exist instead of letting dockerd create it empty', async () => {
    const s = { ...spec('nodata'), dataDir: join(workDir, 'missing') };
    await expect(driver('specifics').start(s)).rejects.toMatchObject({ reason: 'folder_missing' });
  });

  it('reports an unreachable daemon as unavailable, not as a crash', async () => {
    const d = createDockerDriver({ ownerId: 'x', docker: new Docker({ socketPath: join(workDir, 'no.sock') }), rootfsDir });
    await expect(d.poll('dk-any')).rejects.toMatchObject({ reason: 'docker_unavailable' });
    await expect(d.listOwned()).rejects.toMatchObject({ reason: 'docker_unavailable' });
  });
});
