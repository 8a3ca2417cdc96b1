import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, totpNow } from '../../control-plane/src/identity/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

async function browserLogin(p: TestPlatform, username: string, password = 'demo') {
  const res = await fetch(`${p.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { status: res.status, setCookie, cookie: setCookie.split(';')[0]!, csrf: body.csrfToken };
}

describe('browser sessions and CSRF', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(() => p?.stop());

  it('sets an HttpOnly SameSite=Strict session cookie', async () => {
    const s = await browserLogin(p, 'researcher');
    expect(s.status).toBe(200);
    expect(s.setCookie).toMatch(/^tre_session=tre_s_[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    const me = await p.call('GET', '/api/me', { headers: { cookie: s.cookie } });
    expect([me.status, me.body.id, me.body.csrfToken]).toEqual([200, 'researcher', s.csrf]);
  });

  it('403 for a change without the CSRF token, or with a wrong one; accepted with it', async () => {
    const s = await browserLogin(p, 'researcher');
    const none = await p.call('POST', '/api/me/tokens', { headers: { cookie: s.cookie }, body: { name: 'x' } });
    expect([none.status, none.body.reason]).toEqual([403, 'csrf']);
    const wrong = await p.call('POST', '/api/me/tokens', { headers: { cookie: s.cookie, 'x-csrf-token': 'guess' }, body: { name: 'x' } });
    expect([wrong.status, wrong.body.reason]).toEqual([403, 'csrf']);
    const ok = await p.call('POST', '/api/me/tokens', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, body: { name: 'x' } });
    expect(ok.status).toBe(201);
    const denied = await p.deps.store.query<{ outcome: string; reason: string }>('SELECT outcome, reason FROM audit_log WHERE request_id = $1', [
      none.headers.get('x-request-id'),
    ]);
    expect(denied).toEqual([{ outcome: 'denied', reason: 'missing or wrong CSRF token' }]);
  });

  it('403 for a change from a foreign Origin, even with the token', async () => {
    const s = await browserLogin(p, 'researcher');
    const res = await p.call('POST', '/api/me/tokens', {
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, origin: 'https://evil.example' },
      body: { name: 'x' },
    });
    expect([res.status, res.body.reason]).toEqual([403, 'bad_origin']);
  });

  it('logout ends the session', async () => {
    const s = await browserLogin(p, 'lead');
    expect((await p.call('POST', '/api/auth/logout', { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })).status).toBe(204);
    expect((await p.call('GET', '/api/me', { headers: { cookie: s.cookie } })).status).toBe(401);
  });
});

describe('second factor outside demo mode', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ demo: false });
  });
  afterAll(() => p?.stop());

  it('creates one platform admin at first start, with a password and a second factor to enrol', async () => {
    const rows = await p.deps.store.query<{ id: string; totp: boolean }>(
      'SELECT u.id, u.totp_secret_sealed IS NOT NULL AS totp FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = $1',
      ['platform_admin'],
    );
    expect(rows).toEqual([{ id: 'admin', totp: true }]);
  });

  it('requires a valid TOTP code for a privileged role, none for a researcher', async () => {
    const { user, totpUri } = await createUser(
      p.deps.store,
      p.deps.box,
      { id: 'strict-admin', displayName: 'S', roles: ['auditor'], password: 'strict-admin-password' },
      'test',
    );
    await createUser(p.deps.store, p.deps.box, { id: 'plain', displayName: 'P', roles: ['researcher'], password: 'plain-password-12' }, 'test');
    const secret = new URL(totpUri!).searchParams.get('secret')!;
    const noCode = await p.call('POST', '/api/auth/token', { body: { username: user.id, password: 'strict-admin-password' } });
    expect([noCode.status, noCode.body.reason]).toEqual([401, 'bad_credentials']);
    const badCode = await p.call('POST', '/api/auth/token', { body: { username: user.id, password: 'strict-admin-password', totp: '000000' } });
    expect([badCode.status, badCode.body.reason]).toEqual([401, 'bad_credentials']);
    const ok = await p.call('POST', '/api/auth/token', {
      body: { username: user.id, password: 'strict-admin-password', totp: totpNow(secret, p.clock.now()) },
    });
    expect(ok.status).toBe(201);
    expect((await p.call('POST', '/api/auth/token', { body: { username: 'plain', password: 'plain-password-12' } })).status).toBe(201);
  });
});

describe('TLS', () => {
  it('serves HTTPS when given a certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tre-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const p = await startTestPlatform({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    try {
      expect(p.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${p.url}/api/auth/login`,
          { method: 'POST', ca: readFileSync(join(dir, 'cert.pem')), headers: { 'content-type': 'application/json' } },
          (res) => {
            let data = `${res.headers['set-cookie']?.[0] ?? ''}\n`;
            res.on('data', (c) => (data += c));
            res.on('end', () => resolve(data));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ username: 'researcher', password: 'demo' }));
      });
      expect(body).toMatch(/; Secure; SameSite=Strict\n/);
    } finally {
      await p.stop();
    }
  });
});
