/**
 * Password login with a second factor for privileged roles (waived in demo mode only) and
 * a limiter on failed attempts per user and per client address, kept in the store so that
 * restarts and a second control plane see the same counts.
 */
import { AuthenticationError, RateLimitedError } from '../errors/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { findUserRow } from './accounts.ts';
import { verifyPassword } from './passwords.ts';
import { PRIVILEGED_ROLES } from './roles.ts';
import { verifyTotp } from './totp.ts';

export interface LoginPolicy {
  demo: boolean;
  maxFailures: number;
  windowMinutes: number;
}

export async function checkPasswordLogin(
  q: Queryable, clock: Clock, box: SecretBox, policy: LoginPolicy,
  attempt: { username: string; password: string; totp?: string | undefined; clientAddress: string | null },
): Promise<string> {
  const since = new Date(clock.now().getTime() - policy.windowMinutes * 60_000);
  const [counts] = await q.query<{ by_user: number; by_client: number }>(
    `SELECT count(*) FILTER (WHERE username = $1) AS by_user, count(*) FILTER (WHERE client_address = $2) AS by_client
       FROM login_attempts WHERE NOT success AND at > $3 AND (username = $1 OR client_address = $2)`,
    [attempt.username, attempt.clientAddress, since],
  );
  if ((counts?.by_user ?? 0) >= policy.maxFailures || (counts?.by_client ?? 0) >= policy.maxFailures * 4) {
    throw new RateLimitedError(`too many failed logins; try again in ${policy.windowMinutes} minutes`, { reason: 'login_rate_limited' });
  }
  const fail = async (why: string) => {
    await q.query('INSERT INTO login_attempts (username, client_address, success, at) VALUES ($1, $2, false, $3)', [attempt.username, attempt.clientAddress, clock.now()]);
    return new AuthenticationError('wrong user name, password or code', { reason: why });
  };
  const row = await findUserRow(q, attempt.username);
  const passwordOk = await verifyPassword(attempt.password, row?.password_hash ?? null);
  if (!row || !passwordOk) throw await fail('bad_credentials');
  if (row.disabled) throw await fail('account_disabled');
  const privileged = (row.roles ?? []).some((r) => PRIVILEGED_ROLES.includes(r));
  if (privileged && !policy.demo) {
    if (!row.totp_secret_sealed) throw await fail('totp_not_enrolled');
    const seed = box.open(row.totp_secret_sealed, `totp:${row.id}`).toString();
    if (!attempt.totp) throw await fail('totp_required');
    if (!verifyTotp(seed, attempt.totp, clock.now())) throw await fail('bad_totp');
  }
  await q.query('INSERT INTO login_attempts (username, client_address, success, at) VALUES ($1, $2, true, $3)', [attempt.username, attempt.clientAddress, clock.now()]);
  return row.id;
}
