/**
 * What may pass through a room's proxy, by path and method alone. Nothing leaves a room but
 * through the airlock, so Jupyter's download and export paths are refused here:
 *   - `files/…` and `view/…` (Jupyter's raw file handlers),
 *   - any `download` query parameter that is set (`?download=1`),
 *   - nbconvert (`nbconvert/…`, `api/nbconvert`), which renders notebooks to downloadable files.
 * Contents API reads are inspected by size in the response (`contents-guard.ts`), whatever the
 * query says: Jupyter (tornado) takes the last of repeated arguments, strips them and decodes `+`,
 * so `?content=0&content=1` once passed a whole file as a "no content" read. A read without content
 * is a small model and passes the inspection anyway.
 * Refused names are matched regardless of case (a case-insensitive file system or a future route
 * must not turn `FILES/` into a download).
 * Paths are decoded and must already be normalised (no `.`/`..`/`//` segments): anything Jupyter
 * could route differently from what is checked here is refused.
 */
import { posix } from 'node:path';
import { InputError, NotAllowedError, NotFoundError, type DomainError } from '../errors/index.ts';

/** Why a path may not pass; `pathRefusal` makes it the domain error the proxy answers with. */
export type PathRefusal = 'bad_path' | 'no_such_room' | 'download_refused' | 'export_refused';

export type PathVerdict =
  | { ok: true; roomId: string; rest: string; inspectContents: boolean; contentsWrite: boolean }
  | { ok: false; reason: PathRefusal; roomId?: string };

/** The refusal as a domain error: a malformed path is bad input, a path no room has is not found, a way out is not allowed. */
export function pathRefusal(reason: PathRefusal): DomainError {
  switch (reason) {
    case 'bad_path':
      return new InputError('this path is not allowed', { reason });
    case 'no_such_room':
      return new NotFoundError('no such room', { reason });
    case 'download_refused':
    case 'export_refused':
      return new NotAllowedError('downloads and exports leave a room only through the airlock', { reason });
  }
}

/** A room id: one DNS label (rooms are served at `<room>.<rooms domain>`). */
export const ROOM_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOWNLOAD_PATHS = /^\/(files|view)(\/|$)/i;
const EXPORT_PATHS = /(^|\/)nbconvert(\/|$)/i;

/** `url` is the request target as received, starting with `/rooms/`. */
export function checkPath(method: string, url: string): PathVerdict {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, reason: 'bad_path' };
  }
  const end = path.indexOf('/', 7);
  const roomId = end < 0 ? path.slice(7) : path.slice(7, end);
  if (!ROOM_ID.test(roomId)) return { ok: false, reason: 'no_such_room' };
  // Without `//` and `/.` no segment is empty, `.` or `..`, so normalising would change nothing.
  if (path.includes('\0') || path.includes('\\') || path.includes('//') || (path.includes('/.') && posix.normalize(path) !== path)) {
    return { ok: false, reason: 'bad_path', roomId };
  }
  const rest = end < 0 ? '/' : path.slice(end);
  if (DOWNLOAD_PATHS.test(rest)) return { ok: false, reason: 'download_refused', roomId };
  if (EXPORT_PATHS.test(rest)) return { ok: false, reason: 'export_refused', roomId };
  if (query && downloadAsked(query)) return { ok: false, reason: 'download_refused', roomId };
  const lower = rest.toLowerCase();
  const contents = lower.startsWith('/api/contents/') || lower === '/api/contents';
  return {
    ok: true,
    roomId,
    rest,
    inspectContents: contents && method === 'GET',
    contentsWrite: contents && (method === 'PUT' || method === 'POST' || method === 'PATCH'),
  };
}

function downloadAsked(query: string): boolean {
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      // As tornado reads them: `+` is a space, then percent-decoding, then surrounding space stripped.
      key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '))
        .trim()
        .toLowerCase();
      value =
        eq < 0
          ? ''
          : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '))
              .trim()
              .toLowerCase();
    } catch {
      return true;
    }
    // Any `download` argument, whatever its value: tornado takes the last of several and strips it.
    if (key === 'download' && (eq < 0 || (value !== '0' && value !== 'false' && value !== 'no' && value !== ''))) return true;
  }
  return false;
}
