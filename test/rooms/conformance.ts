/**
 * The room driver conformance suite: every driver (local, Docker, Kubernetes) runs these cases,
 * in the manner of Hono's router `common.case.test.ts`. A case a driver cannot run is skipped with a
 * written reason, which appears in the test's name.
 *
 *   import { runDriverConformance } from './conformance.ts';
 *   runDriverConformance('local', ({ ownerId }) => createLocalDriver({ ownerId, ... }), { ... });
 *
 * Rooms run the `stub` program (the tiny server in the room file system, same sandbox and socket)
 * so a case takes seconds; one case starts the real JupyterLab. In-room probes go through the stub's
 * `POST <base>run`, i.e. over the same endpoint the proxy uses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomDriver, RoomLimits, RoomObservation, RoomProgram, RoomSpec } from '../../control-plane/src/rooms/index.ts';
import { pythonInRoom, roomRequest, runInRoom } from './room-client.ts';

export const CONFORMANCE_CASES = [
  'poll of an unknown room says stopped and stop of it succeeds',
  'start and stop are idempotent',
  'the server refuses requests without the token',
  'a new driver instance re-adopts a running room from saved state',
  'no network: a port open on the host loopback is unreachable',
  'no network: host names do not resolve and only loopback exists',
  '/data is readable and read-only, /imports read-only',
  '/outputs and home are writable',
  'home survives a room restart',
  'other rooms are invisible: their data, socket and processes',
  'host processes are invisible',
  "the control plane's data directory is unreadable",
  'no capabilities, no new privileges, seccomp filter on, no new namespaces',
  'limits are applied',
  'orphans are found by labels and stopped without saved state',
  'a room whose server exits is reported failed and start recovers it',
  'JupyterLab answers 200 over the endpoint with download and export disabled',
  "the control plane's channel: /run/analyserom is read-only, its socket reachable, ANALYSEROM_* set",
] as const;
export type ConformanceCase = (typeof CONFORMANCE_CASES)[number];

export interface ConformanceContext {
  /** Owner label for the driver instance; the suite also makes one with a foreign owner. */
  ownerId: string;
}

export interface ConformanceOptions {
  /** Skip every case, with this reason (e.g. the room file system is not built). */
  skipAll?: string | undefined;
  /** Cases this driver cannot run, each with the reason. */
  skip?: Partial<Record<ConformanceCase, string>>;
  /** Host folders for a room. Default: fresh folders under a 0755 temp dir. */
  makeSpec?: (roomId: string, base: Omit<RoomSpec, 'dataDir' | 'homeDir' | 'outputsDir' | 'importsDir' | 'socketDir'>) => RoomSpec;
  /** Host folder where the default makeSpec creates room folders (must be reachable by the room's host uid). */
  workDir?: string;
  limits?: RoomLimits;
  /** How long a room may take to report `running`. Default 30 s (stub), JupyterLab gets 4×. */
  startTimeoutMs?: number;
}

const DEFAULT_LIMITS: RoomLimits = { memoryBytes: 1024 * 1024 * 1024, cpuMillis: 1000, pids: 128 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function runDriverConformance(
  name: string,
  makeDriver: (ctx: ConformanceContext) => RoomDriver | Promise<RoomDriver>,
  opts: ConformanceOptions = {},
): void {
  const suiteId = randomBytes(3).toString('hex');
  const ownerId = `conformance-${suiteId}`;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const startTimeout = opts.startTimeoutMs ?? 30_000;
  let workDir = '';
  let controlPlaneDir = '';
  const drivers: RoomDriver[] = [];
  const started = new Set<string>();

  const newDriver = async (owner = ownerId) => {
    const d = await makeDriver({ ownerId: owner });
    drivers.push(d);
    return d;
  };
  const roomId = (label: string) => `cf-${suiteId}-${label}`;
  const specFor = (label: string, program: RoomProgram = 'stub'): RoomSpec => {
    const id = roomId(label);
    const base = {
      roomId: id,
      projectId: `project-${label}`,
      limits,
      jupyterToken: randomBytes(24).toString('hex'),
      relaySecret: randomBytes(32).toString('hex'),
      baseUrl: `/rooms/${id}/`,
      program,
    };
    if (opts.makeSpec) return opts.makeSpec(id, base);
    const dir = join(workDir, id);
    const spec: RoomSpec = {
      ...base,
      dataDir: join(dir, 'data'),
      homeDir: join(dir, 'home'),
      outputsDir: join(dir, 'outputs'),
      importsDir: join(dir, 'imports'),
      socketDir: join(dir, 'socket'),
      apiDir: join(dir, 'api'),
    };
    for (const d of [spec.dataDir, spec.homeDir, spec.outputsDir, spec.importsDir, spec.socketDir]) mkdirSync(d, { recursive: true });
    writeFileSync(join(spec.dataDir, `${label}-only.csv`), 'id,value\n1,42\n', { mode: 0o644 });
    writeFileSync(join(spec.importsDir, 'imported.txt'), 'imported\n', { mode: 0o644 });
    return spec;
  };
  const startRunning = async (driver: RoomDriver, spec: RoomSpec): Promise<RoomObservation> => {
    started.add(spec.roomId);
    await driver.start(spec);
    return waitFor(driver, spec.roomId, 'running', spec.program === 'jupyterlab' ? startTimeout * 4 : startTimeout);
  };

  describe(`room driver conformance: ${name}`, () => {
    beforeAll(() => {
      if (opts.skipAll) return;
      workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'room-conformance-'));
      chmodSync(workDir, 0o755);
      controlPlaneDir = join(workDir, 'control-plane-data');
      mkdirSync(controlPlaneDir, { recursive: true });
      writeFileSync(join(controlPlaneDir, 'signing.key'), 'secret\n', { mode: 0o600 });
    });
    afterAll(async () => {
      const d = drivers[0];
      if (d) for (const id of started) await d.stop(id).catch(() => undefined);
      for (const driver of drivers) await driver.close?.();
      if (workDir && !opts.workDir) rmSync(workDir, { recursive: true, force: true });
    });

    const test = (c: ConformanceCase, fn: () => Promise<void>, timeoutMs = 120_000) => {
      const reason = opts.skipAll ?? opts.skip?.[c];
      if (reason) it.skip(`${c} (skipped: ${reason})`, fn);
      else it(c, fn, timeoutMs);
    };

    test('poll of an unknown room says stopped and stop of it succeeds', async () => {
      const driver = await newDriver();
      expect((await driver.poll(roomId('never'))).state).toBe('stopped');
      await driver.stop(roomId('never'));
      expect(driver.getState(roomId('never'))).toBeUndefined();
    });

    test('start and stop are idempotent', async () => {
      const driver = await newDriver();
      const spec = specFor('idem');
      const first = await startRunning(driver, spec);
      const saved = driver.getState(spec.roomId);
      const again = await driver.start(spec);
      expect(again.state).toBe('running');
      expect(again.endpoint).toEqual(first.endpoint);
      expect(driver.getState(spec.roomId)).toEqual(saved);
      expect((await driver.listOwned()).filter((r) => r.roomId === spec.roomId)).toEqual([
        { roomId: spec.roomId, projectId: spec.projectId, state: 'running' },
      ]);
      await driver.stop(spec.roomId);
      await driver.stop(spec.roomId);
      expect((await driver.poll(spec.roomId)).state).toBe('stopped');
      expect((await driver.listOwned()).map((r) => r.roomId)).not.toContain(spec.roomId);
    });

    test('the server refuses requests without the token', async () => {
      const { driver, spec, obs } = await shared('a');
      const without = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}api/status` });
      const wrong = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}api/status`, token: 'not-the-token' });
      const withToken = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}api/status`, token: spec.jupyterToken });
      expect([without.status, wrong.status, withToken.status]).toEqual([403, 403, 200]);
      expect(driver.name).toBe(name);
    });

    test('a new driver instance re-adopts a running room from saved state', async () => {
      const first = await newDriver();
      const spec = specFor('restart');
      const obs = await startRunning(first, spec);
      await runInRoom(obs.endpoint!, spec, ['sh', '-c', 'echo before-restart > /home/researcher/mark']);
      const saved = JSON.parse(JSON.stringify(first.getState(spec.roomId)));
      const second = await newDriver();
      second.loadState(spec.roomId, saved);
      const after = await second.poll(spec.roomId);
      expect(after.state).toBe('running');
      expect(after.endpoint).toEqual(obs.endpoint);
      expect((await runInRoom(after.endpoint!, spec, ['cat', '/home/researcher/mark'])).stdout).toBe('before-restart\n');
      await second.stop(spec.roomId);
      expect((await second.poll(spec.roomId)).state).toBe('stopped');
    });

    test('no network: a port open on the host loopback is unreachable', async () => {
      const { spec, obs } = await shared('a');
      let connections = 0;
      const server: Server = createServer((s) => {
        connections++;
        s.destroy();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      try {
        const res = await pythonInRoom(
          obs.endpoint!,
          spec,
          `import socket\ntry:\n socket.create_connection(('127.0.0.1', ${port}), timeout=3)\n print('connected')\nexcept OSError as e:\n print('refused', e)`,
        );
        expect(res.stdout).toMatch(/^refused/);
        expect(connections).toBe(0);
      } finally {
        server.close();
      }
    });

    test('no network: host names do not resolve and only loopback exists', async () => {
      const { spec, obs } = await shared('a');
      const res = await pythonInRoom(
        obs.endpoint!,
        spec,
        [
          'import socket, json',
          'out = {"ifaces": sorted(n for _, n in socket.if_nameindex())}',
          'for host in ["deb.debian.org", "registry.npmjs.org"]:',
          '    try:',
          '        socket.getaddrinfo(host, 443)',
          '        out[host] = "resolved"',
          '    except OSError:',
          '        out[host] = "failed"',
          'print(json.dumps(out))',
        ].join('\n'),
      );
      const out = JSON.parse(res.stdout) as { ifaces: string[] };
      expect(out).toEqual({ ifaces: out.ifaces.filter((n) => n === 'lo'), 'deb.debian.org': 'failed', 'registry.npmjs.org': 'failed' });
    });

    test('/data is readable and read-only, /imports read-only', async () => {
      const { spec, obs } = await shared('a');
      const script = [
        'cat /data/a-only.csv',
        'touch /data/new 2>/dev/null && echo data-writable',
        'rm -f /data/a-only.csv 2>/dev/null; test -f /data/a-only.csv || echo data-deleted',
        'touch /imports/new 2>/dev/null && echo imports-writable',
        'cat /imports/imported.txt',
      ].join('; ');
      const res = await runInRoom(obs.endpoint!, spec, ['sh', '-c', script]);
      expect(res.stdout).toBe('id,value\n1,42\nimported\n');
    });

    test('/outputs and home are writable', async () => {
      const { spec, obs } = await shared('a');
      const res = await runInRoom(obs.endpoint!, spec, [
        'sh',
        '-c',
        'echo result > /outputs/table.csv && echo notes > /home/researcher/notes.txt && cat /outputs/table.csv /home/researcher/notes.txt && touch /etc/x 2>/dev/null || echo root-read-only',
      ]);
      expect(res.stdout).toBe('result\nnotes\nroot-read-only\n');
    });

    test("the control plane's channel: /run/analyserom is read-only, its socket reachable, ANALYSEROM_* set", async () => {
      const driver = await newDriver();
      const spec = specFor('chan');
      if (!spec.apiDir) throw new Error('the spec has no apiDir');
      mkdirSync(spec.apiDir, { recursive: true });
      const socketPath = join(spec.apiDir, 'api.sock');
      const server = createServer((c) => c.end('hello from the control plane\n'));
      await new Promise<void>((r) => server.listen(socketPath, r));
      chmodSync(socketPath, 0o666);
      try {
        const obs = await startRunning(driver, spec);
        const res = await pythonInRoom(
          obs.endpoint!,
          spec,
          [
            'import os, socket',
            's = socket.socket(socket.AF_UNIX); s.connect(os.environ["ANALYSEROM_API"]); print(s.recv(100).decode().strip())',
            'for act in (lambda: open("/run/analyserom/x", "w"), lambda: os.unlink("/run/analyserom/api.sock")):',
            '    try:',
            '        act(); print("changed")',
            '    except OSError as e:',
            '        print(os.strerror(e.errno))',
            'print(os.environ["ANALYSEROM_PROJECT"], os.environ["ANALYSEROM_OUTPUTS"])',
          ].join('\n'),
        );
        expect(res.stdout).toBe(`hello from the control plane\nRead-only file system\nRead-only file system\n${spec.projectId} /outputs\n`);
        await driver.stop(spec.roomId);
      } finally {
        server.close();
      }
    });

    test('home survives a room restart', async () => {
      const driver = await newDriver();
      const spec = specFor('home');
      let obs = await startRunning(driver, spec);
      await runInRoom(obs.endpoint!, spec, ['sh', '-c', 'mkdir -p /home/researcher/work && echo kept > /home/researcher/work/k.txt']);
      await driver.stop(spec.roomId);
      obs = await startRunning(driver, spec);
      expect((await runInRoom(obs.endpoint!, spec, ['cat', '/home/researcher/work/k.txt'])).stdout).toBe('kept\n');
      await driver.stop(spec.roomId);
    });

    test('other rooms are invisible: their data, socket and processes', async () => {
      const a = await shared('a');
      const b = await shared('b');
      const script = [
        'import os, json',
        'def readable(p):',
        '    try:',
        '        open(p).read(); return True',
        '    except OSError:',
        '        return False',
        'cmds = []',
        'for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:',
        '    try:',
        '        cmds.append(open(f"/proc/{pid}/cmdline","rb").read().decode(errors="replace"))',
        '    except OSError:',
        '        pass',
        `print(json.dumps({"data": sorted(os.listdir("/data")),`,
        `  "otherData": readable(${JSON.stringify(join(b.spec.dataDir, 'b-only.csv'))}),`,
        `  "otherSocket": os.path.exists(${JSON.stringify(b.spec.socketDir)}),`,
        `  "ownServer": any(${JSON.stringify(a.spec.baseUrl)} in c for c in cmds),`,
        `  "otherServer": any(${JSON.stringify(b.spec.baseUrl)} in c for c in cmds)}))`,
      ].join('\n');
      const res = await pythonInRoom(a.obs.endpoint!, a.spec, script);
      expect(JSON.parse(res.stdout)).toEqual({ data: ['a-only.csv'], otherData: false, otherSocket: false, ownServer: true, otherServer: false });
    });

    test('host processes are invisible', async () => {
      const { spec, obs } = await shared('a');
      const marker = `host-marker-${suiteId}`;
      // Its own process group, so the kill below ends the shell's sleep too (sh forks it, and killing
      // only the shell left the sleep running past the run).
      const host: ChildProcess = spawn('sh', ['-c', 'sleep 60', marker], { stdio: 'ignore', detached: true });
      try {
        const res = await pythonInRoom(
          obs.endpoint!,
          spec,
          [
            'import os',
            'pids = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]',
            'seen = [open(f"/proc/{p}/cmdline","rb").read() for p in pids if os.path.exists(f"/proc/{p}/cmdline")]',
            `print(len(pids), any(b${JSON.stringify(marker)} in c for c in seen), any(b"vitest" in c or b"node" in c for c in seen))`,
          ].join('\n'),
        );
        const [count, markerSeen, nodeSeen] = res.stdout.trim().split(' ');
        expect({ markerSeen, nodeSeen }).toEqual({ markerSeen: 'False', nodeSeen: 'False' });
        expect(Number(count)).toBeLessThan(20);
      } finally {
        process.kill(-host.pid!, 'SIGKILL');
      }
    });

    test("the control plane's data directory is unreadable", async () => {
      const { spec, obs } = await shared('a');
      const res = await runInRoom(obs.endpoint!, spec, [
        'sh',
        '-c',
        `cat ${controlPlaneDir}/signing.key 2>/dev/null || echo key-unreadable; ls ${workDir} 2>/dev/null || echo workdir-invisible`,
      ]);
      expect(res.stdout).toBe('key-unreadable\nworkdir-invisible\n');
    });

    test('no capabilities, no new privileges, seccomp filter on, no new namespaces', async () => {
      const { spec, obs } = await shared('a');
      const res = await runInRoom(obs.endpoint!, spec, [
        'sh',
        '-c',
        'grep -E "^(CapEff|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status; id -u; unshare -r true 2>/dev/null && echo userns-created; unshare -n true 2>/dev/null && echo netns-created; true',
      ]);
      expect(res.stdout).toBe('CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n1000\n');
    });

    test('limits are applied', async () => {
      const { spec, obs } = await shared('a');
      const applied = obs.limits;
      expect(applied).toBeDefined();
      if (applied!.memory !== 'none') {
        const mem = await pythonInRoom(obs.endpoint!, spec, `b = b"x" * ${Math.floor(limits.memoryBytes * 1.5)}\nprint("allocated")`);
        expect(mem.stdout).not.toContain('allocated');
      }
      if (applied!.pids !== 'none') {
        const pids = await pythonInRoom(
          obs.endpoint!,
          spec,
          [
            'import os, signal',
            'kids = []',
            'try:',
            `    for i in range(${limits.pids + 20}):`,
            '        pid = os.fork()',
            '        if pid == 0:',
            '            signal.pause()',
            '        kids.append(pid)',
            '    print("unlimited", len(kids))',
            'except OSError:',
            '    print("limited", len(kids))',
            'for k in kids:',
            '    os.kill(k, signal.SIGKILL); os.waitpid(k, 0)',
          ].join('\n'),
        );
        expect(pids.stdout).toMatch(/^limited \d+/);
        expect(Number(pids.stdout.split(' ')[1])).toBeLessThanOrEqual(limits.pids);
      }
      expect(['cgroup', 'runtime', 'none']).toContain(applied!.cpu);
    });

    test('orphans are found by labels and stopped without saved state', async () => {
      const first = await newDriver();
      const spec = specFor('orphan');
      await startRunning(first, spec);
      const fresh = await newDriver();
      const foreign = await newDriver(`${ownerId}-foreign`);
      expect((await fresh.listOwned()).filter((r) => r.roomId === spec.roomId)).toEqual([{ roomId: spec.roomId, projectId: spec.projectId, state: 'running' }]);
      expect((await foreign.listOwned()).map((r) => r.roomId)).not.toContain(spec.roomId);
      await foreign.stop(spec.roomId);
      expect((await fresh.poll(spec.roomId)).state).toBe('running');
      await fresh.stop(spec.roomId);
      expect((await fresh.poll(spec.roomId)).state).toBe('stopped');
      expect((await fresh.listOwned()).map((r) => r.roomId)).not.toContain(spec.roomId);
    });

    test('a room whose server exits is reported failed and start recovers it', async () => {
      const driver = await newDriver();
      const spec = specFor('crash');
      const obs = await startRunning(driver, spec);
      // The stub's child kills the stub itself: the room's server is gone without a stop.
      await runInRoom(obs.endpoint!, spec, ['sh', '-c', '(sleep 0.2; kill -9 $PPID) >/dev/null 2>&1 &']);
      const failed = await waitFor(driver, spec.roomId, 'failed', 10_000);
      expect(failed.reason).toEqual(expect.any(String));
      await driver.start(spec);
      const again = await waitFor(driver, spec.roomId, 'running', startTimeout);
      expect(again.endpoint).toEqual(obs.endpoint);
      await driver.stop(spec.roomId);
    });

    test('JupyterLab answers 200 over the endpoint with download and export disabled', async () => {
      const driver = await newDriver();
      const spec = specFor('jupyter', 'jupyterlab');
      const obs = await startRunning(driver, spec);
      const status = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}api/status`, token: spec.jupyterToken });
      const lab = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}lab`, token: spec.jupyterToken });
      const terminals = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}api/terminals`, token: spec.jupyterToken });
      const anonymous = await roomRequest(obs.endpoint!, { path: `${spec.baseUrl}api/contents` });
      expect({ status: status.status, lab: lab.status, terminals: terminals.status, anonymous: anonymous.status }).toEqual({
        status: 200,
        lab: 200,
        terminals: 404,
        anonymous: 403,
      });
      for (const plugin of [
        '@jupyterlab/docmanager-extension:download',
        '@jupyterlab/filebrowser-extension:download',
        '@jupyterlab/notebook-extension:export',
      ]) {
        expect(lab.body).toContain(plugin);
      }
      await driver.stop(spec.roomId);
    }, 300_000);

    /** Rooms 'a' and 'b' are shared by the read-only probes, started once on first use. */
    const sharedRooms = new Map<string, Promise<{ driver: RoomDriver; spec: RoomSpec; obs: RoomObservation }>>();
    function shared(label: 'a' | 'b') {
      let room = sharedRooms.get(label);
      if (!room) {
        room = (async () => {
          const driver = await newDriver();
          const spec = specFor(label);
          return { driver, spec, obs: await startRunning(driver, spec) };
        })();
        sharedRooms.set(label, room);
      }
      return room;
    }
  });
}

/** Poll until the room reports `want` (or fail with the last observation). */
export async function waitFor(driver: RoomDriver, roomId: string, want: RoomObservation['state'], timeoutMs: number): Promise<RoomObservation> {
  const deadline = Date.now() + timeoutMs;
  let last = await driver.poll(roomId);
  while (last.state !== want && Date.now() < deadline) {
    if (last.state === 'failed') break;
    await sleep(100);
    last = await driver.poll(roomId);
  }
  if (last.state !== want) throw new Error(`room ${roomId} did not become ${want}: ${JSON.stringify(last)}`);
  return last;
}
