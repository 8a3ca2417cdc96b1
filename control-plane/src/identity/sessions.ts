/**
 * Sessions (browser, cookie) and API tokens (CLI, `Authorization: Bearer`). Only SHA-256 of
 * each secret is stored; both expire and can be revoked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { Clock, Principal, Role } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import type { ApiToken } from './schemas.ts';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export async function createSession(
  q: Queryable,
  clock: Clock,
  userId: string,
  method: string,
  clientAddress: string | null,
  ttlMinutes: number,
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = secret('tre_s_');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(clock.now().getTime() + ttlMinutes * 60_000);
  await q.query(
    'INSERT INTO sessions (id_hash, user_id, csrf_token, auth_method, client_address, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [sha256(token), userId, csrfToken, method, clientAddress, clock.now(), expiresAt],
  );
  return { token, csrfToken, expiresAt };
}

export async function createApiToken(
  q: Queryable,
  clock: Clock,
  userId: string,
  name: string,
  ttlDays: number,
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = secret('tre_t_');
  const id = `tok_${randomBytes(6).toString('hex')}`;
  const expiresAt = new Date(clock.now().getTime() + ttlDays * 86_400_000);
  await q.query('INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
    id,
    sha256(token),
    userId,
    name,
    clock.now(),
    expiresAt,
  ]);
  return { token, id, expiresAt };
}

export async function listApiTokens(q: Queryable, userId: string): Promise<ApiToken[]> {
  return q.query<ApiToken>(
    `SELECT id, name, created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"
       FROM api_tokens WHERE user_id = $1 ORDER BY created_at`,
    [userId],
  );
}

/** Revoking what is already revoked or absent succeeds: the wanted state holds. */
export async function revokeApiToken(q: Queryable, userId: string, tokenId: string): Promise<boolean> {
  const rows = await q.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id', [tokenId, userId]);
  return rows.length > 0;
}

export async function revokeCredential(q: Queryable, req: Request): Promise<void> {
  const bearer = bearerOf(req);
  if (bearer) await q.query('UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1', [sha256(bearer)]);
  const cookie = readCookie(req, SESSION_COOKIE);
  if (cookie) await q.query('UPDATE sessions SET revoked_at = now() WHERE id_hash = $1', [sha256(cookie)]);
}

/**
 * The bearer token of a request: `undefined` when it names no Bearer scheme, `null` when it names
 * one but carries no token of visible ASCII (empty, whitespace, two words). A Bearer header decides
 * alone: an unusable one is no credential, never a reason to fall back to the session cookie
 * (the proxy's `credentialOf` reads the same rule).
 */
function bearerOf(req: Request): string | null | undefined {
  const h = req.get('authorization');
  if (h === undefined || !BEARER_SCHEME.test(h)) return undefined;
  return BEARER.exec(h)?.[1] ?? null;
}
const BEARER_SCHEME = /^\s*bearer(\s|$)/i;
const BEARER = /^Bearer +([\x21-\x7e]+) *$/;

interface CredRow {
  user_id: string;
  display_name: string;
  person_lookup: string | null;
  roles: Role[] | null;
  csrf_token?: string;
}

/**
 * Sets the caller's identity of a request that arrived over a channel which itself proves who is
 * calling (a room's API socket), before the app sees it: `authenticate` then returns it and looks at
 * no header. Only code holding the request object can do this; nothing a client sends can.
 */
export function vouchFor(req: object, principal: Principal): void {
  (req as { principal?: Principal | null }).principal = principal;
}

/**
 * The caller's identity from a bearer token or a session cookie (bearer wins), or null.
 * Disabled users, expired and revoked credentials are nobody.
 */
export async function authenticate(q: Queryable, clock: Clock, req: Request): Promise<Principal | null> {
  const cached = (req as Request & { principal?: Principal | null }).principal;
  if (cached !== undefined) return cached;
  let principal: Principal | null = null;
  const now = clock.now();
  const bearer = bearerOf(req);
  const roles = `(SELECT array_agg(role ORDER BY role) FROM user_roles r WHERE r.user_id = u.id) AS roles`;
  if (bearer === null) {
    // A Bearer header without a usable token: nobody, whatever cookie came with it.
  } else if (bearer !== undefined) {
    const rows = await q.query<CredRow>(
      `UPDATE api_tokens t SET last_used_at = $2 FROM users u
        WHERE t.token_hash = $1 AND u.id = t.user_id AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT u.disabled
        RETURNING u.id AS user_id, u.display_name, u.person_lookup, ${roles}`,
      [sha256(bearer), now],
    );
    const r = rows[0];
    if (r) principal = { userId: r.user_id, displayName: r.display_name, roles: r.roles ?? [], via: 'token', personLookup: r.person_lookup };
  } else {
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie) {
      const rows = await q.query<CredRow>(
        `SELECT u.id AS user_id, u.display_name, u.person_lookup, s.csrf_token, ${roles}
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND NOT u.disabled`,
        [sha256(cookie), now],
      );
      const r = rows[0];
      if (r)
        principal = {
          userId: r.user_id,
          displayName: r.display_name,
          roles: r.roles ?? [],
          via: 'session',
          csrfToken: r.csrf_token!,
          personLookup: r.person_lookup,
        };
    }
  }
  (req as Request & { principal?: Principal | null }).principal = principal;
  return principal;
}
