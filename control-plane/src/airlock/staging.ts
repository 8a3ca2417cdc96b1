/**
 * Taking files out of a member's `/outputs` and into the airlock's staging area.
 *
 * The room owns `/outputs` and may hold anything there, and change it at any moment: symlinks to
 * the copy or the host, fifos, names with `..`, folders swapped for links mid-request. A file is
 * therefore opened only through `room-files` (component by component from a held descriptor of
 * the root, no link followed, the kernel's name for the open file verified), and its bytes are
 * copied from that open descriptor while they are hashed, so what is staged is exactly what was
 * hashed and lay under `/outputs`. Staged files are made read-only and
 * their folder closed; nothing in the control plane writes them again.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DomainError, NotAllowedError } from '../errors/index.ts';
import { openRoomFile, roomPathParts } from '../room-files/index.ts';

export interface StagedFile {
  path: string;
  size: number;
  sha256: string;
}

/** The components of a path under `/outputs` (`a/b.csv` or `/outputs/a/b.csv`); see `roomPathParts`. */
export function safeRelativePath(requested: string): string[] {
  return roomPathParts(requested.replace(/^\/?outputs\//, ''), '/outputs');
}

/**
 * Opens `requested` under `root` (a member's outputs) for reading through held descriptors (see
 * `room-files`): no link is followed anywhere below `root`, and the open file is verified to be
 * the one under it. The caller closes the handle and reads only from it.
 */
export async function openUnder(root: string, requested: string, maxBytes?: number): Promise<{ handle: FileHandle; size: number; rel: string }> {
  return openRoomFile(root, requested.replace(/^\/?outputs\//, ''), { label: '/outputs', maxBytes });
}

/** Copies an open file into `dest` (created exclusively, then made read-only), hashing what it writes. */
export async function copyHashed(handle: FileHandle, dest: string, maxBytes: number): Promise<StagedFile> {
  const hash = createHash('sha256');
  const out = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  let size = 0;
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes)
        throw new NotAllowedError(`the file is larger than the limit of ${maxBytes} bytes`, { reason: 'file_too_large', details: { maxBytes } });
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      await out.write(chunk);
    }
    await out.sync();
  } catch (err) {
    await out.close();
    await rm(dest, { force: true });
    throw err;
  }
  await out.close();
  await chmod(dest, 0o444);
  return { path: dest, size, sha256: hash.digest('hex') };
}

/** Writes bytes received over HTTP (imports) into the staging area, hashed, read-only. */
export async function stageBytes(dest: string, bytes: Uint8Array): Promise<StagedFile> {
  const out = await open(dest, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await out.write(bytes);
    await out.sync();
  } finally {
    await out.close();
  }
  await chmod(dest, 0o444);
  return { path: dest, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export async function createStagingDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: false, mode: 0o700 }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
    await mkdir(join(dir, '..'), { recursive: true, mode: 0o700 });
    await mkdir(dir, { mode: 0o700 });
  });
}

/** Closes a staging folder: no file can be added, renamed or removed any more. */
export async function sealStagingDir(dir: string): Promise<void> {
  await chmod(dir, 0o500);
}

/**
 * A staged file's bytes, verified against the hash recorded at request time; null when they no
 * longer match, or the file is gone or was replaced by anything but a regular file.
 */
export async function readVerified(path: string, sha256: string): Promise<Buffer | null> {
  let opened;
  try {
    opened = await openRoomFile(dirname(path), basename(path), { label: 'the staging area' });
  } catch (err) {
    if (err instanceof DomainError) return null;
    throw err;
  }
  try {
    const bytes = await opened.handle.readFile();
    return createHash('sha256').update(bytes).digest('hex') === sha256 ? bytes : null;
  } finally {
    await opened.handle.close();
  }
}
