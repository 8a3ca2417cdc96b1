import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoomTree } from './list-tree.ts';
import { RENAME_EXCHANGE_LOOP } from '../../../test/support/rename-exchange.ts';

let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tre-room-list-'));
  root = join(base, 'outputs');
  outside = join(base, 'host');
  mkdirSync(join(root, 'a', 'b', 'c'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'host-only-name.txt'), 'x');
  writeFileSync(join(root, 'a', 'one.csv'), '12345');
  writeFileSync(join(root, 'a', 'b', 'c', 'deep.csv'), '1');
  writeFileSync(join(root, 'z.csv'), '');
  symlinkSync(outside, join(root, 'hostdir'));
  symlinkSync('/etc/passwd', join(root, 'a', 'passwd'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const brief = (entries: Awaited<ReturnType<typeof listRoomTree>>) => entries.map((e) => [e.path, e.kind, e.sizeBytes]);

describe('listRoomTree', () => {
  it('lists files with sizes and marks links, without entering linked folders', async () => {
    expect(brief(await listRoomTree(root, { maxEntries: 100, maxDepth: 8 }))).toEqual([
      ['a/b/c/deep.csv', 'file', 1],
      ['a/one.csv', 'file', 5],
      ['a/passwd', 'symlink', 0],
      ['hostdir', 'symlink', 0],
      ['z.csv', 'file', 0],
    ]);
  });

  it('stops at the depth and entry limits', async () => {
    expect(brief(await listRoomTree(root, { maxEntries: 100, maxDepth: 1 }))).toEqual([
      ['a/one.csv', 'file', 5],
      ['a/passwd', 'symlink', 0],
      ['hostdir', 'symlink', 0],
      ['z.csv', 'file', 0],
    ]);
    expect(brief(await listRoomTree(root, { maxEntries: 2, maxDepth: 8 }))).toHaveLength(2);
  });

  it('reads no more names than its budget, folders included', async () => {
    const wide = join(base, 'wide');
    for (let i = 0; i < 30; i++) {
      mkdirSync(join(wide, `d${i}`), { recursive: true });
      writeFileSync(join(wide, `d${i}`, 'f.csv'), '');
    }
    expect(await listRoomTree(wide, { maxEntries: 100, maxDepth: 8, maxScanned: 20 })).toEqual([]);
    expect(await listRoomTree(wide, { maxEntries: 100, maxDepth: 8, maxScanned: 45 })).toHaveLength(15);
    expect(await listRoomTree(wide, { maxEntries: 100, maxDepth: 8 })).toHaveLength(30);
  });

  it('is empty when the root does not exist', async () => {
    expect(await listRoomTree(join(base, 'nope'), { maxEntries: 10, maxDepth: 8 })).toEqual([]);
  });

  it('never lists the host folder while a folder is swapped with a link to it', async () => {
    const race = join(base, 'race');
    mkdirSync(join(race, 'd'), { recursive: true });
    writeFileSync(join(race, 'd', 'own.csv'), 'x');
    symlinkSync(outside, join(race, 'l'));
    const swapper = spawn('python3', ['-c', RENAME_EXCHANGE_LOOP, join(race, 'd'), join(race, 'l'), join(race, 'stop')], { stdio: 'ignore' });
    const seen = new Set<string>();
    try {
      for (let i = 0; i < 1500; i++) for (const e of await listRoomTree(race, { maxEntries: 100, maxDepth: 8 })) seen.add(e.path);
    } finally {
      writeFileSync(join(race, 'stop'), '');
      swapper.kill();
    }
    expect([...seen].filter((p) => p.includes('host-only-name'))).toEqual([]);
    expect(
      [...seen].every((p) => ['d/own.csv', 'l/own.csv', 'd', 'l'].includes(p)),
      [...seen].join(' '),
    ).toBe(true);
  });
});
