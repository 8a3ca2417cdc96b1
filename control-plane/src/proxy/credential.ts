/**
 * The one credential a request to a room host carries, read once: the proxy authenticates with it
 * and caches the decision under it, so the two can never disagree (a whitespace bearer that
 * authentication ignored while the cache keyed on it admitted anonymous callers).
 *
 *   - `Authorization: Bearer <token>` (CLI, tests, benchmarks): the header decides alone. A bearer
 *     that is empty, whitespace, or not one token of visible ASCII is no credential, and then no
 *     cookie is looked at either. Another scheme (JupyterLab sends `token <jupyter token>`, which
 *     the proxy replaces) is no platform credential and leaves the cookie to decide.
 *   - otherwise the room cookie (`tre_room`, `__Host-tre_room` under TLS) set by the hand-off.
 *
 * The platform's session cookie is never a credential on a room host.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const ROOM_COOKIE = 'tre_room';
export const SECURE_ROOM_COOKIE = '__Host-tre_room';

export type Credential = { kind: 'bearer' | 'room'; secret: string /** Cache key: kind and secret. */; key: string };

const BEARER = /^Bearer +([\x21-\x7e]+) *$/;
const TOKEN = /^[\x21-\x7e]+$/;
/** Any spelling of the Bearer scheme; other schemes (JupyterLab's own `token …`) are not the platform's and are replaced upstream. */
const BEARER_SCHEME = /^\s*bearer(\s|$)/i;

export function credentialOf(headers: IncomingHttpHeaders): Credential | undefined {
  const auth = headers.authorization;
  if (auth !== undefined && BEARER_SCHEME.test(auth)) {
    const m = BEARER.exec(auth);
    return m ? { kind: 'bearer', secret: m[1]!, key: `b:${m[1]!}` } : undefined;
  }
  const cookie = headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== ROOM_COOKIE && name !== SECURE_ROOM_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return TOKEN.test(value) ? { kind: 'room', secret: value, key: `r:${value}` } : undefined;
  }
  return undefined;
}
