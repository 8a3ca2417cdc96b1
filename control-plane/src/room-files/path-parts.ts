/**
 * A path a caller names under a room-writable root, split into the components the walk opens one by
 * one. Lexical only: whether a component is a link or a folder is the walk's business, not this.
 */
import { InputError, NotAllowedError } from '../errors/index.ts';

/** Linux's NAME_MAX: a longer component cannot exist, so it is refused before anything is opened. */
const NAME_MAX_BYTES = 255;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The components of `requested` below the root. Empty and `.` components are dropped (they name
 * nothing, and are never handed to the kernel); an absolute path, `..`, control characters (NUL
 * included), text that is not well-formed Unicode and over-long names are refused. `label` is how
 * the root is named in messages (`/outputs`).
 */
export function roomPathParts(requested: string, label: string): string[] {
  if (requested.startsWith('/')) throw new NotAllowedError(`'${requested}' is not a path under ${label}`, { reason: 'path_outside_outputs' });
  if (!requested.isWellFormed()) throw new InputError(`'${requested}' is not well-formed text`, { reason: 'invalid_path' });
  const parts = requested.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new InputError(`'${requested}' names no file`, { reason: 'invalid_path' });
  for (const p of parts) {
    if (p === '..') throw new NotAllowedError(`'${requested}' leaves ${label}`, { reason: 'path_outside_outputs' });
    if (CONTROL.test(p)) throw new InputError(`'${requested}' has control characters`, { reason: 'invalid_path' });
    if (Buffer.byteLength(p) > NAME_MAX_BYTES)
      throw new InputError(`'${requested}' has a name longer than ${NAME_MAX_BYTES} bytes`, { reason: 'invalid_path' });
  }
  return parts;
}
