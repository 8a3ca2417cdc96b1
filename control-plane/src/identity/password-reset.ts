/**
 * An operator's password reset. The platform never shows a password it holds (it holds only
 * scrypt hashes): a reset makes a new random one-time password, answered once to the operator,
 * who hands it to the user over another channel. It lets the user in only to choose their own
 * (`login.ts`), and only for `RESET_VALID_HOURS`; every session and token of the user ends at
 * the reset. The one-time password is never written to the audit log: the entry records who
 * reset whose password and until when it holds.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/index.ts';
import { getUser, revokeAllCredentials } from './accounts.ts';
import { hashPassword } from './passwords.ts';
import type { PasswordReset } from './schemas.ts';

export const RESET_VALID_HOURS = 72;

/** 15 random bytes in base64url: 20 characters, 120 bits. */
export function oneTimePassword(): string {
  return randomBytes(15).toString('base64url');
}

export async function resetPassword(q: Queryable, userId: string, now: Date): Promise<PasswordReset> {
  await getUser(q, userId);
  const password = oneTimePassword();
  const expiresAt = new Date(now.getTime() + RESET_VALID_HOURS * 3_600_000);
  await q.query('UPDATE users SET password_hash = $2, must_change_password = true, password_expires_at = $3 WHERE id = $1', [
    userId,
    await hashPassword(password),
    expiresAt,
  ]);
  await revokeAllCredentials(q, userId);
  return { user: await getUser(q, userId), oneTimePassword: password, expiresAt: expiresAt.toISOString() };
}
