/**
 * The local sandbox driver: each room is a bubblewrap sandbox on this host (see `bwrap-args.ts` for
 * its shape and `limits.ts` for limits).
 *
 * Rooms SURVIVE a control-plane restart. bubblewrap is started detached in its own session, without
 * `--die-with-parent`; the saved state records its pid and start time (pid + start time identify a
 * process, so a reused pid is never mistaken for the room). A new driver instance re-adopts rooms
 * through `loadState`, and finds rooms with no saved state through the labels in bubblewrap's argv
 * (`listOwned`), so the reconcile loop can stop orphans. Home and outputs are host folders that a
 * driver never deletes, so neither restart path loses them.
 *
 * `tre start` serves as its unprivileged service account (privileges/): bubblewrap then runs as that
 * account with a user namespace, and a room's uid 1000 is that account on the host; home, outputs
 * and the socket folder are the account's. When the control plane still runs as root (a test
 * embedding it), rooms run as an unprivileged host uid (`hostUid`, default 65534) instead: a process
 * escaping its namespaces gets nothing but that uid. Every host folder of a spec,
 * and the room file system, must therefore be reachable by that uid (parents at least 0711), the data
 * copy readable by it; the driver hands home, outputs and the socket folder to it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UnavailableError } from '../../../errors/index.ts';
import {
  roomSpecSchema,
  ROOM_SOCKET_NAME,
  type AppliedLimits,
  type DriverOptions,
  type OwnedRoom,
  type RoomDriver,
  type RoomObservation,
  type RoomSpec,
  type SavedRoomState,
} from '../types.ts';
import { bwrapArgs, roomEnv } from './bwrap-args.ts';
import { appliedLimits, cgroupUsage, createRoomCgroup, detectCgroupV2, removeRoomCgroup, type CgroupSupport } from './limits.ts';
import { probeSocket } from './probe.ts';
import { refreshSocketLink, removeSocketLink, socketLinkPath } from './socket-link.ts';
import {
  anyAlive,
  CLOCK_TICKS_PER_SECOND,
  descendants,
  formatLabels,
  isAlive,
  procUsage,
  readStat,
  scanLabelledProcesses,
  signal,
  type LabelledProcess,
} from './proc.ts';
import { buildSeccompFilter } from './seccomp.ts';

export interface LocalDriverOptions extends DriverOptions {
  /** The room file system built by `workspace-images/build-rootfs.sh`. */
  rootfsDir: string;
  /** Control-plane-private folder for the seccomp filter and room logs (never mounted in a room). */
  stateDir: string;
  /** Default `bwrap` from PATH. */
  bwrapPath?: string;
  /** Host uid/gid rooms run as when the control plane is root. Default 65534 (nobody/nogroup). */
  hostUid?: number;
  hostGid?: number;
  /** How long the server gets to exit after SIGTERM before the sandbox is killed. Default 2000 ms. */
  stopGraceMs?: number;
  /** cgroup v2 mount to use for limits, or false to force rlimits. Default `/sys/fs/cgroup` if usable. */
  cgroupRoot?: string | false;
  clock?: { now(): Date };
}

interface LocalState extends SavedRoomState {
  driver: 'local';
  version: 1;
  projectId: string;
  pid: number;
  startTicks: number;
  /** Host folder the room's server creates its socket in (writable by the room). */
  socketDir: string;
  /** The control plane's hard link of that socket, outside the room: the only path ever connected to. */
  socketPath: string;
  baseUrl: string;
  startedAt: string;
  cgroupDir?: string;
  limits: AppliedLimits;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalDriver implements RoomDriver {
  readonly name = 'local';
  private readonly opts: Required<Omit<LocalDriverOptions, 'cgroupRoot'>> & { cgroupRoot: string | false };
  private readonly rooms = new Map<string, LocalState>();
  private readonly changed = new Set<string>();
  private cgroup: Promise<CgroupSupport | undefined> | undefined;
  private seccompFilter: Promise<string> | undefined;

  constructor(options: LocalDriverOptions) {
    const root = process.getuid?.() === 0;
    this.opts = {
      bwrapPath: 'bwrap',
      hostUid: root ? 65534 : process.getuid!(),
      hostGid: root ? 65534 : process.getgid!(),
      stopGraceMs: 2000,
      cgroupRoot: '/sys/fs/cgroup',
      clock: { now: () => new Date() },
      ...options,
    };
  }

  async start(input: RoomSpec): Promise<RoomObservation> {
    const parsed = roomSpecSchema.safeParse(input);
    if (!parsed.success) {
      throw new InputError('invalid room spec', { reason: 'invalid_spec', details: { issues: parsed.error.issues } });
    }
    const spec = parsed.data;
    const current = await this.poll(spec.roomId);
    if (current.state === 'starting' || current.state === 'running') return current;
    if (current.state === 'failed') await this.stop(spec.roomId);

    if (!(await exists(join(this.opts.rootfsDir, 'usr/bin/python3')))) {
      throw new UnavailableError('room file system not built', {
        reason: 'rootfs_missing',
        details: { rootfsDir: this.opts.rootfsDir },
      });
    }
    if (!(await exists(spec.dataDir))) {
      throw new InputError('data copy folder missing', { reason: 'data_missing', details: { dataDir: spec.dataDir } });
    }
    await this.prepareFolders(spec);

    const cgroup = await this.cgroupSupport();
    const cgroupDir = cgroup ? await createRoomCgroup(cgroup, spec.roomId, spec.limits) : undefined;
    const labels = formatLabels({ owner: this.opts.ownerId, roomId: spec.roomId, projectId: spec.projectId });
    const argv = bwrapArgs({ rootfsDir: this.opts.rootfsDir, spec, labels, useRlimits: !cgroup });
    const pid = await this.spawnSandbox(spec.roomId, argv, roomEnv(spec), cgroupDir);
    const stat = await readStat(pid);
    if (!stat) {
      throw new UnavailableError('room sandbox exited at once', { reason: 'sandbox_exited', details: { log: await this.logTail(spec.roomId) } });
    }
    const state: LocalState = {
      driver: 'local',
      version: 1,
      projectId: spec.projectId,
      pid,
      startTicks: stat.startTicks,
      socketDir: spec.socketDir,
      socketPath: socketLinkPath(spec.socketDir),
      baseUrl: spec.baseUrl,
      startedAt: this.opts.clock.now().toISOString(),
      limits: appliedLimits(cgroupDir !== undefined),
      ...(cgroupDir ? { cgroupDir } : {}),
    };
    this.rooms.set(spec.roomId, state);
    this.changed.add(spec.roomId);
    return this.observe(spec.roomId, state);
  }

  async poll(roomId: string): Promise<RoomObservation> {
    const state = this.rooms.get(roomId);
    if (state && (await isAlive(state.pid, state.startTicks))) return this.observe(roomId, state);
    const live = (await this.ownedProcesses()).filter((p) => p.labels.roomId === roomId);
    if (state && live.length === 0) {
      return {
        roomId,
        state: 'failed',
        reason: 'exited',
        message: `room sandbox exited without a stop: ${await this.logTail(roomId)}`,
        startedAt: state.startedAt,
      };
    }
    const outer = outermost(live)[0];
    if (!outer) return { roomId, state: 'stopped' };
    // Running without (valid) saved state: adopt it from what /proc says.
    // The process may exit between the /proc scan and reading its command line: then it is gone.
    const adopted = await adoptFromProc(outer, this.opts.clock.now()).catch(() => undefined);
    if (!adopted) return { roomId, state: 'stopped' };
    this.rooms.set(roomId, adopted);
    this.changed.add(roomId);
    return this.observe(roomId, adopted);
  }

  async stop(roomId: string): Promise<void> {
    const state = this.rooms.get(roomId);
    const procs = (await this.ownedProcesses()).filter((p) => p.labels.roomId === roomId);
    if (procs.length > 0) {
      // Let the server exit cleanly: it is the child of the namespace's pid 1 (the inner bwrap).
      const inner = procs.filter((p) => procs.some((q) => q.pid === p.ppid));
      const servers = (await Promise.all(inner.map((p) => descendants(p.pid)))).flat();
      for (const pid of servers) signal(pid, 'SIGTERM');
      const deadline = Date.now() + this.opts.stopGraceMs;
      while (Date.now() < deadline && (await anyAlive(servers))) await sleep(50);
      // Killing a PID namespace's pid 1 kills everything in it; the outer monitor then exits.
      for (const p of [...inner, ...procs]) signal(p.pid, 'SIGKILL');
      for (let i = 0; i < 250 && (await anyAlive(procs.map((p) => p.pid))); i++) await sleep(20);
      if (await anyAlive(procs.map((p) => p.pid))) {
        throw new UnavailableError('room sandbox did not exit', { reason: 'stop_timeout', details: { roomId } });
      }
    }
    const cgroupDir = state?.cgroupDir ?? (await this.cgroupSupport().then((c) => c && join(c.parent, roomId)));
    if (cgroupDir) await removeRoomCgroup(cgroupDir);
    if (state) {
      await removeSocketLink(state.socketPath);
      await rm(join(state.socketDir, ROOM_SOCKET_NAME), { force: true });
    }
    this.rooms.delete(roomId);
    this.changed.delete(roomId);
  }

  getState(roomId: string): SavedRoomState | undefined {
    this.changed.delete(roomId);
    const state = this.rooms.get(roomId);
    return state ? { ...state } : undefined;
  }

  loadState(roomId: string, state: SavedRoomState): void {
    if (state.driver !== 'local' || state.version !== 1) return; // unknown state: poll observes from /proc
    this.rooms.set(roomId, state as LocalState);
  }

  async listOwned(): Promise<OwnedRoom[]> {
    const byRoom = new Map<string, LabelledProcess>();
    for (const p of outermost(await this.ownedProcesses())) byRoom.set(p.labels.roomId, p);
    const owned: OwnedRoom[] = [];
    for (const [roomId, p] of byRoom) {
      const obs = await this.poll(roomId);
      owned.push({ roomId, projectId: p.labels.projectId, state: obs.state });
    }
    return owned;
  }

  private async observe(roomId: string, state: LocalState): Promise<RoomObservation> {
    const linked = await refreshSocketLink(state.socketDir, state.socketPath);
    const status = linked === undefined ? undefined : await probeSocket(linked, `${state.baseUrl}api`);
    return {
      roomId,
      state: status === undefined ? 'starting' : 'running',
      endpoint: { kind: 'unix', socketPath: state.socketPath },
      startedAt: state.startedAt,
      limits: state.limits,
      usage: state.cgroupDir ? await cgroupUsage(state.cgroupDir) : await procUsage(state.pid),
      stateChanged: this.changed.has(roomId),
    };
  }

  private async ownedProcesses(): Promise<LabelledProcess[]> {
    return (await scanLabelledProcesses()).filter((p) => p.labels.owner === this.opts.ownerId);
  }

  private cgroupSupport(): Promise<CgroupSupport | undefined> {
    const root = this.opts.cgroupRoot;
    this.cgroup ??= root === false ? Promise.resolve(undefined) : detectCgroupV2(root);
    return this.cgroup;
  }

  private async prepareFolders(spec: RoomSpec): Promise<void> {
    const { hostUid, hostGid } = this.opts;
    for (const dir of [spec.homeDir, spec.outputsDir, spec.socketDir, spec.importsDir]) {
      await mkdir(dir, { recursive: true });
    }
    if (spec.apiDir) await mkdir(spec.apiDir, { recursive: true });
    for (const dir of [spec.homeDir, spec.outputsDir, spec.socketDir, spec.apiDir]) {
      if (dir && process.getuid?.() === 0) await chown(dir, hostUid, hostGid);
    }
    await chmod(spec.socketDir, 0o700);
    if (spec.apiDir) await chmod(spec.apiDir, 0o700);
    await rm(join(spec.socketDir, ROOM_SOCKET_NAME), { force: true });
    await removeSocketLink(socketLinkPath(spec.socketDir));
  }

  private async spawnSandbox(roomId: string, argv: string[], env: Record<string, string>, cgroupDir?: string): Promise<number> {
    const logPath = join(this.opts.stateDir, 'rooms', `${roomId}.log`);
    await mkdir(join(this.opts.stateDir, 'rooms'), { recursive: true, mode: 0o700 });
    const filter = await open(await this.seccompFilterFile(), 'r');
    const log = await open(logPath, 'w', 0o600);
    let command = this.opts.bwrapPath;
    let args = argv;
    if (process.getuid?.() === 0) {
      args = [`--reuid=${this.opts.hostUid}`, `--regid=${this.opts.hostGid}`, '--clear-groups', '--', command, ...args];
      command = 'setpriv';
    }
    if (cgroupDir) {
      args = ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroupDir, command, ...args];
      command = '/bin/sh';
    }
    try {
      const child = spawn(command, args, {
        detached: true,
        env,
        stdio: ['ignore', log.fd, log.fd, filter.fd],
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!));
        child.once('error', (err) => reject(new UnavailableError('cannot start bubblewrap', { reason: 'sandbox_unavailable', cause: err })));
      });
      child.unref();
      // The sandbox must reach bwrap's exec before its pid and start time identify the room: wait until
      // the process image is bwrap (setpriv and sh exec into it), or it exited.
      for (let i = 0; i < 100; i++) {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmd === '' || cmd.split('\0')[0]?.endsWith('bwrap')) break;
        await sleep(5);
      }
      return pid;
    } finally {
      await filter.close();
      await log.close();
    }
  }

  /**
   * The seccomp program bubblewrap reads from fd 3, written once per driver and put in place by a
   * rename, so a sandbox never reads a half-written file. Rewriting the one file for every start
   * (truncate, then write) let concurrent starts hand bubblewrap an empty or partial program, which
   * it refuses (`prctl(PR_SET_SECCOMP) reported EINVAL`): rooms failed with `sandbox-exited` when
   * many researchers started theirs at once. A rename also keeps other drivers sharing the state
   * folder (a restarted control plane) from touching a file a sandbox is reading.
   */
  private seccompFilterFile(): Promise<string> {
    this.seccompFilter ??= (async () => {
      const path = join(this.opts.stateDir, 'room-seccomp.bpf');
      const temp = `${path}.${randomBytes(6).toString('hex')}`;
      await writeFile(temp, buildSeccompFilter(), { mode: 0o600 });
      await rename(temp, path);
      return path;
    })();
    this.seccompFilter.catch(() => {
      this.seccompFilter = undefined;
    });
    return this.seccompFilter;
  }

  /** The end of what the room wrote to its stdout: only the end is read, however much the room wrote. */
  private async logTail(roomId: string): Promise<string> {
    const log = await open(join(this.opts.stateDir, 'rooms', `${roomId}.log`), 'r').catch(() => undefined);
    if (!log) return '';
    try {
      const size = (await log.stat()).size;
      const buf = Buffer.alloc(Math.min(size, 2048));
      const { bytesRead } = await log.read(buf, 0, buf.length, size - buf.length);
      return buf.subarray(0, bytesRead).toString('utf8').slice(-500).trim();
    } finally {
      await log.close();
    }
  }
}

/** Labelled processes whose parent is not itself a labelled process of the same room (the outer bwrap). */
function outermost(procs: LabelledProcess[]): LabelledProcess[] {
  const pids = new Set(procs.map((p) => p.pid));
  return procs.filter((p) => !pids.has(p.ppid));
}

async function adoptFromProc(p: LabelledProcess, now: Date): Promise<LocalState> {
  const processStartTime = async (fallback: Date) => {
    const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8').catch(() => ''))?.[1];
    return btime ? new Date((Number(btime) + p.startTicks / CLOCK_TICKS_PER_SECOND) * 1000) : fallback;
  };
  const argv = (await readFile(`/proc/${p.pid}/cmdline`, 'utf8')).split('\0');
  const bindAt = argv.findIndex((a, i) => a === '--bind' && argv[i + 2] === '/run/jupyter');
  const socketDir = argv[bindAt + 1] ?? '';
  const baseFlag = argv.find((a) => a.startsWith('--ServerApp.base_url='));
  const baseUrl = baseFlag ? baseFlag.slice('--ServerApp.base_url='.length) : (argv.filter(Boolean).at(-1) ?? '/');
  return {
    driver: 'local',
    version: 1,
    projectId: p.labels.projectId,
    pid: p.pid,
    startTicks: p.startTicks,
    socketDir,
    socketPath: socketLinkPath(socketDir),
    baseUrl,
    startedAt: (await processStartTime(now)).toISOString(),
    limits: appliedLimits(argv.every((a) => !a.includes('ulimit -v'))),
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
