/**
 * What the local sandbox refuses beyond the conformance suite (seccomp, devices, kernel interfaces,
 * platform Jupyter settings), and that real analysis still works inside it: Python and R kernels
 * with the scientific stack run under the filter and the limits.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDriver, type RoomDriver, type RoomObservation, type RoomSpec } from '../../control-plane/src/rooms/index.ts';
import { waitFor } from './conformance.ts';
import { pythonInRoom, runInRoom } from './room-client.ts';

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

describe.skipIf(skipReason !== undefined)(`local sandbox isolation${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let work = '';
  let driver: RoomDriver;
  let spec: RoomSpec;
  let obs: RoomObservation;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'room-isolation-'));
    chmodSync(work, 0o755);
    const id = `iso-${randomBytes(3).toString('hex')}`;
    spec = {
      roomId: id,
      projectId: 'p-iso',
      dataDir: join(work, 'data'),
      homeDir: join(work, 'home'),
      outputsDir: join(work, 'outputs'),
      importsDir: join(work, 'imports'),
      socketDir: join(work, 'socket'),
      limits: { memoryBytes: 2 * 1024 ** 3, cpuMillis: 1000, pids: 256 },
      jupyterToken: randomBytes(24).toString('hex'),
      baseUrl: `/rooms/${id}/`,
      program: 'stub',
    };
    mkdirSync(spec.dataDir, { recursive: true });
    driver = createLocalDriver({ ownerId: `iso-${id}`, rootfsDir, stateDir: join(work, 'state'), stopGraceMs: 200 });
    await driver.start(spec);
    obs = await waitFor(driver, spec.roomId, 'running', 30_000);
  });

  afterAll(async () => {
    if (driver) await driver.stop(spec.roomId);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('refuses dangerous syscalls: mount, keyctl, bpf, ptrace, perf, io_uring with EPERM, clone3 with ENOSYS', async () => {
    const res = await pythonInRoom(
      obs.endpoint!,
      spec,
      [
        'import ctypes, json',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'out = {}',
        'for name, nr in [("mount",165),("keyctl",250),("bpf",321),("ptrace",101),("perf_event_open",298),("io_uring_setup",425),("unshare",272),("setns",308),("clone3",435)]:',
        '    r = libc.syscall(nr, 0, 0, 0, 0, 0)',
        '    out[name] = ctypes.get_errno() if r == -1 else "allowed"',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    expect(JSON.parse(res.stdout)).toEqual({
      mount: 1,
      keyctl: 1,
      bpf: 1,
      ptrace: 1,
      perf_event_open: 1,
      io_uring_setup: 1,
      unshare: 1,
      setns: 1,
      clone3: 38,
    });
  });

  it('shows no host devices, no sysfs, and a read-only /proc/sys', async () => {
    const res = await runInRoom(obs.endpoint!, spec, [
      'sh',
      '-c',
      'ls /dev | tr "\\n" " "; echo; ls /sys | wc -l; echo 1 > /proc/sys/kernel/hostname 2>/dev/null && echo proc-sys-writable; hostname',
    ]);
    const [devices, sysEntries, hostname] = res.stdout.trim().split('\n');
    expect(devices!.trim().split(' ').sort()).toEqual([
      'core',
      'fd',
      'full',
      'null',
      'ptmx',
      'pts',
      'random',
      'shm',
      'stderr',
      'stdin',
      'stdout',
      'tty',
      'urandom',
      'zero',
    ]);
    expect({ sysEntries, hostname }).toEqual({ sysEntries: '0', hostname: 'room' });
  });

  it('keeps the token out of every command line and the Jupyter config path out of home', async () => {
    const res = await pythonInRoom(
      obs.endpoint!,
      spec,
      [
        'import os, json',
        'from jupyter_core.paths import jupyter_config_path',
        'cmds = [open(f"/proc/{p}/cmdline","rb").read() for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]',
        `tok = bytes.fromhex(${JSON.stringify(Buffer.from(spec.jupyterToken).toString('hex'))})`,
        'print(json.dumps({"tokenInArgv": any(tok in c for c in cmds), "homeInConfigPath": any(p.startswith("/home") for p in jupyter_config_path())}))',
      ].join('\n'),
    );
    expect(JSON.parse(res.stdout)).toEqual({ tokenInArgv: false, homeInConfigPath: false });
  });

  it('runs a Python kernel with pandas, scikit-learn, statsmodels and matplotlib under the filter and limits', async () => {
    const res = await pythonInRoom(
      obs.endpoint!,
      spec,
      [
        'from jupyter_client.manager import start_new_kernel',
        'km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)',
        'out = []',
        "code = \"import pandas, sklearn.linear_model, statsmodels.api, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; plt.plot([1,2]); plt.savefig('/outputs/p.png'); print(int(pandas.DataFrame({'x':[1,2,3]}).x.sum()))\"",
        'kc.execute_interactive(code, timeout=240, output_hook=lambda m: out.append(m["content"].get("text", "")))',
        'print("".join(out).strip())',
        'km.shutdown_kernel(now=True)',
      ].join('\n'),
      280,
    );
    expect(res.stdout.trim().split('\n').at(-1)).toBe('6');
    expect(existsSync(join(spec.outputsDir, 'p.png'))).toBe(true);
  }, 300_000);

  it('runs the R kernel (IRkernel) under the filter and limits', async () => {
    const res = await pythonInRoom(
      obs.endpoint!,
      spec,
      [
        'from jupyter_client.manager import start_new_kernel',
        'km, kc = start_new_kernel(kernel_name="ir", startup_timeout=120)',
        'out = []',
        'kc.execute_interactive("cat(sum(1:10))", timeout=120, output_hook=lambda m: out.append(m["content"].get("text", "")))',
        'print("".join(out).strip())',
        'km.shutdown_kernel(now=True)',
      ].join('\n'),
      280,
    );
    expect(res.stdout.trim().split('\n').at(-1)).toBe('55');
  }, 300_000);

  it('never follows a symlink the room plants in place of its socket', async () => {
    let connections = 0;
    const hostSocket = join(work, 'host-daemon.sock');
    const server = createServer((c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((r) => server.listen(hostSocket, r));
    const id = `${spec.roomId}-ln`;
    const own = { ...spec, roomId: id, baseUrl: `/rooms/${id}/`, socketDir: join(work, 'socket-ln'), homeDir: join(work, 'home-ln') };
    try {
      await driver.start(own);
      await waitFor(driver, id, 'running', 30_000);
      const inRoom = await runInRoom((await driver.poll(id)).endpoint!, own, [
        'sh',
        '-c',
        `rm /run/jupyter/jupyter.sock && ln -s ${hostSocket} /run/jupyter/jupyter.sock && echo planted`,
      ]);
      expect(inRoom.stdout).toBe('planted\n');
      // A control plane that lost its link (say, a fresh host) must not re-link through the symlink.
      rmSync(`${own.socketDir}.jupyter.sock`);
      const after = await createLocalDriver({ ownerId: `iso-${spec.roomId}`, rootfsDir, stateDir: join(work, 'state') }).poll(id);
      expect({ state: after.state, connections }).toEqual({ state: 'starting', connections: 0 });
    } finally {
      await driver.stop(id);
      server.close();
    }
  });

  // vsock is not network-namespaced: on a virtual machine (this one, a cloud VM, Firecracker) a room
  // could reach the hypervisor host's services over AF_VSOCK, out of the room without the airlock.
  it('refuses AF_VSOCK sockets with EPERM, and still makes unix and loopback sockets', async () => {
    const res = await pythonInRoom(
      obs.endpoint!,
      spec,
      [
        'import json, socket',
        'out = {}',
        'for name, family, kind in [("vsock-stream", 40, socket.SOCK_STREAM), ("vsock-dgram", 40, socket.SOCK_DGRAM), ("unix", socket.AF_UNIX, socket.SOCK_STREAM), ("inet", socket.AF_INET, socket.SOCK_STREAM)]:',
        '    try:',
        '        socket.socket(family, kind).close(); out[name] = "allowed"',
        '    except OSError as e:',
        '        out[name] = e.errno',
        'print(json.dumps(out))',
      ].join('\n'),
    );
    expect(JSON.parse(res.stdout)).toEqual({ 'vsock-stream': 1, 'vsock-dgram': 1, unix: 'allowed', inet: 'allowed' });
  });
});
