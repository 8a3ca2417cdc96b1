/**
 * The headers a request carries on its way to a room's server. Before a request leaves, the
 * platform's credentials are removed (its `Authorization`, its `tre_*` cookies and the CSRF header)
 * and Jupyter's token is put in `Authorization: token …`; the researcher never sees that token.
 */
import type { IncomingHttpHeaders } from 'node:http';

const PLATFORM_COOKIE = /^\s*(__host-|__secure-)?tre_/i;

/** The platform's credentials and origin headers: replaced or removed before a request reaches a room. */
const PLATFORM_HEADERS = new Set(['authorization', 'proxy-authorization', 'host', 'origin', 'referer', 'x-csrf-token', 'cookie']);
/** Headers of one hop (RFC 9110 7.6.1), plus those undici refuses to send (`expect`; it frames bodies itself). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'upgrade',
  'te',
  'trailer',
  'transfer-encoding',
  'expect',
  'http2-settings',
]);

/**
 * The headers a room's server gets for a request. The proxy has already checked `Origin`/`Referer`;
 * the room's server is told it is reached locally (`Host`) and gets no origin, so Jupyter's own
 * host and origin checks (`allow_remote_access: false`) pass for what the proxy admitted. With
 * `hopByHop: 'drop'` the hop-by-hop headers are left out (plain HTTP forwarded by `lean-forward.ts`);
 * `'keep'` keeps them (websocket upgrades, `ws-forward.ts`, need `Connection` and `Upgrade`).
 */
export function roomHeaders(
  headers: IncomingHttpHeaders,
  jupyterToken: string,
  endpoint: { socketPath: string } | { host: string; port: number },
  hopByHop: 'drop' | 'keep',
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined || PLATFORM_HEADERS.has(k) || (hopByHop === 'drop' && HOP_BY_HOP.has(k))) continue;
    out[k] = v;
  }
  out.authorization = `token ${jupyterToken}`;
  out.host = 'socketPath' in endpoint ? 'localhost' : `${endpoint.host}:${endpoint.port}`;
  if (headers.cookie) {
    const kept = headers.cookie.split(';').filter((c) => !PLATFORM_COOKIE.test(c));
    if (kept.length) out.cookie = kept.map((c) => c.trim()).join('; ');
  }
  return out;
}
