/**
 * The login, tried as an attacker would: parallel guessing past the limit, telling failures
 * apart, replaying a second-factor code, and living on in a session after the password changed.
 * Real platform outside demo mode (second factors required), real PostgreSQL, parallel clients.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser, totpNow, updateUser } from '../../control-plane/src/identity/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
const secrets = new Map<string, string>();

async function user(id: string, roles: ('researcher' | 'access_admin' | 'platform_admin')[], password = `${id}-long-password`) {
  const { totpUri } = await createUser(p.deps.store, p.deps.box, { id, displayName: id, roles, password }, 'test');
  if (totpUri) secrets.set(id, new URL(totpUri).searchParams.get('secret')!);
}

const login = (body: Record<string, unknown>, path = '/api/auth/token') => p.call('POST', path, { body });
const code = (id: string) => totpNow(secrets.get(id)!, p.clock.now());

beforeAll(async () => {
  p = await startTestPlatform({ demo: false });
  await user('guessed', ['researcher']);
  await user('gone', ['researcher']);
  await updateUser(p.deps.store, 'gone', { disabled: true }, 'test');
  await user('strict', ['access_admin']);
  await user('ops', ['platform_admin']);
  await user('changer', ['researcher']);
});
afterAll(() => p?.stop());
// Every test starts in a fresh limiter window, so one test's failures do not refuse the next.
beforeEach(() => p.clock.advance(16 * 60_000));

describe('failed logins are counted atomically', () => {
  it('40 parallel wrong passwords: exactly 5 reach the password check, the rest and then the right password are refused', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => login({ username: 'guessed', password: 'wrong-guess' })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const right = await login({ username: 'guessed', password: 'guessed-long-password' });
    expect([right.status, right.body.reason]).toEqual([429, 'login_rate_limited']);
    p.clock.advance(16 * 60_000);
    expect((await login({ username: 'guessed', password: 'guessed-long-password' })).status).toBe(201);
  });
});

describe('the limiter does not keep what it no longer needs', () => {
  it('a name tried once is forgotten after its window', async () => {
    expect((await login({ username: 'ghost-name', password: 'x' })).status).toBe(401);
    const counted = () => p.deps.store.query(`SELECT scope FROM login_counters WHERE key = 'ghost-name'`);
    expect(await counted()).toEqual([{ scope: 'user' }]);
    p.clock.advance(16 * 60_000);
    expect((await login({ username: 'someone-else', password: 'x' })).status).toBe(401);
    expect(await counted()).toEqual([]);
  });
});

describe('one answer for every failed login', () => {
  it('unknown user, wrong password, disabled account, missing or wrong code: the same status and body; the audit log knows which', async () => {
    const kinds = {
      no_such_user: { username: 'nobody-here', password: 'whatever-password' },
      bad_password: { username: 'strict', password: 'not-the-password' },
      account_disabled: { username: 'gone', password: 'gone-long-password' },
      totp_missing: { username: 'strict', password: 'strict-long-password' },
      bad_totp: { username: 'strict', password: 'strict-long-password', totp: code('strict') === '123456' ? '654321' : '123456' },
    };
    const seen: Record<string, unknown> = {};
    const audited: Record<string, unknown> = {};
    for (const [kind, body] of Object.entries(kinds)) {
      p.clock.advance(16 * 60_000);
      for (const path of ['/api/auth/token', '/api/auth/login']) {
        const res = await login(body, path);
        const { instance, ...rest } = res.body;
        expect(instance).toBe(res.headers.get('x-request-id'));
        seen[`${kind} ${path}`] = { status: res.status, body: rest, authenticate: res.headers.get('www-authenticate'), cookie: res.headers.get('set-cookie') };
        audited[`${kind} ${path}`] = await p.deps.store.query(`SELECT outcome, details FROM audit_log WHERE request_id = $1 AND outcome <> 'initiated'`, [
          instance,
        ]);
      }
    }
    const one = {
      status: 401,
      body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'wrong user name, password or code', reason: 'bad_credentials' },
      authenticate: 'Bearer realm="analyserom"',
      cookie: null,
    };
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, one])));
    expect(audited).toEqual(Object.fromEntries(Object.keys(audited).map((k) => [k, [{ outcome: 'denied', details: { failure: k.split(' ')[0] } }]])));
  });
});

describe('second factor', () => {
  it('a TOTP code counts once: the same code again, or an older one after it, is refused', async () => {
    const first = code('strict');
    expect((await login({ username: 'strict', password: 'strict-long-password', totp: first })).status).toBe(201);
    const replay = await login({ username: 'strict', password: 'strict-long-password', totp: first });
    expect([replay.status, replay.body.reason]).toEqual([401, 'bad_credentials']);
    p.clock.advance(30_000);
    const next = code('strict');
    expect((await login({ username: 'strict', password: 'strict-long-password', totp: next })).status).toBe(201);
    // The previous step's code is still inside the drift window, but older than one already used.
    expect((await login({ username: 'strict', password: 'strict-long-password', totp: first })).status).toBe(401);
  });

  it('an enrolled second factor is asked for even after the privileged role is gone', async () => {
    await user('demoted', ['access_admin']);
    await updateUser(p.deps.store, 'demoted', { roles: ['researcher'] }, 'test');
    const without = await login({ username: 'demoted', password: 'demoted-long-password' });
    expect([without.status, without.body.reason]).toEqual([401, 'bad_credentials']);
    expect((await login({ username: 'demoted', password: 'demoted-long-password', totp: code('demoted') })).status).toBe(201);
  });
});

describe('credentials end with the password or the account', () => {
  async function credentials(id: string, password: string) {
    const s = await login({ username: id, password }, '/api/auth/login');
    expect(s.status).toBe(200);
    const cookie = s.headers.get('set-cookie')!.split(';')[0]!;
    const t = await login({ username: id, password });
    expect(t.status).toBe(201);
    return { cookie, token: t.body.token as string };
  }
  async function alive(c: { cookie: string; token: string }) {
    const viaCookie = await p.call('GET', '/api/me', { headers: { cookie: c.cookie } });
    const viaToken = await p.call('GET', '/api/me', { headers: { authorization: `Bearer ${c.token}` } });
    return [viaCookie.status, viaToken.status];
  }

  it('a password change revokes every session and API token of the user; a disable too', async () => {
    const ops = await login({ username: 'ops', password: 'ops-long-password', totp: code('ops') });
    expect(ops.status).toBe(201);
    const asOps = { authorization: `Bearer ${ops.body.token}` };

    const before = await credentials('changer', 'changer-long-password');
    expect(await alive(before)).toEqual([200, 200]);
    expect((await p.call('PATCH', '/api/users/changer', { headers: asOps, body: { password: 'a-brand-new-password' } })).status).toBe(200);
    expect(await alive(before)).toEqual([401, 401]);

    // A password an operator set lets its user in only to choose their own (test/security/operator-users.test.ts).
    expect((await login({ username: 'changer', password: 'a-brand-new-password', newPassword: 'changer-chosen-password' })).status).toBe(201);
    const again = await credentials('changer', 'changer-chosen-password');
    expect((await p.call('PATCH', '/api/users/changer', { headers: asOps, body: { disabled: true } })).status).toBe(200);
    expect((await p.call('PATCH', '/api/users/changer', { headers: asOps, body: { disabled: false } })).status).toBe(200);
    expect(await alive(again)).toEqual([401, 401]);
  });
});
