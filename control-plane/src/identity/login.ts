/**
 * Password login with a second factor for privileged roles and whoever has one enrolled (waived
 * in demo mode only).
 *
 * - A limiter on failed attempts per user name and per client address, kept in the store
 *   (`login_counters`) so restarts and a second control plane see the same counts. Each attempt
 *   first takes a place under the limit in one upsert that checks and increments together, and
 *   only then is the password verified: parallel attempts serialise on the counter's row, so no
 *   more than the limit ever reach the password check. A success gives its place back.
 * - One answer for every failure (unknown user, wrong password, disabled account, missing,
 *   wrong or replayed code): 401 `bad_credentials`. What really failed goes to the audit log
 *   only (`LoginRefused.failure`). Unknown users cost the same scrypt work as known ones.
 * - A TOTP code counts once: the accepted time step is stored and no code of that step or an
 *   earlier one is accepted again.
 */
import { AuthenticationError, InputError, NotAllowedError, RateLimitedError } from '../errors/index.ts';
import { type Clock, PRIVILEGED_ROLES } from '../platform/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable, Store } from '../store/index.ts';
import { findUserRow, revokeAllCredentials } from './accounts.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { totpStep } from './totp.ts';

export interface LoginPolicy {
  demo: boolean;
  maxFailures: number;
  windowMinutes: number;
}

export type LoginFailure =
  | 'no_such_user'
  | 'bad_password'
  | 'account_disabled'
  | 'totp_not_enrolled'
  | 'totp_missing'
  | 'bad_totp'
  | 'totp_replayed'
  | 'password_expired';

/** The one refusal a failed login gets. `failure` is for the audit log, never for the answer. */
export class LoginRefused extends AuthenticationError {
  readonly failure: LoginFailure;
  constructor(failure: LoginFailure) {
    super('wrong user name, password or code', { reason: 'bad_credentials' });
    this.failure = failure;
  }
}

/** Clients share addresses (NAT), so an address may fail four times as often as one user name. */
const CLIENT_FACTOR = 4;

export async function checkPasswordLogin(
  store: Store,
  clock: Clock,
  box: SecretBox,
  policy: LoginPolicy,
  attempt: { username: string; password: string; totp?: string | undefined; newPassword?: string | undefined; clientAddress: string | null },
): Promise<string> {
  const now = clock.now();
  await takePlace(store, policy, attempt.username, attempt.clientAddress, now);
  const row = await findUserRow(store, attempt.username);
  const passwordOk = await verifyPassword(attempt.password, row?.password_hash ?? null);
  const fail = async (failure: LoginFailure) => {
    await store.query('INSERT INTO login_attempts (username, client_address, success, at) VALUES ($1, $2, false, $3)', [
      attempt.username,
      attempt.clientAddress,
      now,
    ]);
    return new LoginRefused(failure);
  };
  if (!row) throw await fail('no_such_user');
  if (!passwordOk) throw await fail('bad_password');
  if (row.disabled) throw await fail('account_disabled');
  // A second factor is required of privileged roles, and of anyone who has one enrolled (a
  // demoted administrator keeps theirs: a password alone must not become enough).
  const privileged = (row.roles ?? []).some((r) => PRIVILEGED_ROLES.includes(r));
  if ((privileged || row.totp_secret_sealed) && !policy.demo) {
    if (!row.totp_secret_sealed) throw await fail('totp_not_enrolled');
    if (!attempt.totp) throw await fail('totp_missing');
    const step = totpStep(box.open(row.totp_secret_sealed, `totp:${row.id}`).toString(), attempt.totp, now);
    if (step === null) throw await fail('bad_totp');
    const claimed = await store.query('UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id', [
      row.id,
      step,
    ]);
    if (!claimed[0]) throw await fail('totp_replayed');
  }
  if (row.must_change_password) {
    // An operator's password expires unused, and then it is as wrong as any other.
    if (row.password_expires_at && new Date(row.password_expires_at).getTime() <= now.getTime()) throw await fail('password_expired');
    await givePlaceBack(store, attempt.username, attempt.clientAddress);
    await replaceOperatorsPassword(store, row.id, attempt.password, attempt.newPassword);
  } else {
    await givePlaceBack(store, attempt.username, attempt.clientAddress);
  }
  await store.query('INSERT INTO login_attempts (username, client_address, success, at) VALUES ($1, $2, true, $3)', [
    attempt.username,
    attempt.clientAddress,
    now,
  ]);
  return row.id;
}

/**
 * A password an operator set or reset lets its user in only to choose their own (the practice of
 * Entra ID's "change password at next sign-in"): without `newPassword` the login is refused with
 * 403 `password_change_required`, which tells only someone who knew the one-time password that
 * it was right. The new one must differ from it; every earlier session and token is ended.
 */
async function replaceOperatorsPassword(store: Store, userId: string, current: string, next: string | undefined): Promise<void> {
  if (next === undefined) {
    throw new NotAllowedError('this password was set by an operator: choose your own to log in', {
      reason: 'password_change_required',
      details: { field: 'newPassword' },
    });
  }
  if (next === current) {
    throw new InputError('the new password must differ from the one you were given', { reason: 'password_unchanged', details: { field: 'newPassword' } });
  }
  await store.tx(async (q) => {
    await q.query('UPDATE users SET password_hash = $2, must_change_password = false, password_expires_at = NULL WHERE id = $1', [
      userId,
      await hashPassword(next),
    ]);
    await revokeAllCredentials(q, userId);
  });
}

/**
 * Counts this attempt as a failure until it succeeds, for the user name and the client address,
 * or refuses it (429) when either is at its limit within the window. Both in one transaction:
 * a refusal by one counter leaves the other as it was.
 */
async function takePlace(store: Store, policy: LoginPolicy, username: string, client: string | null, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - policy.windowMinutes * 60_000);
  await store.tx(async (q) => {
    // Expired windows go as logins come, a bounded batch that skips rows others hold: no waiting, no deadlock.
    await q.query(
      `DELETE FROM login_counters c USING (SELECT scope, key FROM login_counters WHERE window_start <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED) old
        WHERE c.scope = old.scope AND c.key = old.key`,
      [windowStart],
    );
    const user = await count(q, 'user', username, now, windowStart, policy.maxFailures);
    const byClient = client === null ? true : await count(q, 'client', client, now, windowStart, policy.maxFailures * CLIENT_FACTOR);
    if (!user || !byClient) {
      throw new RateLimitedError(`too many failed logins; try again in ${policy.windowMinutes} minutes`, { reason: 'login_rate_limited' });
    }
  });
}

/** One statement: a new window starts when the old one is over; otherwise +1 only while under the limit. */
async function count(q: Queryable, scope: 'user' | 'client', key: string, now: Date, windowStart: Date, limit: number): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO login_counters AS c (scope, key, window_start, failures) VALUES ($1, $2, $3::timestamptz, 1)
     ON CONFLICT (scope, key) DO UPDATE SET
       failures = CASE WHEN c.window_start <= $4::timestamptz THEN 1 ELSE c.failures + 1 END,
       window_start = CASE WHEN c.window_start <= $4::timestamptz THEN $3::timestamptz ELSE c.window_start END
     WHERE c.window_start <= $4::timestamptz OR c.failures < $5
     RETURNING failures`,
    [scope, key, now, windowStart, limit],
  );
  return rows.length > 0;
}

/** A success: the user's failures are forgiven; the address only gets back the place this attempt took. */
async function givePlaceBack(store: Store, username: string, client: string | null): Promise<void> {
  await store.query(`UPDATE login_counters SET failures = 0 WHERE scope = 'user' AND key = $1`, [username]);
  if (client !== null) await store.query(`UPDATE login_counters SET failures = greatest(failures - 1, 0) WHERE scope = 'client' AND key = $1`, [client]);
}
