/**
 * The local (bubblewrap) driver against the room driver conformance suite, plus what is specific to
 * it: the seccomp program and the sandbox's command line. Needs root or unprivileged user namespaces,
 * bubblewrap, and the room file system (`workspace-images/build-rootfs.sh`); without them the suite
 * is skipped with that reason.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDriver, buildSeccompFilter, bwrapArgs, roomEnv } from '../../control-plane/src/rooms/index.ts';
import { runDriverConformance, waitFor } from './conformance.ts';

const rootfsDir = process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs');
const stateDir = mkdtempSync(join(tmpdir(), 'room-local-state-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function missing(): string | undefined {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'bubblewrap is not installed (apt-get install bubblewrap)';
  }
  if (!existsSync(join(rootfsDir, 'usr/bin/jupyter-lab'))) {
    return `room file system not built at ${rootfsDir} (run workspace-images/build-rootfs.sh)`;
  }
  return undefined;
}

runDriverConformance('local', ({ ownerId }) => createLocalDriver({ ownerId, rootfsDir, stateDir, stopGraceMs: 500 }), {
  skipAll: missing(),
});

describe('local driver sandbox shape', () => {
  const spec = {
    roomId: 'r1',
    projectId: 'p1',
    dataDir: '/srv/data',
    homeDir: '/srv/home',
    outputsDir: '/srv/out',
    importsDir: '/srv/in',
    socketDir: '/srv/sock',
    limits: { memoryBytes: 1 << 30, cpuMillis: 500, pids: 64 },
    jupyterToken: 't'.repeat(40),
    baseUrl: '/rooms/r1/',
  };

  it('keeps the token out of the command line and in the environment', () => {
    const argv = bwrapArgs({ rootfsDir: '/rootfs', spec, labels: 'l', useRlimits: true });
    expect(argv.join(' ')).not.toContain(spec.jupyterToken);
    expect(roomEnv(spec).JUPYTER_TOKEN).toBe(spec.jupyterToken);
  });

  it('mounts only the rootfs read-only and the room folders, with every namespace unshared', () => {
    const argv = bwrapArgs({ rootfsDir: '/rootfs', spec, labels: 'l', useRlimits: true });
    const mounts: string[] = [];
    argv.forEach((a, i) => {
      if (a === '--bind' || a === '--ro-bind') mounts.push(`${a} ${argv[i + 1]} ${argv[i + 2]}`);
    });
    expect(mounts).toEqual([
      '--ro-bind /rootfs /',
      '--bind /srv/sock /run/jupyter',
      '--ro-bind /srv/data /data',
      '--ro-bind /srv/in /imports',
      '--bind /srv/home /home/researcher',
      '--bind /srv/out /outputs',
    ]);
    for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--new-session']) expect(argv).toContain(flag);
    expect(argv).not.toContain('--share-net');
    expect(argv).not.toContain('--die-with-parent');
    expect(argv.slice(argv.indexOf('--cap-drop'), argv.indexOf('--cap-drop') + 2)).toEqual(['--cap-drop', 'ALL']);
  });

  it('builds a seccomp program of whole 8-byte instructions ending in allow', () => {
    const filter = buildSeccompFilter('x64');
    expect(filter.length % 8).toBe(0);
    expect(filter.readUInt16LE(filter.length - 8)).toBe(0x06);
    expect(filter.readUInt32LE(filter.length - 4)).toBe(0x7fff0000);
    expect(() => buildSeccompFilter('arm64')).toThrow(/no room seccomp filter/);
  });
});

describe.skipIf(missing() !== undefined)('local driver with a cgroup v2 hierarchy', () => {
  // This host has cgroups v1 only, so the hierarchy is a folder standing in for /sys/fs/cgroup: the
  // test shows the room is put into its own cgroup, with the limits written, before bubblewrap runs.
  it('enters the room into its cgroup with memory, cpu and pids limits before bubblewrap runs', async () => {
    const work = mkdtempSync(join(tmpdir(), 'room-cgroup-'));
    chmodSync(work, 0o755);
    const cgroupRoot = join(work, 'cgroup');
    mkdirSync(cgroupRoot);
    writeFileSync(join(cgroupRoot, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const driver = createLocalDriver({ ownerId: `cg-${process.pid}`, rootfsDir, stateDir: join(work, 'state'), cgroupRoot, stopGraceMs: 200 });
    const spec = {
      roomId: 'cg-room',
      projectId: 'p',
      dataDir: join(work, 'data'),
      homeDir: join(work, 'home'),
      outputsDir: join(work, 'out'),
      importsDir: join(work, 'in'),
      socketDir: join(work, 'sock'),
      limits: { memoryBytes: 512 * 1024 ** 2, cpuMillis: 250, pids: 64 },
      jupyterToken: 'k'.repeat(40),
      baseUrl: '/rooms/cg-room/',
      program: 'stub' as const,
    };
    mkdirSync(spec.dataDir);
    try {
      await driver.start(spec);
      const obs = await waitFor(driver, spec.roomId, 'running', 30_000);
      const dir = join(cgroupRoot, 'analyserom-rooms', spec.roomId);
      const read = (f: string) => readFileSync(join(dir, f), 'utf8').trim();
      expect({
        limits: obs.limits,
        memory: read('memory.max'),
        cpu: read('cpu.max'),
        pids: read('pids.max'),
        enteredBy: Number(read('cgroup.procs')),
        subtree: readFileSync(join(cgroupRoot, 'analyserom-rooms', 'cgroup.subtree_control'), 'utf8'),
      }).toEqual({
        limits: { memory: 'cgroup', cpu: 'cgroup', pids: 'cgroup' },
        memory: String(512 * 1024 ** 2),
        cpu: '25000 100000',
        pids: '64',
        enteredBy: (driver.getState(spec.roomId) as unknown as { pid: number }).pid,
        subtree: '+memory +cpu +pids',
      });
    } finally {
      await driver.stop(spec.roomId);
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe.skipIf(missing() !== undefined)('local driver across a control-plane process exit', () => {
  // The conformance suite re-adopts from a new driver instance in the same process; this one lets
  // the process that started the room exit, as a control-plane restart does.
  it('keeps the room running after the starting process exits and re-adopts it from saved state', async () => {
    const work = mkdtempSync(join(tmpdir(), 'room-exit-'));
    chmodSync(work, 0o755);
    const id = `exit-${randomBytes(3).toString('hex')}`;
    const spec = {
      roomId: id,
      projectId: 'p',
      dataDir: join(work, 'data'),
      homeDir: join(work, 'home'),
      outputsDir: join(work, 'out'),
      importsDir: join(work, 'in'),
      socketDir: join(work, 'sock'),
      limits: { memoryBytes: 1024 ** 3, cpuMillis: 500, pids: 64 },
      jupyterToken: randomBytes(24).toString('hex'),
      baseUrl: `/rooms/${id}/`,
      program: 'stub' as const,
    };
    mkdirSync(spec.dataDir);
    const opts = { ownerId: `exit-${process.pid}`, rootfsDir, stateDir: join(work, 'state'), stopGraceMs: 200 };
    const script = join(work, 'control-plane.ts');
    writeFileSync(
      script,
      [
        `import { createLocalDriver } from ${JSON.stringify(resolve('control-plane/src/rooms/drivers/local/index.ts'))};`,
        `const driver = createLocalDriver(${JSON.stringify(opts)});`,
        `await driver.start(${JSON.stringify(spec)});`,
        `process.stdout.write(JSON.stringify(driver.getState(${JSON.stringify(id)})));`,
      ].join('\n'),
    );
    const driver = createLocalDriver(opts);
    try {
      const saved = JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' }));
      driver.loadState(id, saved);
      const obs = await waitFor(driver, id, 'running', 30_000);
      expect(obs.endpoint).toEqual({ kind: 'unix', socketPath: `${spec.socketDir}.jupyter.sock` });
      expect(await driver.listOwned()).toEqual([{ roomId: id, projectId: 'p', state: 'running' }]);
    } finally {
      await driver.stop(id);
      expect(await driver.listOwned()).toEqual([]);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
