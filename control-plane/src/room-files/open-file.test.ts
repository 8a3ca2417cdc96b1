import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors/index.ts';
import { RENAME_EXCHANGE_LOOP } from '../../../test/support/rename-exchange.ts';
import { confirmUnder, openRoomFile, openRoomRoot } from './open-file.ts';

let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tre-room-files-'));
  root = join(base, 'outputs');
  outside = join(base, 'host');
  mkdirSync(join(root, 'tables'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.csv'), 'MASTER-KEY\n');
  writeFileSync(join(root, 'tables', 't1.csv'), 'a,b\n1,2\n');
  writeFileSync(join(root, 'big.csv'), Buffer.alloc(2048));
  symlinkSync(join(outside, 'secret.csv'), join(root, 'link.csv'));
  symlinkSync(outside, join(root, 'linkdir'));
  symlinkSync(join(outside, 'secret.csv'), join(root, 'tables', 'rel-link.csv'));
  execFileSync('mkfifo', [join(root, 'pipe')]);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function reasonOf(requested: string, maxBytes?: number): Promise<string | undefined> {
  try {
    const f = await openRoomFile(root, requested, { label: '/outputs', maxBytes });
    await f.handle.close();
    return 'opened';
  } catch (err) {
    if (err instanceof DomainError) return err.reason;
    throw err;
  }
}

describe('openRoomFile', () => {
  it('opens a file under the root and reads it through the returned descriptor', async () => {
    const f = await openRoomFile(root, './tables//t1.csv', { label: '/outputs' });
    try {
      expect([f.rel, f.size, (await f.handle.readFile()).toString()]).toEqual(['tables/t1.csv', 8, 'a,b\n1,2\n']);
    } finally {
      await f.handle.close();
    }
  });

  it('refuses links, escapes, special files and malformed names, each with its reason', async () => {
    const cases: [string, string][] = [
      ['link.csv', 'symlink_refused'],
      ['linkdir/secret.csv', 'symlink_refused'],
      ['tables/rel-link.csv', 'symlink_refused'],
      ['../host/secret.csv', 'path_outside_outputs'],
      ['tables/../../host/secret.csv', 'path_outside_outputs'],
      [join(outside, 'secret.csv'), 'path_outside_outputs'],
      ['pipe', 'not_a_regular_file'],
      ['tables', 'not_a_regular_file'],
      ['missing.csv', 'no_such_file'],
      ['big.csv/x', 'no_such_file'],
      ['', 'invalid_path'],
      ['.//', 'invalid_path'],
      ['tables/t1.csv\0', 'invalid_path'],
      ['a\nb', 'invalid_path'],
      ['\ud800.csv', 'invalid_path'],
      [`${'x'.repeat(256)}.csv`, 'invalid_path'],
    ];
    const got = [];
    for (const [path] of cases) got.push([path, await reasonOf(path)]);
    expect(got).toEqual(cases);
  });

  it('refuses a file over the size limit when opening it', async () => {
    expect(await reasonOf('big.csv', 1024)).toBe('file_too_large');
    expect(await reasonOf('big.csv', 2048)).toBe('opened');
  });

  it('404s when the root itself does not exist', async () => {
    await expect(openRoomFile(join(base, 'nope'), 'a.csv', { label: '/outputs' })).rejects.toMatchObject({ reason: 'no_such_file' });
  });

  it('refuses a descriptor the kernel names outside the root, or elsewhere under it', async () => {
    const rootDir = (await openRoomRoot(root))!;
    const opts = { label: '/outputs' };
    try {
      const foreign = await open(join(outside, 'secret.csv'), 'r');
      await expect(confirmUnder(rootDir, foreign, 'tables/t1.csv', 'tables/t1.csv', opts)).rejects.toMatchObject({ reason: 'path_escapes_room' });
      await foreign.close();
      const other = await open(join(root, 'big.csv'), 'r');
      await expect(confirmUnder(rootDir, other, 'tables/t1.csv', 'tables/t1.csv', opts)).rejects.toMatchObject({ reason: 'path_changed' });
      await other.close();
    } finally {
      await rootDir.handle.close();
    }
  });

  it('never returns a host file while a folder is swapped with a link to the host (renameat2 RENAME_EXCHANGE)', async () => {
    const race = join(base, 'race');
    mkdirSync(join(race, 'd'), { recursive: true });
    writeFileSync(join(race, 'd', 'secret.csv'), 'own,file\n');
    symlinkSync(outside, join(race, 'l'));
    const swapper = spawn('python3', ['-c', RENAME_EXCHANGE_LOOP, join(race, 'd'), join(race, 'l'), join(race, 'stop')], { stdio: 'ignore' });
    const outcomes = new Map<string, number>();
    try {
      for (let i = 0; i < 3000; i++) {
        let outcome: string;
        try {
          const f = await openRoomFile(race, 'd/secret.csv', { label: '/outputs' });
          outcome = (await f.handle.readFile()).toString();
          await f.handle.close();
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          outcome = err.reason!;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    } finally {
      writeFileSync(join(race, 'stop'), '');
      swapper.kill();
    }
    expect(
      [...outcomes.keys()].every((o) => ['own,file\n', 'symlink_refused', 'no_such_file', 'path_changed', 'path_escapes_room'].includes(o)),
      JSON.stringify([...outcomes]),
    ).toBe(true);
    expect(outcomes.has('MASTER-KEY\n')).toBe(false);
  });
});
