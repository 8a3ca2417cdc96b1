/**
 * What every answer from a room host carries, and what of a room's own answer is dropped.
 *
 * The platform's policy for rooms (CSP): fetches, images, media, fonts, frames, workers and form
 * posts only to the room's own origin (websockets to its own ws/wss origin), no plugins, no
 * `<base>` elsewhere, framed only by the platform. Scripts run as JupyterLab needs them (inline and
 * eval: notebook outputs and some renderers). The room's own CSP and framing headers are dropped, and
 * so is any `Set-Cookie` for a platform cookie name (`tre_*`, `__Host-tre_*`): Jupyter's own
 * cookies (`_xsrf`, `username-…`) pass.
 *
 * What a CSP cannot stop: a top-level navigation (`location = 'https://elsewhere/?data'`) or a
 * popup carries data in its URL. See README ("Rooms on their own origins").
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function roomPolicy(roomOrigin: string, wsOrigin: string, platformOrigin: string): string {
  const self = `'self' ${roomOrigin}`;
  return [
    `default-src ${self}`,
    `script-src ${self} 'unsafe-inline' 'unsafe-eval' blob:`,
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data: blob:`,
    `media-src ${self} data: blob:`,
    `font-src ${self} data:`,
    `connect-src ${self} ${wsOrigin}`,
    `frame-src ${self}`,
    `worker-src ${self} blob:`,
    `manifest-src ${self}`,
    `form-action ${self}`,
    `frame-ancestors ${platformOrigin}`,
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/** Sets the room policy on `res` (before anything is written) in place of the platform's page headers. */
export function applyRoomPolicy(res: ServerResponse, policy: string): void {
  res.setHeader('Content-Security-Policy', policy);
  res.removeHeader('X-Frame-Options');
}

const ROOM_DROP = new Set(['content-security-policy', 'content-security-policy-report-only', 'x-frame-options', 'x-content-security-policy']);
const PLATFORM_COOKIE = /^\s*(__host-|__secure-)?tre_/i;

/** A room's `Set-Cookie` values without those for platform cookie names; undefined when none is left. */
export function filterSetCookie(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const kept = (Array.isArray(value) ? value : [value]).filter((c) => !PLATFORM_COOKIE.test(c));
  return kept.length ? kept : undefined;
}

/** Copies a room's answer headers for the browser, without `drop`ped ones, room policy headers and platform cookies. */
export function roomResponseHeaders(headers: IncomingHttpHeaders, drop: ReadonlySet<string>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in headers) {
    if (drop.has(k) || ROOM_DROP.has(k)) continue;
    if (k === 'set-cookie') {
      const kept = filterSetCookie(headers[k]);
      if (kept) out[k] = kept;
      continue;
    }
    out[k] = headers[k];
  }
  return out;
}
