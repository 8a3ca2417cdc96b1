/**
 * The forwarding half of the proxy: httpxy (the `http-proxy` under http-proxy-middleware v4) with
 * one keep-alive agent, so a room's server sees a few long-lived connections instead of one per
 * request. Before a request leaves, the platform's credentials are removed (its `Authorization`,
 * its `tre_*` cookies and the CSRF header) and Jupyter's token is put in `Authorization: token …`;
 * the researcher never sees that token.
 */
import { Agent, type IncomingMessage } from 'node:http';

const PLATFORM_COOKIE = /^\s*tre_/;

export function createUpstreamAgent(): Agent {
  return new Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
}

/**
 * Rewrites `req.headers` in place (httpxy copies them into the upstream request). The proxy has
 * already checked `Origin`/`Referer`; the room's server is told it is reached locally (`Host`) and
 * gets no origin, so Jupyter's own host and origin checks (`allow_remote_access: false`) pass for
 * what the proxy admitted.
 */
export function rewriteHeaders(req: IncomingMessage, jupyterToken: string, endpoint: { socketPath: string } | { host: string; port: number }): void {
  const h = req.headers;
  h.authorization = `token ${jupyterToken}`;
  h.host = 'socketPath' in endpoint ? 'localhost' : `${endpoint.host}:${endpoint.port}`;
  delete h.origin;
  delete h.referer;
  delete h['x-csrf-token'];
  delete h['proxy-authorization'];
  if (h.cookie) {
    const kept = h.cookie.split(';').filter((c) => !PLATFORM_COOKIE.test(c));
    if (kept.length) h.cookie = kept.map((c) => c.trim()).join('; ');
    else delete h.cookie;
  }
}

export function targetOf(endpoint: { socketPath: string } | { host: string; port: number }) {
  return 'socketPath' in endpoint
    ? { socketPath: endpoint.socketPath, protocol: 'http:' }
    : { host: endpoint.host, port: endpoint.port, protocol: 'http:' };
}
