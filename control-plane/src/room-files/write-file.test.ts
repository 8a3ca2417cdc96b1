import { chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../errors/index.ts';
import { replaceRoomFile } from './write-file.ts';

let base: string;
let home: string;
let host: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'tre-room-write-'));
  home = join(base, 'home');
  host = join(base, 'host');
  mkdirSync(home);
  mkdirSync(host);
  writeFileSync(join(host, 'secret'), 'MASTER-KEY\n');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'written',
    (err: unknown) => (err instanceof DomainError ? err.reason : Promise.reject(err)),
  );

describe('replaceRoomFile', () => {
  it('writes the file, replacing an older one, and leaves no temporary file behind', async () => {
    writeFileSync(join(home, 'welcome.ipynb'), 'old');
    await replaceRoomFile(home, 'welcome.ipynb', '{"cells":[]}', { label: 'home' });
    expect({ text: readFileSync(join(home, 'welcome.ipynb'), 'utf8'), entries: readdirSync(home) }).toEqual({
      text: '{"cells":[]}',
      entries: ['welcome.ipynb'],
    });
  });

  it('replaces a link planted under the name instead of writing through it', async () => {
    symlinkSync(join(host, 'secret'), join(home, 'welcome.ipynb'));
    await replaceRoomFile(home, 'welcome.ipynb', 'new', { label: 'home' });
    expect({
      host: readFileSync(join(host, 'secret'), 'utf8'),
      isLink: lstatSync(join(home, 'welcome.ipynb')).isSymbolicLink(),
      text: readFileSync(join(home, 'welcome.ipynb'), 'utf8'),
    }).toEqual({ host: 'MASTER-KEY\n', isLink: false, text: 'new' });
  });

  it('refuses a home that is itself a link, a folder under the name, and names with folders', async () => {
    symlinkSync(host, join(base, 'linked-home'));
    mkdirSync(join(home, 'taken.ipynb'));
    writeFileSync(join(home, 'taken.ipynb', 'mine'), 'kept');
    expect([
      await reasonOf(replaceRoomFile(join(base, 'linked-home'), 'welcome.ipynb', 'x', { label: 'home' })),
      await reasonOf(replaceRoomFile(home, 'taken.ipynb', 'x', { label: 'home' })),
      await reasonOf(replaceRoomFile(home, '../escape.ipynb', 'x', { label: 'home' })),
      await reasonOf(replaceRoomFile(home, '.hidden', 'x', { label: 'home' })),
      await reasonOf(replaceRoomFile(join(base, 'missing'), 'welcome.ipynb', 'x', { label: 'home' })),
    ]).toEqual(['symlink_refused', 'not_a_regular_file', 'invalid_path', 'invalid_path', 'no_such_file']);
    expect({ host: readdirSync(host), home: readdirSync(home).sort(), kept: readFileSync(join(home, 'taken.ipynb', 'mine'), 'utf8') }).toEqual({
      host: ['secret'],
      home: ['taken.ipynb'],
      kept: 'kept',
    });
    expect(readlinkSync(join(base, 'linked-home'))).toBe(host);
  });

  it.skipIf(process.getuid?.() !== 0)("gives the file the folder's owner, so the room can edit it", async () => {
    chownSync(home, 65534, 65534);
    await replaceRoomFile(home, 'welcome.ipynb', 'x', { label: 'home' });
    const st = lstatSync(join(home, 'welcome.ipynb'));
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid: 65534, gid: 65534, mode: 0o644 });
  });
});
