/**
 * Taking files out of a member's `/outputs` and into the airlock's staging area.
 *
 * The room owns `/outputs` and may hold anything there: symlinks to the copy, fifos, devices,
 * names with `..`. A requested path is therefore accepted only when every component below
 * `/outputs` is a real directory (no symlink), the last one is a regular file, and the file is
 * opened with `O_NOFOLLOW`; the bytes are copied from that open descriptor while they are
 * hashed, so what is staged is exactly what was hashed. Staged files are made read-only and
 * their folder closed; nothing in the control plane writes them again.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rm, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InputError, NotAllowedError, NotFoundError } from '../errors/index.ts';

export interface StagedFile {
  path: string;
  size: number;
  sha256: string;
}

/** Splits a requested path into safe components; refuses absolute paths, `..`, empty and hidden control parts. */
export function safeRelativePath(requested: string): string[] {
  const cleaned = requested.replace(/^\/?outputs\//, '');
  if (cleaned.startsWith('/')) throw new NotAllowedError(`'${requested}' is not a path under /outputs`, { reason: 'path_outside_outputs' });
  const parts = cleaned.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new InputError(`'${requested}' names no file`, { reason: 'invalid_path' });
  for (const p of parts) {
    if (p === '..') throw new NotAllowedError(`'${requested}' leaves /outputs`, { reason: 'path_outside_outputs' });
    if (/[\u0000-\u001f]/.test(p)) throw new InputError(`'${requested}' has control characters`, { reason: 'invalid_path' });
  }
  return parts;
}

/**
 * Opens `requested` under `root` for reading, refusing symlinks anywhere below `root`, paths
 * escaping it and anything but a regular file. The caller closes the handle.
 */
export async function openUnder(root: string, requested: string): Promise<{ handle: FileHandle; size: number; rel: string }> {
  const parts = safeRelativePath(requested);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    throw new NotFoundError(`no file '${requested}' in /outputs`, { reason: 'no_such_file' });
  }
  let at = realRoot;
  for (const [i, part] of parts.entries()) {
    at = join(at, part);
    let st;
    try {
      st = await lstat(at);
    } catch {
      throw new NotFoundError(`no file '${requested}' in /outputs`, { reason: 'no_such_file' });
    }
    if (st.isSymbolicLink()) throw new NotAllowedError(`'${requested}' is or passes through a symbolic link`, { reason: 'symlink_refused' });
    const last = i === parts.length - 1;
    if (!last && !st.isDirectory()) throw new NotFoundError(`no file '${requested}' in /outputs`, { reason: 'no_such_file' });
    if (last && !st.isFile()) throw new NotAllowedError(`'${requested}' is not a regular file`, { reason: 'not_a_regular_file' });
  }
  // The parent resolved now must still be inside the root (a directory swapped for a link since the walk).
  const parent = await realpath(join(realRoot, ...parts.slice(0, -1)));
  if (parent !== realRoot && !parent.startsWith(realRoot + sep)) {
    throw new NotAllowedError(`'${requested}' leaves /outputs`, { reason: 'path_outside_outputs' });
  }
  let handle: FileHandle;
  try {
    handle = await open(join(parent, parts.at(-1)!), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new NotAllowedError(`'${requested}' is a symbolic link`, { reason: 'symlink_refused' });
    throw err;
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new NotAllowedError(`'${requested}' is not a regular file`, { reason: 'not_a_regular_file' });
  }
  return { handle, size: st.size, rel: parts.join('/') };
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
      if (size > maxBytes) throw new NotAllowedError(`the file is larger than the limit of ${maxBytes} bytes`, { reason: 'file_too_large', details: { maxBytes } });
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

/** A staged file's bytes, verified against the hash recorded at request time. */
export async function readVerified(path: string, sha256: string): Promise<Buffer | null> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const bytes = await handle.readFile();
    return createHash('sha256').update(bytes).digest('hex') === sha256 ? bytes : null;
  } finally {
    await handle.close();
  }
}
