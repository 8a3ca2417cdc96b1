/**
 * Starts a real control plane for a test file: embedded PostgreSQL in a fresh temporary data
 * directory (or `databaseUrl`), demo seed, an ephemeral port on loopback, a clock the test moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AnyModuleFactory, type ConfigInput, startPlatform, type RunningPlatform } from '../../control-plane/src/server/index.ts';
import { manualClock, silentLogger } from '../../control-plane/src/platform/index.ts';
import { stopEarlierRooms } from '../../control-plane/src/privileges/index.ts';

export interface TestPlatform extends RunningPlatform {
  clock: ReturnType<typeof manualClock>;
  dataDir: string;
  /** An API token for a user: password `demo` unless registered in `passwords`. */
  token(user: string): Promise<string>;
  passwords: Map<string, string>;
  /** Forgets cached tokens (after moving the clock past their expiry). */
  forgetTokens(): void;
  /** fetch against the platform, with a bearer token when `as` is given. */
  call(
    method: string,
    path: string,
    opts?: { as?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestPlatform(overrides: ConfigInput = {}, opts: { now?: string; modules?: AnyModuleFactory[] } = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tre-test-'));
  const clock = manualClock(opts.now ?? '2026-06-01T12:00:00Z');
  const config = loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: true, demoPassword: 'demo', ...overrides });
  const platform = await startPlatform(config, { clock, logger: silentLogger, modules: opts.modules ?? [] });
  const tokens = new Map<string, string>();
  const passwords = new Map<string, string>();
  const call: TestPlatform['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (o.as) headers.authorization = `Bearer ${await token(o.as)}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${platform.url}${path}`, { method, headers, body: o.body === undefined ? null : JSON.stringify(o.body) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body, headers: res.headers };
  };
  async function token(user: string): Promise<string> {
    const cached = tokens.get(user);
    if (cached) return cached;
    const res = await fetch(`${platform.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, password: passwords.get(user) ?? 'demo' }),
    });
    if (!res.ok) throw new Error(`login as ${user} failed: ${res.status} ${await res.text()}`);
    const t = ((await res.json()) as { token: string }).token;
    tokens.set(user, t);
    return t;
  }
  return {
    ...platform,
    clock,
    dataDir,
    token,
    call,
    passwords,
    forgetTokens: () => tokens.clear(),
    async stop() {
      await platform.close();
      // Rooms outlive their control plane by design (a restart re-adopts them); the suite's must not.
      await stopEarlierRooms(dataDir, -1);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
