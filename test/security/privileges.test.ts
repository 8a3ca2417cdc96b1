/**
 * Issue 11, class 2: the control plane does not run as root. The real `tre start`, started as
 * root, must serve as its unprivileged service account: no root uid, gid, group or capability in
 * any thread, the data directory the account's, rooms running as the account (not root) through
 * bubblewrap's user namespace, and neither /etc/shadow nor another root-only folder readable with
 * its credentials. A data directory under a folder the account cannot pass is refused at start,
 * naming the folder, before anything is made.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStatus } from '../../control-plane/src/privileges/index.ts';
import { freePort } from '../support/ports.ts';
import { runTre, startTre, traversableTempDir, type StartedTre } from '../support/tre.ts';
import { roomsUnavailable, startRoomsPlatform } from '../proxy/support.ts';
import { startEmbedded } from '../../control-plane/src/store/index.ts';
import { startDockerd } from '../rooms/dockerd.ts';
import { fetch as undiciFetch } from 'undici';
import { loopback } from '../proxy/support.ts';

const run = promisify(execFile);
const notRoot = process.getuid?.() !== 0 ? 'not running as root' : undefined;
const noRooms = roomsUnavailable();

/** uid and gid of the service account, from the system's user database. */
async function account(name: string): Promise<{ uid: number; gid: number }> {
  const [, , uid, gid] = (await run('getent', ['passwd', name])).stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Every path under `dir` (itself included) not owned by `uid`, without following links. */
function notOwnedBy(dir: string, uid: number): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.uid !== uid) out.push(`${p} (uid ${st.uid})`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return out;
}

/** The room's bubblewrap processes (labelled with its id in argv) and all their descendants. */
function roomProcesses(roomId: string): number[] {
  const parentOf = new Map<number, number>();
  const found = new Set<number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parentOf.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(`analyserom.room-id=${roomId}`)) found.add(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parentOf)
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
  }
  return [...found].sort((a, b) => a - b);
}

/** Whether process `pid` has exited (a zombie counts as exited). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Runs `argv` with exactly the credentials of process `pid` (its uid, gid and groups). */
async function asProcess(pid: number, argv: string[]): Promise<{ code: number; stderr: string }> {
  const c = parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const args = [`--reuid=${c.uids[0]}`, `--regid=${c.gids[0]}`, c.groups.length ? `--groups=${c.groups.join(',')}` : '--clear-groups', '--', ...argv];
  return run('setpriv', args).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code?: number; stderr?: string }) => ({ code: Number(err.code ?? 1), stderr: String(err.stderr ?? '') }),
  );
}

describe.skipIf(notRoot !== undefined)(`tre start as root${notRoot ? ` (skipped: ${notRoot})` : ''}`, () => {
  let parent: string;
  let dataDir: string;
  let tre: StartedTre;
  let service: { uid: number; gid: number };

  beforeAll(async () => {
    parent = traversableTempDir('tre-privileges-');
    dataDir = join(parent, 'data');
    tre = await startTre(['--demo', '--data-dir', dataDir], await freePort(), {
      TRE_DEMO_PASSWORD: 'demo',
      TRE_RUN_AS: undefined,
      TRE_ROOM_PROGRAM: 'stub',
      TRE_COPY_DEMO_ROWS: '2000',
      TRE_ROOM_RECONCILE_MS: '200',
    });
    service = await account('analyserom');
  }, 180_000);
  afterAll(async () => {
    await tre?.stop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  }, 60_000);

  it('serves with no root uid, gid, supplementary group or capability in any of its threads', async () => {
    const pid = tre.proc.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('control-plane/src/cli/main.ts'); // bin/tre execs node itself
    expect(service.uid).not.toBe(0);
    const threads = readdirSync(`/proc/${pid}/task`);
    expect(threads.length).toBeGreaterThan(1); // libuv's and V8's threads too, not only the main one
    for (const tid of threads) {
      const c = parseStatus(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      expect({ tid, ...c }).toEqual({
        tid,
        uids: [service.uid, service.uid, service.uid, service.uid],
        gids: [service.gid, service.gid, service.gid, service.gid],
        groups: [service.gid],
        capEff: 0n,
        capPrm: 0n,
        capAmb: 0n,
      });
    }
    expect(tre.output()).toContain(`started as root: serving as analyserom (uid ${service.uid}, gid ${service.gid})`);
    // The embedded PostgreSQL is the service account's too, not root's nor `postgres`'.
    const pgPid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(parseStatus(readFileSync(`/proc/${pgPid}/status`, 'utf8')).uids).toEqual([service.uid, service.uid, service.uid, service.uid]);
    // ... and it does not carry the control plane's secrets in its environment.
    const pgEnv = readFileSync(`/proc/${pgPid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((e) => e.split('=')[0]);
    expect(pgEnv.filter((name) => /^(TRE_|DATABASE_URL)/.test(name!))).toEqual([]);
  });

  it('the data directory and everything in it belong to the service account', () => {
    expect(statSync(dataDir).mode & 0o077 & ~0o011).toBe(0); // no one else may list or write it
    expect(notOwnedBy(dataDir, service.uid)).toEqual([]);
    expect(lstatSync(join(dataDir, 'secrets', 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('with its credentials neither /etc/shadow nor a root-only folder can be read, and root cannot be regained', async () => {
    const pid = tre.proc.pid!;
    const shadow = await asProcess(pid, ['cat', '/etc/shadow']);
    expect({ code: shadow.code, denied: shadow.stderr.includes('Permission denied') }).toEqual({ code: 1, denied: true });
    // Another installation's data directory (root's, 0700) is out of reach as well.
    const other = mkdtempSync(join(tmpdir(), 'tre-other-install-'));
    writeFileSync(join(other, 'master.key'), 'not yours\n', { mode: 0o600 });
    try {
      const read = await asProcess(pid, ['cat', join(other, 'master.key')]);
      expect({ code: read.code, denied: read.stderr.includes('Permission denied') }).toEqual({ code: 1, denied: true });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const regain = await asProcess(pid, ['setpriv', '--reuid=0', 'true']);
    expect(regain.code).not.toBe(0);
    // Nor root's environment: init's (the host's) environment is not its to read.
    const environ = await asProcess(pid, ['cat', '/proc/1/environ']);
    expect({ code: environ.code, denied: environ.stderr.includes('Permission denied') }).toEqual({ code: 1, denied: true });
  });

  it.skipIf(noRooms !== undefined)(
    `a room starts, runs as the service account and answers through the proxy${noRooms ? ` (skipped: ${noRooms})` : ''}`,
    async () => {
      const login = await fetch(`${tre.url}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'researcher', password: 'demo' }),
      });
      const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${tre.url}${path}`, {
          method,
          headers: { ...auth, 'content-type': 'application/json' },
          body: body === undefined ? null : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const projectId = ((await api('GET', '/api/projects')).body as { id: string }[])[0]!.id;
      for (let i = 0; i < 1200 && !(await api('GET', `/api/projects/${projectId}/copies`)).body.copies?.length; i++)
        await new Promise((r) => setTimeout(r, 100));
      const started = await api('POST', `/api/projects/${projectId}/rooms`, {});
      expect(started.status).toBe(201);
      const roomId = started.body.id as string;
      try {
        let room: any;
        for (let i = 0; i < 600; i++) {
          room = (await api('GET', `/api/rooms/${roomId}`)).body;
          if (room.state === 'running' || room.state === 'failed') break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect({ state: room.state, failure: room.failureMessage }).toEqual({ state: 'running', failure: null });
        // Every process of the room, on the host, is the service account's (neither root's nor nobody's),
        // and what the room writes (as its uid 1000) lands on the host as the service account's.
        const procs = roomProcesses(roomId);
        expect(procs.length).toBeGreaterThanOrEqual(3); // outer and inner bwrap, the server
        expect(procs.map((pid) => [pid, parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).uids])).toEqual(
          procs.map((pid) => [pid, [service.uid, service.uid, service.uid, service.uid]]),
        );
        // At the room's own origin (rooms.localhost for a platform on an IP), reached on the platform's address.
        const roomOrigin = `http://${roomId}.rooms.localhost:${new URL(tre.url).port}`;
        const inside = await undiciFetch(`${roomOrigin}${room.url}run`, {
          dispatcher: loopback,
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ argv: ['sh', '-c', 'id -u; echo made > /outputs/owner-check.txt'] }),
        });
        expect(inside.status).toBe(200);
        expect(await inside.json()).toMatchObject({ code: 0, stdout: '1000\n' });
        const memberDir = join(dataDir, 'projects', projectId, 'members', 'researcher');
        expect(['home', 'outputs', 'outputs/owner-check.txt'].map((f) => [f, statSync(join(memberDir, f)).uid])).toEqual([
          ['home', service.uid],
          ['outputs', service.uid],
          ['outputs/owner-check.txt', service.uid],
        ]);
      } finally {
        await api('POST', `/api/rooms/${roomId}/stop`);
        for (let i = 0; i < 300 && (await api('GET', `/api/rooms/${roomId}`)).body.state !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 100));
      }
    },
    180_000,
  );
});

describe.skipIf(notRoot !== undefined)('tre start as root refuses a data directory the service account cannot reach', () => {
  it('names the folder that cannot be passed and what to change, and makes nothing', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'tre-closed-')); // mode 0700, root's
    try {
      const dataDir = join(closed, 'data');
      const res = await runTre(
        ['start', '--demo', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dataDir],
        {},
        { timeoutMs: 60_000 },
      );
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`cannot pass through ${closed} (mode 0700, owner uid 0), which holds the data directory ${dataDir}`);
      expect(res.stderr).toContain(`chmod o+x ${closed}`);
      expect(res.stderr).not.toContain('initdb');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a non-empty folder that is no data directory rather than hand it to the service account', async () => {
    const parent = traversableTempDir('tre-not-data-');
    try {
      const dir = join(parent, 'etc-like');
      mkdirSync(dir);
      writeFileSync(join(dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
      const res = await runTre(['start', '--demo', '--host', '127.0.0.1', '--port', String(await freePort()), '--data-dir', dir], {}, { timeoutMs: 60_000 });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`${dir} is not empty and holds no data directory`);
      expect(statSync(join(dir, 'passwd')).uid).toBe(0);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 120_000);
});

describe.skipIf(notRoot !== undefined || noRooms !== undefined)(
  `tre start as root takes over a data directory a root-run control plane made${noRooms ? ` (skipped: ${noRooms})` : ''}`,
  () => {
    it('stops the rooms it left running as nobody, hands everything over and serves rooms as the service account', async () => {
      const parent = traversableTempDir('tre-takeover-');
      const dataDir = join(parent, 'data');
      let oldRoomId = '';
      let stalePg = 0;
      try {
        // The earlier model: the control plane as root, PostgreSQL as `postgres`, rooms as `nobody`.
        const old = await startRoomsPlatform({}, { dataDir });
        const oldRoom = await old.startRoom('researcher');
        oldRoomId = oldRoom.id;
        const oldSandboxes = roomProcesses(oldRoom.id);
        expect(oldSandboxes.map((pid) => parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).uids[0])).toEqual(oldSandboxes.map(() => 65534));
        const oldBwraps = oldSandboxes.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!.endsWith('bwrap')).length;
        expect(oldBwraps).toBe(2); // the monitor outside and the namespace's pid 1
        await old.close(); // rooms survive a control-plane restart
        expect(roomProcesses(oldRoom.id)).toEqual(oldSandboxes);
        // As a root-run control plane killed with -9 leaves it: its PostgreSQL (as `postgres`) still holding the folder.
        await startEmbedded(dataDir);
        stalePg = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
        expect(parseStatus(readFileSync(`/proc/${stalePg}/status`, 'utf8')).uids[0]).not.toBe(0);
        const pgOwner = statSync(join(dataDir, 'postgres')).uid;

        const tre = await startTre(['--demo', '--data-dir', dataDir], await freePort(), {
          TRE_DEMO_PASSWORD: 'demo',
          TRE_ROOM_PROGRAM: 'stub',
          TRE_ROOM_RECONCILE_MS: '200',
        });
        try {
          const service = await account('analyserom');
          expect(pgOwner).not.toBe(service.uid);
          expect(roomProcesses(oldRoom.id)).toEqual([]);
          // Stopped, not left beside the new server: PostgreSQL takes a lock held by another uid for stale.
          expect(gone(stalePg)).toBe(true);
          expect(tre.output()).toContain(`stopped ${oldBwraps} room sandbox processes left by a control plane that ran as root`);
          expect(notOwnedBy(dataDir, service.uid)).toEqual([]);
          const login = await fetch(`${tre.url}/api/auth/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'researcher', password: 'demo' }),
          });
          expect(login.status).toBe(201);
          const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}`, 'content-type': 'application/json' };
          const view = async (id: string) => (await (await fetch(`${tre.url}/api/rooms/${id}`, { headers: auth })).json()) as any;
          let state = (await view(oldRoom.id)).state;
          for (let i = 0; i < 300 && state === 'running'; i++) {
            await new Promise((r) => setTimeout(r, 100));
            state = (await view(oldRoom.id)).state;
          }
          expect(state).not.toBe('running');
          const again = await fetch(`${tre.url}/api/projects/${old.projectId}/rooms`, { method: 'POST', headers: auth, body: '{}' });
          expect([200, 201]).toContain(again.status);
          const roomId = ((await again.json()) as { id: string }).id;
          let room = await view(roomId);
          for (let i = 0; i < 600 && room.state !== 'running' && room.state !== 'failed'; i++) {
            await new Promise((r) => setTimeout(r, 100));
            room = await view(roomId);
          }
          expect({ state: room.state, failure: room.failureMessage }).toEqual({ state: 'running', failure: null });
          const procs = roomProcesses(roomId);
          expect(procs.map((pid) => parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8')).uids[0])).toEqual(procs.map(() => service.uid));
          await fetch(`${tre.url}/api/rooms/${roomId}/stop`, { method: 'POST', headers: auth });
          for (let i = 0; i < 300 && (await view(roomId)).state !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 100));
        } finally {
          await tre.stop();
        }
      } finally {
        for (const pid of oldRoomId ? roomProcesses(oldRoomId) : []) process.kill(pid, 'SIGKILL'); // whatever a failed run left
        if (stalePg && !gone(stalePg)) process.kill(stalePg, 'SIGINT');
        rmSync(parent, { recursive: true, force: true });
      }
    }, 240_000);
  },
);

const noDocker = notRoot ?? (existsSync('/usr/sbin/dockerd') || existsSync('/usr/bin/dockerd') ? undefined : 'dockerd is not installed');

describe.skipIf(noDocker !== undefined)(`tre start as root with the docker driver${noDocker ? ` (skipped: ${noDocker})` : ''}`, () => {
  it("keeps only the Docker socket's group besides its own, and reaches the daemon with it", async () => {
    const dockerd = await startDockerd();
    const parent = traversableTempDir('tre-docker-');
    const dataDir = join(parent, 'data');
    let tre: StartedTre | undefined;
    try {
      chmodSync(dirname(dockerd.socketPath), 0o711); // a private mkdtemp folder otherwise
      const socketGid = statSync(dockerd.socketPath).gid;
      expect(socketGid).not.toBe(0);
      tre = await startTre(['--data-dir', dataDir], await freePort(), { TRE_ROOM_DOCKER_SOCKET: dockerd.socketPath });
      const service = await account('analyserom');
      const c = parseStatus(readFileSync(`/proc/${tre.proc.pid}/status`, 'utf8'));
      expect({ uid: c.uids[0], groups: [...c.groups].sort((a, b) => a - b) }).toEqual({
        uid: service.uid,
        groups: [service.gid, socketGid].sort((a, b) => a - b),
      });
      const ping = await asProcess(tre.proc.pid!, ['curl', '-sf', '--unix-socket', dockerd.socketPath, 'http://docker/_ping']);
      expect(ping).toEqual({ code: 0, stderr: '' });
    } finally {
      await tre?.stop();
      await dockerd.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  }, 180_000);
});
