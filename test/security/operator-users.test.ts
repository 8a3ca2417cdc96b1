/**
 * Operators manage users: create, disable, reset. A reset never shows a password the platform
 * holds: it makes a one-time password, answered once, that lets its user in only to choose their
 * own, and only for 72 hours; nothing of it reaches the audit log. No operator changes their own
 * roles, disables or resets themselves; no one but an operator manages users.
 * Real platform (demo mode: second factors waived), real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
const login = (body: Record<string, unknown>) => p.call('POST', '/api/auth/token', { body });
const asOperator = { as: 'operator' };

beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.stop());

async function create(id: string, extra: Record<string, unknown> = {}) {
  const res = await p.call('POST', '/api/users', {
    ...asOperator,
    body: { id, displayName: `User ${id}`, roles: ['researcher'], password: `${id}-first-password`, ...extra },
  });
  expect(res.status).toBe(201);
  return res.body;
}

describe('create', () => {
  it('a user the operator gave a password must choose their own at the first login', async () => {
    const created = await create('newcomer', { mustChangePassword: true });
    expect(created.user).toMatchObject({ id: 'newcomer', roles: ['researcher'], disabled: false, hasPassword: true, mustChangePassword: true });
    expect(JSON.stringify(created)).not.toContain('newcomer-first-password');
    const first = await login({ username: 'newcomer', password: 'newcomer-first-password' });
    expect([first.status, first.body.reason, first.body.field ?? first.body.details?.field]).toEqual([403, 'password_change_required', 'newPassword']);
    const chosen = await login({ username: 'newcomer', password: 'newcomer-first-password', newPassword: 'newcomer-own-password' });
    expect(chosen.status).toBe(201);
    expect((await login({ username: 'newcomer', password: 'newcomer-first-password' })).status).toBe(401);
    expect((await login({ username: 'newcomer', password: 'newcomer-own-password' })).status).toBe(201);
    expect((await p.call('GET', '/api/users/newcomer', asOperator)).body.mustChangePassword).toBe(false);
  });

  it('400 naming the field for a short password or a bad user name', async () => {
    const short = await p.call('POST', '/api/users', { ...asOperator, body: { id: 'shorty', displayName: 'S', roles: ['researcher'], password: 'short' } });
    expect([short.status, JSON.stringify(short.body).includes('password')]).toEqual([400, true]);
    const bad = await p.call('POST', '/api/users', {
      ...asOperator,
      body: { id: 'Bad Name', displayName: 'B', roles: ['researcher'], password: 'long-enough-password' },
    });
    expect([bad.status, JSON.stringify(bad.body).includes('id')]).toEqual([400, true]);
  });
});

describe('reset', () => {
  it('a one-time password, answered once: it ends every session, lets the user in only to choose their own, and never reaches the log', async () => {
    await create('forgetful');
    const old = (await login({ username: 'forgetful', password: 'forgetful-first-password' })).body.token as string;
    const reset = await p.call('POST', '/api/users/forgetful/password-reset', asOperator);
    expect(reset.status).toBe(200);
    const otp = reset.body.oneTimePassword as string;
    expect(otp).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(reset.body.user).toMatchObject({ id: 'forgetful', mustChangePassword: true });
    expect(reset.body.expiresAt).toBe(new Date(p.clock.now().getTime() + 72 * 3_600_000).toISOString());
    expect((await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${old}` } })).status).toBe(401);

    expect((await login({ username: 'forgetful', password: 'forgetful-first-password' })).status).toBe(401);
    expect((await login({ username: 'forgetful', password: otp })).body.reason).toBe('password_change_required');
    const same = await login({ username: 'forgetful', password: otp, newPassword: otp });
    expect([same.status, same.body.reason]).toEqual([400, 'password_unchanged']);
    expect((await login({ username: 'forgetful', password: otp, newPassword: 'forgetful-remembered' })).status).toBe(201);
    expect((await login({ username: 'forgetful', password: otp })).status).toBe(401);

    const log = await p.deps.store.query<{ action: string; object: string; outcome: string; details: object }>(
      `SELECT action, object, outcome, details FROM audit_log WHERE action = 'user.password.reset' ORDER BY seq`,
    );
    expect(log.map((e) => [e.action, e.object, e.outcome])).toEqual([
      ['user.password.reset', 'user:forgetful', 'initiated'],
      ['user.password.reset', 'user:forgetful', 'success'],
    ]);
    const everything = await p.deps.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE $1`, [`%${otp}%`]);
    expect(everything).toEqual([{ n: 0 }]);
  });

  it('an unused one-time password expires after 72 hours, and is then as wrong as any other', async () => {
    await create('traveller');
    const otp = (await p.call('POST', '/api/users/traveller/password-reset', asOperator)).body.oneTimePassword as string;
    p.clock.advance(72 * 3_600_000 + 1000);
    p.forgetTokens();
    const late = await login({ username: 'traveller', password: otp, newPassword: 'traveller-own-password' });
    expect([late.status, late.body.reason]).toEqual([401, 'bad_credentials']);
  });

  it('404 for a user who does not exist', async () => {
    const res = await p.call('POST', '/api/users/nobody-here/password-reset', asOperator);
    expect([res.status, res.body.reason]).toEqual([404, 'no_such_user']);
  });
});

describe('disable', () => {
  it('a disabled user cannot log in and their tokens end; enabled again, they log in anew', async () => {
    await create('leaver');
    const token = (await login({ username: 'leaver', password: 'leaver-first-password' })).body.token as string;
    const off = await p.call('PATCH', '/api/users/leaver', { ...asOperator, body: { disabled: true } });
    expect([off.status, off.body.disabled]).toEqual([200, true]);
    expect((await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await login({ username: 'leaver', password: 'leaver-first-password' })).status).toBe(401);
    expect((await p.call('PATCH', '/api/users/leaver', { ...asOperator, body: { disabled: false } })).status).toBe(200);
    expect((await login({ username: 'leaver', password: 'leaver-first-password' })).status).toBe(201);
  });
});

describe('duties', () => {
  it('an operator cannot change their own roles, disable or reset themselves', async () => {
    const roles = await p.call('PATCH', '/api/users/operator', { ...asOperator, body: { roles: ['platform_admin', 'access_admin'] } });
    const disable = await p.call('PATCH', '/api/users/operator', { ...asOperator, body: { disabled: true } });
    const reset = await p.call('POST', '/api/users/operator/password-reset', asOperator);
    expect([roles, disable, reset].map((r) => [r.status, r.body.reason])).toEqual([
      [403, 'own_roles'],
      [403, 'own_account'],
      [403, 'own_account'],
    ]);
    expect((await p.call('GET', '/api/users/operator', asOperator)).body).toMatchObject({
      roles: ['platform_admin'],
      disabled: false,
      mustChangePassword: false,
    });
  });

  it('no one but an operator creates, disables or resets users, and each refusal is logged', async () => {
    for (const as of ['admin1', 'auditor', 'researcher']) {
      const answers = [
        await p.call('POST', '/api/users', { as, body: { id: `by-${as}`, displayName: 'X', roles: ['researcher'], password: 'long-enough-password' } }),
        await p.call('PATCH', '/api/users/researcher', { as, body: { disabled: true } }),
        await p.call('POST', '/api/users/researcher/password-reset', { as }),
      ];
      expect(answers.map((a) => [a.status, a.body.reason])).toEqual([
        [403, 'wrong_role'],
        [403, 'wrong_role'],
        [403, 'wrong_role'],
      ]);
    }
    const denied = await p.deps.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action IN ('user.create', 'user.update', 'user.password.reset') AND outcome = 'denied' AND actor <> 'operator'`,
    );
    expect(denied).toEqual([{ n: 9 }]);
  });
});
