/**
 * `openat` for Node, which has none: a file under a root a room can write, opened so that no
 * name the room can change between a check and the open is ever resolved by the kernel.
 *
 * The root is opened once and held. Every component below it is opened relative to the folder
 * opened before it, through `/proc/self/fd/<fd>/<name>`: the kernel jumps to the folder the
 * descriptor holds (wherever it has been moved since) and looks up one name there, with
 * `O_NOFOLLOW`, so a symbolic link swapped in at any moment is refused, never followed. The
 * open file is then checked against the kernel's own name for its descriptor
 * (`readlink /proc/self/fd/<fd>`): it must be the requested name under the root's real path,
 * on the root's device, a regular file, within the size limit. Whoever reads the file reads
 * the returned descriptor, never the path again.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, readlink, type FileHandle } from 'node:fs/promises';
import { NotAllowedError, NotFoundError } from '../errors/index.ts';
import { roomPathParts } from './path-parts.ts';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK } = constants;
/** An intermediate component: a real folder, not a link to one. */
export const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** The last component: not a link; `O_NONBLOCK` so a fifo cannot hold the open. */
const FILE_FLAGS = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/** The path through which the kernel resolves `name` inside the folder `dirFd` holds. */
export const viaFd = (fd: number, name?: string) => (name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`);

export interface RoomRoot {
  handle: FileHandle;
  /** The root's real path, as the kernel names its descriptor. */
  realPath: string;
  dev: number;
}

export interface OpenedRoomFile {
  /** Read this; the caller closes it. */
  handle: FileHandle;
  size: number;
  /** The file's path below the root, normalised (`a/b.csv`). */
  rel: string;
  dev: number;
  ino: number;
}

export interface OpenRoomFileOptions {
  /** How the root is named in messages, e.g. `/outputs`. */
  label: string;
  /** Refuse a file larger than this (bytes) at open; readers still bound what they read. */
  maxBytes?: number;
}

/** Opens the root folder itself (never a link), or null when it does not exist. */
export async function openRoomRoot(root: string): Promise<RoomRoot | null> {
  let handle: FileHandle;
  try {
    handle = await open(root, DIR_FLAGS);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return null;
    throw err;
  }
  try {
    const [realPath, st] = await Promise.all([readlink(viaFd(handle.fd)), handle.stat()]);
    return { handle, realPath, dev: st.dev };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Opens `requested` (relative to `root`) for reading, or refuses with a typed error whose
 * `reason` says why: `invalid_path`, `path_outside_outputs` (lexically outside), `no_such_file`,
 * `symlink_refused`, `not_a_regular_file`, `file_too_large`, `not_readable`, and
 * `path_escapes_room` / `path_changed` when the kernel names the open file elsewhere than the
 * requested path under the root (a folder moved or swapped during the walk).
 */
export async function openRoomFile(root: string, requested: string, opts: OpenRoomFileOptions): Promise<OpenedRoomFile> {
  const parts = roomPathParts(requested, opts.label);
  const rel = parts.join('/');
  const rootDir = await openRoomRoot(root);
  if (!rootDir) throw new NotFoundError(`no file '${requested}' in ${opts.label}`, { reason: 'no_such_file' });
  const held: FileHandle[] = [rootDir.handle];
  let file: FileHandle | undefined;
  try {
    for (const [i, part] of parts.entries()) {
      const dirFd = held.at(-1)!.fd;
      const last = i === parts.length - 1;
      try {
        const h = await open(viaFd(dirFd, part), last ? FILE_FLAGS : DIR_FLAGS);
        if (last) file = h;
        else held.push(h);
      } catch (err) {
        throw await refusalOf(err, dirFd, part, last, requested, opts.label);
      }
    }
    const opened = await confirmUnder(rootDir, file!, rel, requested, opts);
    file = undefined;
    return opened;
  } finally {
    await file?.close();
    for (const h of held.reverse()) await h.close();
  }
}

/**
 * Checks that the open `file` is a regular file within the limit and that the kernel names it
 * `<root's real path>/<rel>` on the root's device; refuses otherwise (the walk guarantees this,
 * so a refusal here means the tree moved during it).
 */
export async function confirmUnder(rootDir: RoomRoot, file: FileHandle, rel: string, requested: string, opts: OpenRoomFileOptions): Promise<OpenedRoomFile> {
  const st = await file.stat();
  verifyKind(st, requested, opts);
  if (st.dev !== rootDir.dev) throw escapes(requested, opts.label);
  const kernelName = await readlink(viaFd(file.fd));
  if (!kernelName.startsWith(`${rootDir.realPath}/`)) throw escapes(requested, opts.label);
  if (kernelName !== `${rootDir.realPath}/${rel}`) {
    throw new NotAllowedError(`'${requested}' was moved while it was opened`, { reason: 'path_changed' });
  }
  return { handle: file, size: st.size, rel, dev: st.dev, ino: st.ino };
}

function verifyKind(st: Stats, requested: string, opts: OpenRoomFileOptions): void {
  if (!st.isFile()) throw new NotAllowedError(`'${requested}' is not a regular file`, { reason: 'not_a_regular_file' });
  if (opts.maxBytes !== undefined && st.size > opts.maxBytes) {
    throw new NotAllowedError(`the file is larger than the limit of ${opts.maxBytes} bytes`, {
      reason: 'file_too_large',
      details: { maxBytes: opts.maxBytes },
    });
  }
}

const escapes = (requested: string, label: string) => new NotAllowedError(`'${requested}' leaves ${label}`, { reason: 'path_escapes_room' });

/** The typed refusal for a failed open of `name` in the folder `dirFd`. */
async function refusalOf(err: unknown, dirFd: number, name: string, last: boolean, requested: string, label: string): Promise<unknown> {
  if (isCode(err, 'ENOENT')) return new NotFoundError(`no file '${requested}' in ${label}`, { reason: 'no_such_file' });
  if (isCode(err, 'ELOOP')) return new NotAllowedError(`'${requested}' is or passes through a symbolic link`, { reason: 'symlink_refused' });
  if (isCode(err, 'EACCES') || isCode(err, 'EPERM')) return new NotAllowedError(`'${requested}' cannot be read`, { reason: 'not_readable' });
  if (isCode(err, 'ENXIO') || isCode(err, 'ENODEV')) return new NotAllowedError(`'${requested}' is not a regular file`, { reason: 'not_a_regular_file' });
  if (isCode(err, 'ENOTDIR') && !last) {
    // A link or a file where a folder was named: which one only shapes the message (the open already failed).
    const st = await lstat(viaFd(dirFd, name)).catch(() => undefined);
    if (st?.isSymbolicLink()) return new NotAllowedError(`'${requested}' is or passes through a symbolic link`, { reason: 'symlink_refused' });
    return new NotFoundError(`no file '${requested}' in ${label}`, { reason: 'no_such_file' });
  }
  return err;
}

export function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === code;
}
