/**
 * What may pass through a room's proxy, by path and method alone. Nothing leaves a room but
 * through the airlock, so Jupyter's download and export paths are refused here:
 *   - `files/…` and `view/…` (Jupyter's raw file handlers),
 *   - any `download` query parameter that is set (`?download=1`),
 *   - nbconvert (`nbconvert/…`, `api/nbconvert`), which renders notebooks to downloadable files.
 * Contents API reads are inspected by size in the response (`contents-guard.ts`).
 * Paths are decoded and must already be normalised (no `.`/`..`/`//` segments): anything Jupyter
 * could route differently from what is checked here is refused.
 */
import { posix } from 'node:path';

export type PathVerdict =
  | { ok: true; roomId: string; rest: string; inspectContents: boolean; contentsWrite: boolean }
  | { ok: false; status: number; reason: string; roomId?: string };

const ROOM_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOWNLOAD_PATHS = /^\/(files|view)(\/|$)/;
const EXPORT_PATHS = /(^|\/)nbconvert(\/|$)/;

/** `url` is the request target as received, starting with `/rooms/`. */
export function checkPath(method: string, url: string): PathVerdict {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'bad_path' };
  }
  const end = path.indexOf('/', 7);
  const roomId = end < 0 ? path.slice(7) : path.slice(7, end);
  if (!ROOM_ID.test(roomId)) return { ok: false, status: 404, reason: 'no_such_room' };
  // Without `//` and `/.` no segment is empty, `.` or `..`, so normalising would change nothing.
  if (path.includes('\0') || path.includes('\\') || path.includes('//') || (path.includes('/.') && posix.normalize(path) !== path)) {
    return { ok: false, status: 400, reason: 'bad_path', roomId };
  }
  const rest = end < 0 ? '/' : path.slice(end);
  if (DOWNLOAD_PATHS.test(rest)) return { ok: false, status: 403, reason: 'download_refused', roomId };
  if (EXPORT_PATHS.test(rest)) return { ok: false, status: 403, reason: 'export_refused', roomId };
  if (query && downloadAsked(query)) return { ok: false, status: 403, reason: 'download_refused', roomId };
  const contents = rest.startsWith('/api/contents/') || rest === '/api/contents';
  return {
    ok: true, roomId, rest,
    inspectContents: contents && method === 'GET' && !/(^|&)content=0(&|$)/.test(query),
    contentsWrite: contents && (method === 'PUT' || method === 'POST' || method === 'PATCH'),
  };
}

function downloadAsked(query: string): boolean {
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq)).toLowerCase();
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)).toLowerCase();
    } catch {
      return true;
    }
    if (key === 'download' && !['', '0', 'false', 'no'].includes(value)) return true;
    if (key === 'download' && eq < 0) return true;
  }
  return false;
}
