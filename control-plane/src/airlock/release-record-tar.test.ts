import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSafeEntryName, readTar, writeTar } from './release-record-tar.ts';

const entries = [
  { name: 'exp_000000000001/bagit.txt', bytes: Buffer.from('BagIt-Version: 1.0\n') },
  { name: 'exp_000000000001/data/outputs/f1/t.csv', bytes: Buffer.alloc(700, 'a') },
  { name: 'exp_000000000001/data/empty', bytes: Buffer.alloc(0) },
];

/** A header like `writeTar`'s for `name`, then edited, with its checksum recomputed. */
function withHeader(edit: (h: Buffer) => void): Buffer {
  const tar = writeTar([{ name: 'a/b', bytes: Buffer.from('x') }], 0);
  const h = tar.subarray(0, 512);
  edit(h);
  h.write('        ', 148, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return tar;
}

describe('release record archive', () => {
  it('the same entries give the same bytes, and read back as written', () => {
    const a = writeTar(entries, 1_780_000_000);
    expect(a.equals(writeTar(entries, 1_780_000_000))).toBe(true);
    expect(a.length % 512).toBe(0);
    const read = readTar(a, { maxEntries: 10 });
    expect(read.ok && [...read.entries].map(([n, b]) => [n, b.length])).toEqual([
      ['exp_000000000001/bagit.txt', 19],
      ['exp_000000000001/data/outputs/f1/t.csv', 700],
      ['exp_000000000001/data/empty', 0],
    ]);
  });

  it('GNU tar reads it as regular files with the fixed time and owner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'record-tar-'));
    try {
      writeFileSync(join(dir, 'r.tar'), writeTar(entries, 1_780_000_000));
      const listing = execFileSync('tar', ['-tvf', join(dir, 'r.tar'), '--numeric-owner', '--utc'], { encoding: 'utf8' });
      expect(listing.trim().split('\n')).toEqual([
        '-rw-r--r-- 0/0              19 2026-05-28 20:26 exp_000000000001/bagit.txt',
        '-rw-r--r-- 0/0             700 2026-05-28 20:26 exp_000000000001/data/outputs/f1/t.csv',
        '-rw-r--r-- 0/0               0 2026-05-28 20:26 exp_000000000001/data/empty',
      ]);
      execFileSync('tar', ['-xf', join(dir, 'r.tar'), '-C', dir]);
      expect(readFileSync(join(dir, 'exp_000000000001/data/outputs/f1/t.csv')).equals(Buffer.alloc(700, 'a'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names must be relative, without . or .. segments, at most 100 bytes', () => {
    expect(['a/b.txt', 'exp_1/data/x-y_z.csv'].every(isSafeEntryName)).toBe(true);
    expect(['/etc/passwd', 'a/../b', './a', 'a//b', 'a/', 'a b', `a/${'x'.repeat(99)}`, 'å'].some(isSafeEntryName)).toBe(false);
    expect(() => writeTar([{ name: '../x', bytes: Buffer.alloc(0) }], 0)).toThrow('unsafe archive entry name');
  });

  it('refuses links, unsafe names, name prefixes, duplicates, bad checksums and truncation', () => {
    const no = (archive: Buffer) => {
      const r = readTar(archive, { maxEntries: 10 });
      return r.ok ? 'read' : r.message;
    };
    expect(no(withHeader((h) => h.write('2', 156)))).toBe('entry "a/b" is not a regular file (type "2")');
    expect(no(withHeader((h) => h.write('../../etc/x\0', 0)))).toBe('unsafe entry name "../../etc/x"');
    expect(no(withHeader((h) => h.write('evil', 345)))).toBe('entry "a/b" uses a name prefix');
    const one = writeTar([{ name: 'a/b', bytes: Buffer.from('x') }], 0);
    expect(no(Buffer.concat([one.subarray(0, 1024), one]))).toBe('entry a/b appears twice');
    const bad = Buffer.from(one);
    bad[0] = 0x62;
    expect(no(bad)).toBe('bad header checksum at byte 0');
    expect(no(one.subarray(0, 1024))).toBe('the archive ends without its end-of-archive blocks');
    expect(no(writeTar(entries, 0).subarray(0, 1024 + 512 + 100))).toBe('entry exp_000000000001/data/outputs/f1/t.csv has a bad size');
    expect(no(writeTar(entries, 0).subarray(0, 512))).toBe('entry exp_000000000001/bagit.txt has a bad size');
    const many = writeTar(
      Array.from({ length: 11 }, (_, i) => ({ name: `a/${i}`, bytes: Buffer.alloc(0) })),
      0,
    );
    expect(no(many)).toBe('more than 10 entries');
  });
});
