/**
 * Debian's own PostgreSQL server (package `postgresql`, installed by the test command),
 * started for a test in a temporary cluster on a unix socket only, as the `postgres` user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DebianPostgres {
  url: string;
  stop(): Promise<void>;
}

export function debianPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export async function startDebianPostgres(): Promise<DebianPostgres> {
  const bin = debianPostgresBin();
  if (!bin) throw new Error('Debian postgresql is not installed (the test command installs it: npm test)');
  const dir = mkdtempSync(join(tmpdir(), 'tre-debpg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  chownSync(dir, uid, gid);
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'tre-test-password\n');
  chownSync(pw, uid, gid);
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'tre', '--pwfile', pw, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'], {
    uid,
    gid,
    stdio: 'ignore',
  });
  const proc: ChildProcess = spawn(join(bin, 'postgres'), ['-D', data, '-c', 'listen_addresses=', '-c', `unix_socket_directories=${dir}`, '-p', '5432'], {
    uid,
    gid,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`postgres exited ${code}: ${err}`)));
  });
  const url = `postgresql://tre:tre-test-password@localhost/postgres?host=${encodeURIComponent(dir)}`;
  return {
    url,
    async stop() {
      proc.kill('SIGINT');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
