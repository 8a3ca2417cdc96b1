/** Test-side HTTP helpers for the proxy: session login and raw websocket upgrades. */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

export async function login(baseUrl: string, username: string): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  return { cookie, csrfToken: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** Attempts a websocket upgrade; resolves with 101 when switched, else the refusal's status. */
export function upgrade(baseUrl: string, path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('upgrade timed out')));
    req.end();
  });
}
