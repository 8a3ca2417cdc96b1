/**
 * JupyterLab's own background requests, told apart from what a researcher asks for. An open
 * JupyterLab page polls the server by itself (kernels, sessions, terminals, kernel specs, the
 * user, the file browser's folder listing, its settings and workspaces) and reconnects its
 * websockets; after the room stopped or the room session ended, each of those is refused and
 * was audited as `room.proxy.refused` by the researcher: an auditor saw dozens of refused
 * "attempts" nobody made. At start-up JupyterLab also asks `GET api/nbconvert` for the export
 * formats (to build a menu), which the path policy refuses like every nbconvert path, and the
 * browser asks the room's host for `/favicon.ico` by itself (seen in the e2e: the host serves only
 * `/rooms/…`).
 *
 * Nothing here changes what passes: every such request is still refused and still audited, with
 * the user it came from, but as `room.proxy.background` in the role `jupyterlab` (the page, not
 * the person), so the researcher's refused attempts stay what they were. A request counts as
 * background only when all of these hold:
 *   - the browser says it is a script's request of the page (`Sec-Fetch-Dest: empty`), or it is
 *     a websocket handshake with an `Origin` (the kernel channels and the event stream are
 *     websockets only), not a navigation, image or download (a researcher typing a `files/…`
 *     URL is a `document`);
 *   - `GET`/`HEAD` (websockets are GETs) of a path in `BACKGROUND_PATHS`, or the `PUT` with which
 *     JupyterLab saves its own layout (`lab/api/workspaces/<name>`), none of them a way out
 *     (contents are matched only as folder listings, without `content`, `format` or `type=file`);
 *   - it was refused for one of `BACKGROUND_REFUSALS`: the room is not there or not running, the
 *     session ended, or (only for `api/nbconvert` itself) the export policy.
 * Jupyter's own raw file and export paths with anything after them (`files/x`, `nbconvert/html/x`)
 * are never background, whatever the headers.
 */
import type { IncomingMessage } from 'node:http';

/** JupyterLab's polls and start-up fetches (paths below the room's base URL). */
const BACKGROUND_PATHS: { name: string; path: RegExp }[] = [
  { name: 'kernels', path: /^\/api\/kernels\/?$/ },
  { name: 'kernel', path: /^\/api\/kernels\/[0-9a-f-]{1,64}\/?$/ },
  { name: 'kernel_channels', path: /^\/api\/kernels\/[0-9a-f-]{1,64}\/channels$/ },
  { name: 'sessions', path: /^\/api\/sessions\/?$/ },
  { name: 'terminals', path: /^\/api\/terminals\/?$/ },
  { name: 'kernelspecs', path: /^\/api\/kernelspecs\/?$/ },
  { name: 'me', path: /^\/api\/me\/?$/ },
  { name: 'status', path: /^\/api\/?$|^\/api\/status\/?$/ },
  { name: 'events', path: /^\/api\/events\/subscribe$/ },
  { name: 'export_formats', path: /^\/api\/nbconvert\/?$/ },
  { name: 'listing', path: /^\/api\/contents(\/[^?]*)?$/ },
  { name: 'lab_api', path: /^\/lab\/api\/(settings|workspaces|translations|listings|news|plugins)(\/[A-Za-z0-9@:._/-]{0,300})?$/ },
];

/** Refusals that say the room or session is not there, not that something was tried. */
const BACKGROUND_REFUSALS = new Set(['room_not_running', 'not_authenticated', 'no_such_room']);

/** Query arguments that make a contents request read a file rather than list a folder. */
const FILE_READ_ARGS = /(^|&)(format|type)=/i;

/**
 * The background probe `rest` (the path below `/rooms/<room>`) is, or null when the request is
 * not one: `reason` is why the proxy refused it.
 */
export function backgroundProbe(req: Pick<IncomingMessage, 'method' | 'headers' | 'url'>, rest: string | null, reason: string): string | null {
  // JupyterLab saves its layout by itself (`PUT lab/api/workspaces/<name>`, seen in the e2e after a stop).
  const layoutSave = req.method === 'PUT' && rest !== null && /^\/lab\/api\/workspaces\/[A-Za-z0-9._-]{1,100}$/.test(rest);
  if (req.method !== 'GET' && req.method !== 'HEAD' && !layoutSave) return null;
  const dest = String(req.headers['sec-fetch-dest'] ?? '');
  // The browser's own icon request for every page of the room's host (which serves only `/rooms/…`).
  if (rest === null) return req.url === '/favicon.ico' && reason === 'no_such_room' && (dest === 'image' || dest === 'empty') ? 'favicon' : null;
  // Chromium's websocket handshakes carry no `Sec-Fetch-Dest` of `empty`/`websocket` (the e2e saw them unclassified); the proxy has
  // already required such a handshake's `Origin` to be the room's own page.
  const websocket = String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && !!req.headers.origin;
  if (dest !== 'empty' && dest !== 'websocket' && !websocket) return null;
  const hit = BACKGROUND_PATHS.find((p) => p.path.test(rest));
  if (hit && (hit.name === 'kernel_channels' || hit.name === 'events') !== websocket) return null;
  if (!hit) return null;
  if (hit.name === 'export_formats') return reason === 'export_refused' ? hit.name : BACKGROUND_REFUSALS.has(reason) ? hit.name : null;
  if (!BACKGROUND_REFUSALS.has(reason)) return null;
  // The file browser's poll lists a folder (`?content=1&hash=0`); a read of a file names its type or format.
  if (hit.name === 'listing' && FILE_READ_ARGS.test((req.url ?? '').split('?')[1] ?? '')) return null;
  return hit.name;
}

/** The path below `/rooms/<room>` of a request target, or null. */
export function restOf(url: string): string | null {
  const path = url.split('?')[0] ?? '';
  const m = /^\/rooms\/[a-z0-9-]{1,63}(\/.*)?$/.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1] ?? '/');
  } catch {
    return null;
  }
}
