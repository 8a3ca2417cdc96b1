import { request } from 'node:http';

/**
 * One HTTP GET over the room's unix socket. Resolves the status code, or undefined when nothing
 * answers within `timeoutMs` (socket missing, connection refused, server still starting).
 */
export function probeSocket(socketPath: string, path: string, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
