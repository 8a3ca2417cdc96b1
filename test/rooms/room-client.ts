/**
 * Test-side client for a room's server (Jupyter or the stub), reached the way the proxy reaches it:
 * over the endpoint a driver reports (unix socket or TCP), with the room's token.
 */
import { request } from 'node:http';
import type { RoomEndpoint, RoomSpec } from '../../control-plane/src/rooms/index.ts';

export interface HttpResult {
  status: number;
  body: string;
}

export function roomRequest(
  endpoint: RoomEndpoint,
  opts: { method?: string; path: string; token?: string; body?: string; timeoutMs?: number },
): Promise<HttpResult> {
  const target = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  const headers: Record<string, string | number> = {};
  if (opts.token) headers.authorization = `token ${opts.token}`;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(opts.body);
  }
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path: opts.path, method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(new Error(`room request timed out: ${opts.path}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command inside a room running the stub server (POST <base>run). */
export async function runInRoom(endpoint: RoomEndpoint, spec: RoomSpec, argv: string[], timeoutS = 30): Promise<RunResult> {
  const res = await roomRequest(endpoint, {
    method: 'POST',
    path: `${spec.baseUrl}run`,
    token: spec.jupyterToken,
    body: JSON.stringify({ argv, timeout: timeoutS }),
  });
  if (res.status !== 200) throw new Error(`run in room failed: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as RunResult;
}

/** Run a Python snippet inside the room. */
export function pythonInRoom(endpoint: RoomEndpoint, spec: RoomSpec, code: string, timeoutS = 30): Promise<RunResult> {
  return runInRoom(endpoint, spec, ['/usr/bin/python3', '-c', code], timeoutS);
}
