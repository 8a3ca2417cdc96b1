/**
 * A private Docker daemon for tests: Debian's `docker.io` (installed here if missing), started on a
 * unix socket of its own with its own data, exec and pid paths, and with networking switched off
 * (`--bridge=none --iptables=false --ip6tables=false`), so no container can get an address and the
 * host's firewall and any other dockerd are left alone. `stop()` ends it and removes its folders.
 *
 * `cacheDataRoot` keeps the daemon's data root (its images) between runs, so the 2.4 GB room image
 * is imported once per machine rather than once per run. A pid file guards it: while another live
 * test daemon uses it, this one falls back to a fresh data root. Containers are always removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export interface TestDockerd {
  socketPath: string;
  docker: Docker;
  /** The daemon's own log, for assertion messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Installs Debian's docker.io under the shared apt lock when `dockerd` is not on PATH. */
export function ensureDockerInstalled(): void {
  if (spawnSync('sh', ['-c', 'command -v dockerd']).status === 0) return;
  const r = spawnSync('flock', ['/tmp/apt.lock', 'apt-get', 'install', '-y', 'docker.io'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`apt-get install docker.io failed: ${r.stderr}`);
}

function claimCache(cacheDataRoot: string | undefined): string | undefined {
  if (!cacheDataRoot) return undefined;
  const owner = `${cacheDataRoot}.pid`;
  if (existsSync(owner)) {
    const pid = Number(readFileSync(owner, 'utf8'));
    try {
      process.kill(pid, 0);
      return undefined; // in use by a live test run
    } catch {
      /* stale */
    }
  }
  mkdirSync(cacheDataRoot, { recursive: true });
  writeFileSync(owner, String(process.pid));
  return cacheDataRoot;
}

export async function startDockerd(opts: { readyTimeoutMs?: number; cacheDataRoot?: string } = {}): Promise<TestDockerd> {
  ensureDockerInstalled();
  // Short path: unix socket paths are limited to 108 bytes and containerd nests deep under exec-root.
  const dir = mkdtempSync(join(tmpdir(), 'ar-dockerd-'));
  const cached = claimCache(opts.cacheDataRoot);
  const dataRoot = cached ?? join(dir, 'data');
  const socketPath = join(dir, 'docker.sock');
  const logPath = join(dir, 'dockerd.log');
  const child: ChildProcess = spawn(
    'sh',
    [
      '-c',
      `exec dockerd "$@" >>'${logPath}' 2>&1`,
      'dockerd',
      '-H',
      `unix://${socketPath}`,
      '--data-root',
      dataRoot,
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--userland-proxy=false',
      '--log-level=warn',
    ],
    { stdio: 'ignore', detached: false },
  );
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const docker = new Docker({ socketPath });
  const removeContainers = async () => {
    const containers = await docker.listContainers({ all: true });
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) throw new Error(`dockerd exited during start-up:\n${log()}`);
    try {
      await docker.ping();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`dockerd did not answer within the time limit:\n${log()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await removeContainers(); // left by a run that crashed
  return {
    socketPath,
    docker,
    log,
    async stop() {
      await removeContainers().catch(() => {
        /* daemon already gone */
      });
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(timer);
      }
      // Overlay mounts of a daemon killed hard may linger under data-root; unmount before removing.
      for (const root of [dir, dataRoot]) spawnSync('sh', ['-c', `grep -o ' ${root}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      await rm(dir, { recursive: true, force: true });
      if (cached) await rm(`${cached}.pid`, { force: true });
    },
  };
}
