/**
 * "Did the server answer?" over the room's unix socket: one HTTP GET of `<baseUrl>api` (Jupyter's
 * version endpoint, open without a token, as is the stub's). Per the driver contract a 2xx, 3xx,
 * 401 or 403 counts as answered.
 */
import { request } from 'node:http';

export function probeUnixSocket(socketPath: string, baseUrl: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: `${baseUrl}api`, method: 'GET', timeout: timeoutMs, headers: { host: 'localhost' } }, (res) => {
      res.resume();
      const s = res.statusCode ?? 0;
      resolve((s >= 200 && s < 400) || s === 401 || s === 403);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
