/**
 * A room has no network, but vsock is not network-namespaced: on a virtual machine (this one, a
 * cloud VM, Firecracker) a room could open an AF_VSOCK socket and reach the hypervisor host's
 * services, out of the room without the airlock. The seccomp filter refuses that socket family;
 * a room's own loopback and unix sockets keep working.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDriver } from '../../control-plane/src/rooms/drivers/local/index.ts';
import type { RoomDriver, RoomObservation, RoomSpec } from '../../control-plane/src/rooms/drivers/types.ts';
import { waitFor } from '../rooms/conformance.ts';
import { pythonInRoom } from '../rooms/room-client.ts';

const rootfsDir = process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs');

function missing(): string | undefined {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'bubblewrap is not installed';
  }
  return existsSync(join(rootfsDir, 'usr/bin/jupyter-lab')) ? undefined : `room file system not built at ${rootfsDir}`;
}
const skipReason = missing();

describe.skipIf(skipReason !== undefined)(`a room's sockets${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let work = '';
  let driver: RoomDriver;
  let spec: RoomSpec;
  let obs: RoomObservation;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'room-vsock-'));
    chmodSync(work, 0o755);
    const id = `vs-${randomBytes(3).toString('hex')}`;
    spec = {
      roomId: id, projectId: 'p-vsock', dataDir: join(work, 'data'), homeDir: join(work, 'home'),
      outputsDir: join(work, 'outputs'), importsDir: join(work, 'imports'), socketDir: join(work, 'socket'),
      limits: { memoryBytes: 2 * 1024 ** 3, cpuMillis: 1000, pids: 256 },
      jupyterToken: randomBytes(24).toString('hex'), baseUrl: `/rooms/${id}/`, program: 'stub',
    };
    mkdirSync(spec.dataDir, { recursive: true });
    driver = createLocalDriver({ ownerId: `vs-${id}`, rootfsDir, stateDir: join(work, 'state'), stopGraceMs: 200 });
    await driver.start(spec);
    obs = await waitFor(driver, spec.roomId, 'running', 30_000);
  });

  afterAll(async () => {
    if (driver) await driver.stop(spec.roomId);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses AF_VSOCK sockets with EPERM, and still makes unix and loopback sockets', async () => {
    const res = await pythonInRoom(obs.endpoint!, spec, [
      'import json, socket',
      'out = {}',
      'for name, family, kind in [("vsock-stream", 40, socket.SOCK_STREAM), ("vsock-dgram", 40, socket.SOCK_DGRAM), ("unix", socket.AF_UNIX, socket.SOCK_STREAM), ("inet", socket.AF_INET, socket.SOCK_STREAM)]:',
      '    try:',
      '        socket.socket(family, kind).close(); out[name] = "allowed"',
      '    except OSError as e:',
      '        out[name] = e.errno',
      'print(json.dumps(out))',
    ].join('\n'));
    expect(JSON.parse(res.stdout)).toEqual({ 'vsock-stream': 1, 'vsock-dgram': 1, unix: 'allowed', inet: 'allowed' });
  });
});
