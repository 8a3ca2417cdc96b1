/**
 * Plain HTTP forwarding with `node:http` and the keep-alive agent, without httpxy's per-request
 * pass pipeline. Measured here (bench/rooms) to matter: the room proxy's throughput is bounded by
 * per-request work in one process, and this path does only what a room needs: hop-by-hop headers
 * dropped, body streamed both ways, upstream cancelled when the client goes away. Websockets and
 * the `httpxy` engine (`TRE_PROXY_ENGINE=httpxy`) use httpxy.
 */
import { request, type Agent, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'upgrade', 'te', 'trailer'];

export interface LeanForwardOptions {
  agent: Agent;
  endpoint: { socketPath: string } | { host: string; port: number };
  /** Body to send instead of the request stream (already read or counted). */
  body?: Readable;
  /** Called with the upstream response; return true when the callback answers the client itself. */
  onResponse(upstream: IncomingMessage): boolean;
  onError(err: Error): void;
}

export function leanForward(req: IncomingMessage, res: ServerResponse, o: LeanForwardOptions): void {
  const headers: OutgoingHttpHeaders = { ...req.headers };
  for (const h of HOP_BY_HOP) delete headers[h];
  const up = request({ ...o.endpoint, method: req.method, path: req.url, headers, agent: o.agent });
  up.on('response', (ur) => {
    if (o.onResponse(ur)) return;
    const out: OutgoingHttpHeaders = { ...ur.headers };
    for (const h of HOP_BY_HOP) delete out[h];
    res.writeHead(ur.statusCode ?? 502, out);
    ur.pipe(res);
    ur.on('error', () => res.destroy());
  });
  up.on('error', (err) => o.onError(err));
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  (o.body ?? req).pipe(up);
}
