/**
 * Writing one file into a folder a room can write (its home), as the control plane, without ever
 * resolving a name the room can change: the folder is opened once (never a link) and held; the
 * content goes to a new file created in it with `O_EXCL | O_NOFOLLOW` under a random name, through
 * the held descriptor (`/proc/self/fd/<fd>/<name>`); that file is then renamed over `name` inside
 * the same folder. `rename` replaces a link planted under `name` rather than following it, and
 * fails on a folder (left alone). The file is given the folder's owner, so the room can edit it.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { InputError, NotAllowedError, NotFoundError } from '../errors/index.ts';
import { openRoomRoot, viaFd } from './open-file.ts';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface WriteRoomFileOptions {
  /** How the folder is named in messages, e.g. `the room's home`. */
  label: string;
  /** Default 0644. */
  mode?: number;
}

/** Replaces `<root>/<name>` (one plain name, no folders) with `content`. */
export async function replaceRoomFile(root: string, name: string, content: string | Uint8Array, opts: WriteRoomFileOptions): Promise<void> {
  if (!PLAIN_NAME.test(name)) throw new InputError(`'${name}' is not a plain file name`, { reason: 'invalid_path', details: { field: 'name' } });
  const dir = await openRoomRoot(root).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new NotAllowedError(`${opts.label} is not a folder`, { reason: 'symlink_refused' });
    }
    throw err;
  });
  if (!dir) throw new NotFoundError(`${opts.label} does not exist`, { reason: 'no_such_file' });
  const tmp = `.${name}.${randomBytes(6).toString('hex')}.tmp`;
  let created = false;
  try {
    const owner = await dir.handle.stat();
    const out = await open(viaFd(dir.handle.fd, tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, opts.mode ?? 0o644);
    created = true;
    try {
      await out.writeFile(content);
      if (process.getuid?.() === 0) await out.chown(owner.uid, owner.gid);
      await out.sync();
    } finally {
      await out.close();
    }
    try {
      await rename(viaFd(dir.handle.fd, tmp), viaFd(dir.handle.fd, name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new NotAllowedError(`'${name}' in ${opts.label} is a folder; it is left alone`, { reason: 'not_a_regular_file' });
      }
      throw err;
    }
    created = false;
  } finally {
    if (created) await unlink(viaFd(dir.handle.fd, tmp)).catch(() => undefined);
    await dir.handle.close();
  }
}
