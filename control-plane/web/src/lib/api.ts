/**
 * The one way the UI talks to the control plane: same-origin fetch with the session cookie,
 * the CSRF header on every change, and problem+json errors turned into `ApiError` with a kind
 * the pages can show. A 404 whose reason is `no_such_route` means the API is not installed
 * (yet): pages show "not available", never made-up data.
 */
import type { Reason as ServerReason } from '../../../src/errors/reasons.ts';

/** The server's reasons, from the list its errors are typed with, and the UI's own for a request that never got an answer. */
export type Reason = ServerReason | 'network';

export type ApiErrorKind = 'unavailable' | 'unauthenticated' | 'forbidden' | 'notFound' | 'input' | 'conflict' | 'other';

export class ApiError extends Error {
  readonly status: number;
  readonly reason: Reason | null;
  readonly kind: ApiErrorKind;
  readonly path: string;
  /** The field a 400 names (`details.field`), and the problems it lists (`details.problems`), if any. */
  readonly field: string | null;
  readonly problems: readonly unknown[];
  constructor(status: number, detail: string, reason: Reason | null, path: string, extra: { field?: unknown; problems?: unknown } = {}) {
    super(detail);
    this.status = status;
    this.reason = reason;
    this.path = path;
    this.kind = kindOf(status, reason);
    this.field = typeof extra.field === 'string' ? extra.field : null;
    this.problems = Array.isArray(extra.problems) ? extra.problems : [];
  }
}

export function kindOf(status: number, reason: Reason | null): ApiErrorKind {
  if (status === 404 && reason === 'no_such_route') return 'unavailable';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'notFound';
  if (status === 400) return 'input';
  if (status === 409) return 'conflict';
  return 'other';
}

let csrfToken: string | null = null;
/** Set after login and from `GET /api/me`; sent as `X-CSRF-Token` on every change. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let onUnauthenticated: (() => void) | null = null;
/** Called when a request answers 401 (the session ended): the app shows the login form. */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? null : JSON.stringify(body), body === undefined ? null : 'application/json');
}

/** Sends a file as the raw body (`application/octet-stream`): uploads the server types by their bytes. */
export async function upload<T = unknown>(path: string, file: Blob): Promise<T> {
  return send<T>('POST', path, file, 'application/octet-stream');
}

async function send<T>(method: string, path: string, body: string | Blob | null, contentType: string | null): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (contentType) headers['content-type'] = contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body });
  } catch (err) {
    throw new ApiError(0, err instanceof Error ? err.message : String(err), 'network', path);
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const p = (data && typeof data === 'object' ? data : {}) as {
      detail?: string;
      title?: string;
      reason?: ServerReason | null;
      field?: unknown;
      problems?: unknown;
    };
    const err = new ApiError(res.status, p.detail ?? p.title ?? res.statusText, p.reason ?? null, path, p);
    if (res.status === 401 && path !== '/api/me' && path !== '/api/auth/login') onUnauthenticated?.();
    throw err;
  }
  return data as T;
}

/** A query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
