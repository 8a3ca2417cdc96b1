import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError, type ApiClient } from './command.ts';
import { trimTrailingSlashes } from '../platform/index.ts';
import type { Reason } from '../errors/index.ts';

/** Where `tre login` keeps its token: `$TRE_CONFIG_DIR/credentials.json`, else `~/.config/tre/`. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  return join(env.TRE_CONFIG_DIR ?? join(homedir(), '.config', 'tre'), 'credentials.json');
}

export interface StoredLogin {
  url: string;
  token: string;
  user?: string;
}

export async function readStoredLogin(env: NodeJS.ProcessEnv): Promise<StoredLogin | undefined> {
  try {
    return JSON.parse(await readFile(credentialsPath(env), 'utf8')) as StoredLogin;
  } catch {
    return undefined;
  }
}

export async function storeLogin(env: NodeJS.ProcessEnv, login: StoredLogin): Promise<void> {
  const file = credentialsPath(env);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
}

/** `TRE_URL` and `TRE_TOKEN` override the stored login. */
export async function createApiClient(env: NodeJS.ProcessEnv): Promise<ApiClient> {
  const stored = await readStoredLogin(env);
  const url = trimTrailingSlashes(env.TRE_URL ?? stored?.url ?? 'http://127.0.0.1:8080');
  const token = env.TRE_TOKEN ?? stored?.token;
  return makeClient(url, token);
}

export function makeClient(url: string, token: string | undefined): ApiClient {
  const doFetch = async (method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Uint8Array | undefined;
    if (init.body instanceof Uint8Array || typeof init.body === 'string') body = init.body as string | Uint8Array;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, { method, headers, body: (body ?? null) as string | null });
    } catch (err) {
      throw new CliError(`cannot reach the control plane at ${url}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text();
      let problem: { title?: string; detail?: string; reason?: Reason | null; problems?: unknown } | undefined;
      try {
        problem = JSON.parse(text) as typeof problem;
      } catch {
        problem = undefined;
      }
      const msg = (problem?.detail ?? problem?.title ?? text ?? res.statusText) + problemLines(problem?.problems);
      throw new CliError(`${res.status} ${msg}`, 1, problem ?? { status: res.status, body: text });
    }
    return res;
  };
  return {
    url,
    fetch: doFetch,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await doFetch(method, path, { body });
      if (res.status === 204) return undefined as T;
      return (await res.json()) as T;
    },
  };
}

/**
 * A 400 that lists several problems (`details.problems`, e.g. an application's scope against the
 * catalogue) prints each on its own line: the field, what is wrong, and the suggestion.
 */
export function problemLines(problems: unknown): string {
  if (!Array.isArray(problems)) return '';
  return problems
    .slice(0, 50)
    .map((p: { field?: unknown; message?: unknown }) => `\n  ${String(p.field ?? '?')}: ${String(p.message ?? '')}`)
    .join('');
}
