/** Local accounts: creation, roles, passwords, second factor. One person, one identity. */
import { ConflictError, InputError, NotFoundError } from '../errors/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { hashPassword } from './passwords.ts';
import { PRIVILEGED_ROLES, type Role } from '../platform/index.ts';
import type { CreatedUser, User } from './schemas.ts';
import { newTotpSecret, totpUri } from './totp.ts';

interface UserRow {
  id: string;
  display_name: string;
  email: string | null;
  password_hash: string | null;
  totp_secret_sealed: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  person_lookup: string | null;
  disabled: boolean;
  must_change_password: boolean;
  password_expires_at: Date | string | null;
  created_at: string;
  roles: Role[] | null;
}

const USER_SELECT = `SELECT u.*, (SELECT array_agg(role ORDER BY role) FROM user_roles r WHERE r.user_id = u.id) AS roles FROM users u`;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    displayName: row.display_name,
    email: row.email,
    roles: row.roles ?? [],
    disabled: row.disabled,
    hasPassword: row.password_hash !== null,
    hasTotp: row.totp_secret_sealed !== null,
    mustChangePassword: row.must_change_password,
    oidcSubject: row.oidc_subject,
    createdAt: row.created_at,
  };
}

export async function findUserRow(q: Queryable, id: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>(`${USER_SELECT} WHERE u.id = $1`, [id]))[0];
}

export async function getUser(q: Queryable, id: string): Promise<User> {
  const row = await findUserRow(q, id);
  if (!row) throw new NotFoundError(`no user '${id}'`, { reason: 'no_such_user' });
  return toUser(row);
}

export async function listUsers(q: Queryable): Promise<User[]> {
  return (await q.query<UserRow>(`${USER_SELECT} ORDER BY u.id`)).map(toUser);
}

export interface NewUser {
  id: string;
  displayName: string;
  email?: string | undefined;
  roles: Role[];
  password?: string | undefined;
  oidcIssuer?: string | undefined;
  oidcSubject?: string | undefined;
  personLookup?: string | undefined;
  /** The password was chosen by someone else (an operator): the user must replace it at first login. */
  mustChangePassword?: boolean | undefined;
}

/** Creates a user. Privileged roles get a TOTP seed; its URI is returned once, for enrolment. */
export async function createUser(q: Queryable, box: SecretBox, input: NewUser, grantedBy: string): Promise<CreatedUser> {
  if (await findUserRow(q, input.id)) throw new ConflictError(`user '${input.id}' exists`, { reason: 'user_exists', details: { field: 'id' } });
  if (!input.password && !input.oidcSubject) throw new InputError('a user needs a password or an OIDC subject', { details: { field: 'password' } });
  const needsTotp = input.roles.some((r) => PRIVILEGED_ROLES.includes(r));
  const secret = needsTotp ? newTotpSecret() : null;
  await q.query(
    `INSERT INTO users (id, display_name, email, password_hash, totp_secret_sealed, oidc_issuer, oidc_subject, person_lookup, must_change_password)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      input.id,
      input.displayName,
      input.email ?? null,
      input.password ? await hashPassword(input.password) : null,
      secret ? box.seal(secret, `totp:${input.id}`) : null,
      input.oidcSubject ? (input.oidcIssuer ?? null) : null,
      input.oidcSubject ?? null,
      input.personLookup ?? null,
      Boolean(input.password && input.mustChangePassword),
    ],
  );
  await setRoles(q, input.id, input.roles, grantedBy);
  return { user: await getUser(q, input.id), totpUri: secret ? totpUri(secret, input.id) : null };
}

export async function setRoles(q: Queryable, userId: string, roles: Role[], grantedBy: string): Promise<void> {
  await q.query('DELETE FROM user_roles WHERE user_id = $1 AND NOT (role = ANY($2::text[]))', [userId, roles]);
  for (const role of roles) {
    await q.query('INSERT INTO user_roles (user_id, role, granted_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [userId, role, grantedBy]);
  }
}

export async function updateUser(
  q: Queryable,
  userId: string,
  patch: {
    displayName?: string | undefined;
    email?: string | undefined;
    disabled?: boolean | undefined;
    roles?: Role[] | undefined;
    password?: string | undefined;
  },
  by: string,
): Promise<User> {
  await getUser(q, userId);
  if (patch.displayName !== undefined) await q.query('UPDATE users SET display_name = $2 WHERE id = $1', [userId, patch.displayName]);
  if (patch.email !== undefined) await q.query('UPDATE users SET email = $2 WHERE id = $1', [userId, patch.email]);
  if (patch.password !== undefined) {
    // Set by someone else, a password must be replaced by its user at the next login.
    await q.query('UPDATE users SET password_hash = $2, must_change_password = $3, password_expires_at = NULL WHERE id = $1', [
      userId,
      await hashPassword(patch.password),
      by !== userId,
    ]);
    await revokeAllCredentials(q, userId);
  }
  if (patch.disabled !== undefined) {
    await q.query('UPDATE users SET disabled = $2 WHERE id = $1', [userId, patch.disabled]);
    if (patch.disabled) await revokeAllCredentials(q, userId);
  }
  if (patch.roles !== undefined) {
    const row = await findUserRow(q, userId);
    if (patch.roles.some((r) => PRIVILEGED_ROLES.includes(r)) && !row?.totp_secret_sealed) {
      throw new InputError('a privileged role needs an enrolled second factor: reset TOTP first', { reason: 'totp_required', details: { field: 'roles' } });
    }
    await setRoles(q, userId, patch.roles, by);
  }
  return getUser(q, userId);
}

/**
 * Ends every session and API token of the user: after a password change (whoever held the old
 * password may hold a session made with it) and on disabling (re-enabling must not revive them).
 */
export async function revokeAllCredentials(q: Queryable, userId: string): Promise<void> {
  await q.query('UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  await q.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}

/** Issues a new TOTP seed (enrolment or reset); returns its otpauth URI once. */
export async function resetTotp(q: Queryable, box: SecretBox, userId: string): Promise<string> {
  await getUser(q, userId);
  const secret = newTotpSecret();
  await q.query('UPDATE users SET totp_secret_sealed = $2, totp_last_step = NULL WHERE id = $1', [userId, box.seal(secret, `totp:${userId}`)]);
  return totpUri(secret, userId);
}
