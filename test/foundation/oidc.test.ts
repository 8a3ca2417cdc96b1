/**
 * OpenID Connect login against a real provider (`oidc-provider`) on loopback, driven over HTTP
 * as a browser would: our login endpoint, the provider's authorization endpoint, its interaction
 * (our own interaction URL finishing login and consent through `Provider#interactionFinished`,
 * with the amr/acr a test chooses), and back to our callback with the code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../control-plane/src/http/index.ts';
import {
  authenticate,
  createUser,
  identityRoutes,
  idpAssertsMfa,
  OIDC_CLIENT_SECRET_NAME,
  safeReturnTo,
  oidcRoutes,
} from '../../control-plane/src/identity/index.ts';
import { silentLogger } from '../../control-plane/src/platform/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/** The slice of oidc-provider's API this test uses (the package ships no types). */
interface InteractionDetails {
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
  params: Record<string, string>;
  session?: { accountId: string };
  grantId?: string;
}
interface GrantLike {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface ProviderLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: unknown, opts: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: { new (o: { accountId: string; clientId: string }): GrantLike; find(id: string): Promise<GrantLike> };
}
type ProviderCtor = new (issuer: string, config: Record<string, unknown>) => ProviderLike;

const CLIENT_ID = 'analyserom';
const CLIENT_SECRET = 'client-secret-for-the-loopback-provider';

let p: TestPlatform;
let base: string;
let issuer: string;
let idp: Server;
let ownApp: Server | undefined;
/** The same routes over the same store, configured as demo mode (second factor waived). */
let demoApp: Server;
let demoBase: string;
let provider: ProviderLike;
/** Who the provider's interaction logs in next, and which factors it claims. */
let nextLogin: { accountId: string; amr?: string[]; acr?: string; refuse?: boolean } = { accountId: 'nobody' };

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The provider's interaction: log in `nextLogin` without a form, then grant what the client asked for. */
async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (nextLogin.refuse) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled' }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'login') {
    const { accountId, amr, acr } = nextLogin;
    await provider.interactionFinished(req, res, { login: { accountId, amr, acr } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id! });
  if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
  if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

/** A browser's cookies, per origin (enough here: no two cookies share a name across paths). */
class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(url: string): string {
    return [...(this.byOrigin.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin)?.get(name);
  }
  set(url: string, name: string, value: string): void {
    const origin = new URL(url).origin;
    if (!this.byOrigin.has(origin)) this.byOrigin.set(origin, new Map());
    this.byOrigin.get(origin)!.set(name, value);
  }
  take(url: string, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      // Only a deletion counts as expiry: the platform's clock is not the real time.
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.parse('2000-01-01')));
      if (expired) this.byOrigin.get(new URL(url).origin)?.delete(name);
      else this.set(url, name, value);
    }
  }
}

async function get(url: string, jar: Jar): Promise<Response> {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url), accept: 'text/html,application/json' } });
  jar.take(url, res);
  return res;
}

/**
 * Logs in as `login` in a fresh browser. Follows redirects until our callback has answered
 * (or anything refuses); with `stopAtCallback`, returns before calling the callback.
 */
async function browserLogin(login: typeof nextLogin, opts: { returnTo?: string; stopAtCallback?: boolean; at?: string } = {}) {
  nextLogin = login;
  const jar = new Jar();
  const base = opts.at ?? defaultBase();
  let url = `${base}/api/auth/oidc/login${opts.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(opts.returnTo)}`}`;
  for (let hop = 0; hop < 20; hop++) {
    const atCallback = url.startsWith(`${base}/api/auth/oidc/callback`);
    if (atCallback && opts.stopAtCallback) return { jar, callbackUrl: url, res: undefined };
    const res = await get(url, jar);
    const location = res.headers.get('location');
    if (atCallback || res.status < 300 || res.status > 399 || !location) return { jar, callbackUrl: atCallback ? url : undefined, res };
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

async function problemOf(res: Response) {
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { reason: string; detail: string } };
}

const defaultBase = () => base;

async function me(jar: Jar, at = base) {
  const res = await fetch(`${at}/api/me`, { headers: { cookie: jar.header(at) } });
  return { status: res.status, body: (await res.json()) as { id: string; csrfToken: string | null } };
}

const auditRows = (object: string) =>
  p.deps.store.query<{ outcome: string; reason: string | null; details: Record<string, unknown> }>(
    `SELECT outcome, reason, details FROM audit_log WHERE action = 'auth.oidc.callback' AND object = $1 ORDER BY seq`,
    [object],
  );

beforeAll(async () => {
  // The provider's port must be known before the platform starts (its issuer is configuration),
  // and the platform's callback URL before the provider registers its client.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  idp = createServer((req, res) => handle(req, res));
  issuer = `http://127.0.0.1:${await listen(idp)}`;
  p = await startTestPlatform({ demo: false, oidcIssuer: issuer, oidcClientId: CLIENT_ID, oidcClientSecret: CLIENT_SECRET });

  // Until start.ts mounts oidcRoutes, serve them from an app over the same platform (store, audit, clock).
  const wired = ((await (await fetch(`${p.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> }).paths['/api/auth/oidc/login'];
  if (wired) {
    base = p.url;
  } else {
    ownApp = createServer(
      createApp({
        routes: [...identityRoutes(p.deps), ...oidcRoutes(p.deps)],
        audit: p.deps.audit,
        logger: silentLogger,
        version: 'test',
        authenticate: (req) => authenticate(p.deps.store, p.deps.clock, req),
        ready: async () => true,
      }),
    );
    base = `http://127.0.0.1:${await listen(ownApp)}`;
  }
  const demoDeps = { ...p.deps, config: { ...p.deps.config, demo: true } };
  demoApp = createServer(
    createApp({
      routes: [...identityRoutes(demoDeps), ...oidcRoutes(demoDeps)],
      audit: p.deps.audit,
      logger: silentLogger,
      version: 'test',
      authenticate: (req) => authenticate(p.deps.store, p.deps.clock, req),
      ready: async () => true,
    }),
  );
  demoBase = `http://127.0.0.1:${await listen(demoApp)}`;

  const { Provider } = (await import('oidc-provider' as string)) as { Provider: ProviderCtor };
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${base}/api/auth/oidc/callback`, `${demoBase}/api/auth/oidc/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // The provider releases acr and amr only when asked (claims parameter); release them with every
    // ID token, as the IdPs we meet do. acr needs acrValues to be supported at all.
    claims: { openid: ['sub', 'acr', 'amr'], acr: null, amr: null, auth_time: null, sid: null, iss: null },
    acrValues: ['https://refeds.org/profile/mfa', 'urn:loopback:password'],
    cookies: { keys: ['loopback-provider-cookie-key'] },
  });
  const callback = provider.callback();
  handle = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
    } else {
      callback(req, res);
    }
  };

  const link = (id: string, roles: ('researcher' | 'access_admin')[]) =>
    createUser(p.deps.store, p.deps.box, { id, displayName: id, roles, oidcIssuer: issuer, oidcSubject: `sub-${id}` }, 'test');
  await link('olivia', ['researcher']);
  await link('oskar', ['access_admin']);
});

afterAll(async () => {
  await new Promise((resolve) => ownApp?.close(resolve) ?? resolve(undefined));
  await new Promise((resolve) => demoApp?.close(resolve) ?? resolve(undefined));
  await new Promise((resolve) => idp?.close(resolve));
  await p?.stop();
});

describe('OIDC login round trip', () => {
  it('logs a linked subject in: session cookie works for /api/me, redirect to returnTo, audited', async () => {
    const { res, jar } = await browserLogin({ accountId: 'sub-olivia' }, { returnTo: '/projects?tab=permits' });
    expect(res!.status).toBe(303);
    expect(res!.headers.get('location')).toBe('/projects?tab=permits');
    expect(res!.headers.getSetCookie().find((c) => c.startsWith('tre_session='))).toMatch(/HttpOnly/i);
    const who = await me(jar);
    expect(who.status).toBe(200);
    expect(who.body.id).toBe('olivia');
    expect(who.body.csrfToken).toEqual(expect.any(String));
    expect(await auditRows('user:olivia')).toEqual([
      { outcome: 'success', reason: null, details: { issuer, subject: 'sub-olivia', mfa: false, returnTo: '/projects?tab=permits' } },
    ]);
    expect(await p.deps.store.query('SELECT state FROM oidc_logins')).toEqual([]);
  });

  it('redirects to / when no returnTo is given', async () => {
    const { res } = await browserLogin({ accountId: 'sub-olivia' });
    expect([res!.status, res!.headers.get('location')]).toEqual([303, '/']);
  });

  it('403 oidc_subject_unknown when no user is linked to the subject, and the refusal is audited', async () => {
    const { res, jar } = await browserLogin({ accountId: 'sub-mallory' });
    const problem = await problemOf(res!);
    expect(problem).toMatchObject({
      status: 403,
      type: 'application/problem+json; charset=utf-8',
      body: { reason: 'oidc_subject_unknown', subject: 'sub-mallory' },
    });
    expect(res!.headers.getSetCookie().some((c) => c.startsWith('tre_session='))).toBe(false);
    expect((await me(jar)).status).toBe(401);
    expect(await auditRows(`oidc:${issuer}#sub-mallory`)).toEqual([
      { outcome: 'denied', reason: problem.body.detail, details: { issuer, subject: 'sub-mallory', reason: 'oidc_subject_unknown' } },
    ]);
  });

  it('401 oidc_state_unknown when a callback is replayed with the same state', async () => {
    const first = await browserLogin({ accountId: 'sub-olivia' }, { stopAtCallback: true });
    const state = first.jar.get(base, 'tre_oidc_state')!;
    expect((await get(first.callbackUrl!, first.jar)).status).toBe(303);
    first.jar.set(base, 'tre_oidc_state', state); // even holding the cookie again
    const replay = await problemOf(await get(first.callbackUrl!, first.jar));
    expect([replay.status, replay.body.reason]).toEqual([401, 'oidc_state_unknown']);
  });

  it('401 oidc_state_unknown when the state is tampered with; the genuine callback still works', async () => {
    const { jar, callbackUrl } = await browserLogin({ accountId: 'sub-olivia' }, { stopAtCallback: true });
    const url = new URL(callbackUrl!);
    const state = url.searchParams.get('state')!;
    url.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
    jar.set(base, 'tre_oidc_state', url.searchParams.get('state')!);
    const tampered = await problemOf(await get(url.href, jar));
    expect([tampered.status, tampered.body.reason]).toEqual([401, 'oidc_state_unknown']);
    jar.set(base, 'tre_oidc_state', state);
    expect((await get(callbackUrl!, jar)).status).toBe(303);
  });

  it('401 oidc_state_not_bound when the callback arrives in a browser that did not start the login', async () => {
    const { callbackUrl } = await browserLogin({ accountId: 'sub-olivia' }, { stopAtCallback: true });
    const other = new Jar();
    const refused = await problemOf(await get(callbackUrl!, other));
    expect([refused.status, refused.body.reason]).toEqual([401, 'oidc_state_not_bound']);
    expect((await me(other)).status).toBe(401);
  });

  it('401 oidc_login_expired when the callback comes after the login lifetime', async () => {
    const { jar, callbackUrl } = await browserLogin({ accountId: 'sub-olivia' }, { stopAtCallback: true });
    p.clock.advance(11 * 60_000);
    try {
      const late = await problemOf(await get(callbackUrl!, jar));
      expect([late.status, late.body.reason]).toEqual([401, 'oidc_login_expired']);
    } finally {
      p.clock.advance(-11 * 60_000);
    }
  });

  it('403 mfa_required for a privileged user when the IdP asserts no second factor, audited against the user', async () => {
    const { res, jar } = await browserLogin({ accountId: 'sub-oskar', amr: ['pwd'] });
    const refused = await problemOf(res!);
    expect([refused.status, refused.body.reason]).toEqual([403, 'mfa_required']);
    expect((await me(jar)).status).toBe(401);
    expect(await auditRows('user:oskar')).toEqual([
      { outcome: 'denied', reason: refused.body.detail, details: { issuer, subject: 'sub-oskar', userId: 'oskar', reason: 'mfa_required' } },
    ]);
  });

  it('waives the second factor for a privileged user in demo mode only', async () => {
    const { res, jar } = await browserLogin({ accountId: 'sub-oskar', amr: ['pwd'] }, { at: demoBase });
    expect(res!.status).toBe(303);
    expect((await me(jar, demoBase)).body.id).toBe('oskar');
  });

  it('401 oidc_provider_refused when the user cancels at the IdP', async () => {
    const { res, jar } = await browserLogin({ accountId: 'sub-olivia', refuse: true });
    const refused = await problemOf(res!);
    expect(refused).toMatchObject({ status: 401, body: { reason: 'oidc_provider_refused', error: 'access_denied' } });
    expect((await me(jar)).status).toBe(401);
  });

  it('logs a privileged user in when the IdP asserts a second factor in amr or acr', async () => {
    const viaAmr = await browserLogin({ accountId: 'sub-oskar', amr: ['pwd', 'otp'] });
    expect(viaAmr.res!.status).toBe(303);
    expect((await me(viaAmr.jar)).body.id).toBe('oskar');
    const viaAcr = await browserLogin({ accountId: 'sub-oskar', acr: 'https://refeds.org/profile/mfa' });
    expect(viaAcr.res!.status).toBe(303);
    expect((await me(viaAcr.jar)).body.id).toBe('oskar');
  });

  it('400 bad_return_to for a return path off this site, before going to the IdP', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'projects']) {
      const { res } = await browserLogin({ accountId: 'sub-olivia' }, { returnTo });
      const refused = await problemOf(res!);
      expect([returnTo, refused.status, refused.body.reason]).toEqual([returnTo, 400, 'bad_return_to']);
    }
  });

  it('keeps the client secret sealed under the master key', async () => {
    const rows = await p.deps.store.query<{ sealed: string }>('SELECT sealed FROM kept_secrets WHERE name = $1', [OIDC_CLIENT_SECRET_NAME]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed).not.toContain(CLIENT_SECRET);
    expect(p.deps.box.open(rows[0]!.sealed, `kept:${OIDC_CLIENT_SECRET_NAME}`).toString()).toBe(CLIENT_SECRET);
  });
});

describe('OIDC policy helpers', () => {
  it('accepts only same-origin relative return paths', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo('/projects/p1?x=1#y')).toBe('/projects/p1?x=1#y');
    for (const bad of ['//evil', '/\\evil', 'http://evil', 'javascript:alert(1)', '/a\nb']) expect(() => safeReturnTo(bad)).toThrow(/returnTo/);
  });

  it('trusts the IdP for a second factor only on mfa/otp/hwk amr or a multi-factor acr', () => {
    expect(idpAssertsMfa({ amr: ['pwd', 'mfa'] })).toBe(true);
    expect(idpAssertsMfa({ amr: ['hwk'] })).toBe(true);
    expect(idpAssertsMfa({ acr: 'idporten-loa-high' })).toBe(true);
    expect(idpAssertsMfa({ amr: ['pwd'], acr: '1' })).toBe(false);
    expect(idpAssertsMfa({ amr: 'otp' })).toBe(false);
    expect(idpAssertsMfa({})).toBe(false);
  });
});
