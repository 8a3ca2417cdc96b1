/**
 * Entering a room on its own origin. The platform issues its logged-in owner a hand-off code
 * (random, single-use, `HANDOFF_SECONDS` long); the browser carries it to the room host, which
 * redeems it atomically (`DELETE … RETURNING`: two redemptions of one code cannot both succeed) and
 * opens a room session: a cookie of the room host alone, bound to user and room, with a bounded
 * lifetime, ending with the platform session or API token the code was asked with. Only
 * SHA-256 of codes and room session secrets is stored; truth is the store's, not memory's.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal, Role, Clock } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';

export const HANDOFF_SECONDS = 60;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Hashes of the platform credential a code is asked with: the room session ends with it. */
export interface Parent {
  platformSession: string | null;
  platformToken: string | null;
}

/** A fresh code for `userId` into `roomId`, asked with `parent`. */
export async function issueHandoff(q: Queryable, clock: Clock, userId: string, roomId: string, parent: Parent): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  const now = clock.now();
  await q.query('DELETE FROM room_handoffs WHERE expires_at <= $1', [now]);
  await q.query(
    'INSERT INTO room_handoffs (code_hash, room_id, user_id, platform_session, platform_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [sha256(code), roomId, userId, parent.platformSession, parent.platformToken, now, new Date(now.getTime() + HANDOFF_SECONDS * 1000)],
  );
  return code;
}

/** Redeems a code for `roomId` once: the user it was issued to, or undefined (unknown, used, expired, other room). */
export async function redeemHandoff(q: Queryable, clock: Clock, code: string, roomId: string): Promise<({ userId: string } & Parent) | undefined> {
  const rows = await q.query<{ user_id: string; platform_session: string | null; platform_token: string | null; room_id: string; expires_at: Date }>(
    'DELETE FROM room_handoffs WHERE code_hash = $1 RETURNING user_id, platform_session, platform_token, room_id, expires_at',
    [sha256(code)],
  );
  const r = rows[0];
  if (!r || r.room_id !== roomId || new Date(r.expires_at).getTime() <= clock.now().getTime()) return undefined;
  return { userId: r.user_id, platformSession: r.platform_session, platformToken: r.platform_token };
}

/** Opens a room session; returns the cookie's secret and when it ends. */
export async function openRoomSession(
  q: Queryable,
  clock: Clock,
  who: { userId: string } & Parent,
  roomId: string,
  minutes: number,
): Promise<{ secret: string; expiresAt: Date }> {
  const secret = `tre_r_${randomBytes(32).toString('base64url')}`;
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + minutes * 60_000);
  await q.query(
    'INSERT INTO room_sessions (id_hash, room_id, user_id, platform_session, platform_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [sha256(secret), roomId, who.userId, who.platformSession, who.platformToken, now, expiresAt],
  );
  return { secret, expiresAt };
}

/**
 * Who a room session's secret stands for in `roomId`, or null: unknown, another room's, expired,
 * revoked, a disabled user, or the platform session or token it came from ended.
 */
export async function roomSessionPrincipal(q: Queryable, clock: Clock, secret: string, roomId: string): Promise<Principal | null> {
  const rows = await q.query<{ user_id: string; display_name: string; person_lookup: string | null; roles: Role[] | null }>(
    `SELECT u.id AS user_id, u.display_name, u.person_lookup,
            (SELECT array_agg(role ORDER BY role) FROM user_roles r WHERE r.user_id = u.id) AS roles
       FROM room_sessions rs JOIN users u ON u.id = rs.user_id
       LEFT JOIN sessions s ON s.id_hash = rs.platform_session
       LEFT JOIN api_tokens t ON t.token_hash = rs.platform_token
      WHERE rs.id_hash = $1 AND rs.room_id = $2 AND rs.revoked_at IS NULL AND rs.expires_at > $3 AND NOT u.disabled
        AND (rs.platform_session IS NULL OR (s.revoked_at IS NULL AND s.expires_at > $3))
        AND (rs.platform_token IS NULL OR (t.revoked_at IS NULL AND t.expires_at > $3))`,
    [sha256(secret), roomId, clock.now()],
  );
  const r = rows[0];
  return r ? { userId: r.user_id, displayName: r.display_name, roles: r.roles ?? [], via: 'session', personLookup: r.person_lookup } : null;
}

/** SHA-256 of a platform session cookie's value, as `sessions.id_hash` holds it. */
export const sessionHash = sha256;
