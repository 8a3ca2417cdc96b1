/**
 * Login by OpenID Connect: authorization code flow with PKCE (S256), `state` and `nonce`.
 *
 * Contracts:
 * - A login in flight lives in `oidc_logins` (keyed by SHA-256 of its state) for at most
 *   `OIDC_LOGIN_TTL_MINUTES` by the platform clock; the callback deletes it before anything
 *   else, so a state is good for exactly one callback, and an expired one is refused.
 * - The ID token's issuer and subject must name an EXISTING user (`users.oidc_issuer`,
 *   `users.oidc_subject`); nobody is provisioned by logging in.
 * - Privileged roles (access_admin, auditor, platform_admin) need a second factor. The IdP is
 *   trusted to have asked for one only when the ID token says so: `amr` contains `mfa`, `otp`
 *   or `hwk` (RFC 8176), or `acr` is one of `MFA_ACR_VALUES`. Otherwise such a user is
 *   refused outside demo mode; in demo mode the second factor is waived as for passwords.
 * - The client secret, when configured, is sealed under the master key in `kept_secrets`
 *   (`oidc-client-secret`); the configured value (re)seals it, and without one the kept value
 *   is used, so a restart need not carry the secret in its environment.
 * - openid-client refuses plain HTTP; it is allowed only for an issuer on a loopback address
 *   (a provider started by the tests or a developer). Any other `http:` issuer is refused.
 * - ID token times (iat, exp) are checked by openid-client against the system time, as the IdP
 *   issues them by the system time; the platform clock governs only the login's lifetime.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import type { Config } from '../config/index.ts';
import { AuthenticationError, DomainError, InputError, NotAllowedError, NotFoundError, UnavailableError } from '../errors/index.ts';
import { type Clock, type Logger, PRIVILEGED_ROLES, type Role, trimTrailingSlashes } from '../platform/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';

export const OIDC_LOGIN_TTL_MINUTES = 10;
export const OIDC_CLIENT_SECRET_NAME = 'oidc-client-secret';

/** `amr` values (RFC 8176) that say a second factor was used. */
export const MFA_AMR_VALUES: readonly string[] = ['mfa', 'otp', 'hwk'];
/** `acr` values that mean multi-factor: OpenID PAPE, REFEDS MFA, eIDAS and ID-porten substantial/high. */
export const MFA_ACR_VALUES: readonly string[] = [
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor',
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor-physical',
  'https://refeds.org/profile/mfa',
  'http://eidas.europa.eu/LoA/substantial',
  'http://eidas.europa.eu/LoA/high',
  'idporten-loa-substantial',
  'idporten-loa-high',
];

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/** True when the ID token says the IdP used a second factor. */
export function idpAssertsMfa(claims: Record<string, unknown>): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
  if (amr.some((v) => MFA_AMR_VALUES.includes(v))) return true;
  return typeof claims.acr === 'string' && MFA_ACR_VALUES.includes(claims.acr);
}

/**
 * The path to land on after login: only a same-origin relative path (`/x...`), never
 * `//host`, `/\host`, a scheme, or control characters, so the login cannot redirect elsewhere.
 */
export function safeReturnTo(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '/';
  const bad = () =>
    new InputError('returnTo must be a path on this site, starting with a single /', { reason: 'bad_return_to', details: { field: 'returnTo' } });
  if (raw.length > 2000 || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') || /[\u0000-\u001f\u007f]/.test(raw)) throw bad();
  const base = new URL('http://platform.invalid');
  const url = new URL(raw, base);
  if (url.origin !== base.origin) throw bad();
  return `${url.pathname}${url.search}${url.hash}`;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/** Plain HTTP is allowed for a loopback issuer only; other `http:` issuers are a configuration error. */
export function allowsInsecure(issuer: URL): boolean {
  if (issuer.protocol === 'https:') return false;
  if (issuer.protocol === 'http:' && LOOPBACK.test(issuer.hostname)) return true;
  throw new UnavailableError(`OIDC issuer ${issuer.origin} must use https (http is allowed on loopback only)`, { reason: 'oidc_issuer_insecure' });
}

/** (Re)seals the configured client secret, or returns the kept one when none is configured. */
export async function keepClientSecret(q: Queryable, box: SecretBox, configured: string | undefined): Promise<string | undefined> {
  const context = `kept:${OIDC_CLIENT_SECRET_NAME}`;
  const [row] = await q.query<{ sealed: string }>('SELECT sealed FROM kept_secrets WHERE name = $1', [OIDC_CLIENT_SECRET_NAME]);
  const kept = row ? box.open(row.sealed, context).toString() : undefined;
  if (configured === undefined || configured === kept) return kept;
  await q.query('INSERT INTO kept_secrets (name, sealed) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed, created_at = now()', [
    OIDC_CLIENT_SECRET_NAME,
    box.seal(configured, context),
  ]);
  return configured;
}

export interface OidcLoginStart {
  authorizationUrl: URL;
  /** To bind the login to the browser that started it (a cookie checked at the callback). */
  state: string;
}

export interface OidcLoginResult {
  userId: string;
  returnTo: string;
  issuer: string;
  subject: string;
  mfa: boolean;
}

export interface OidcClient {
  readonly enabled: boolean;
  /** Starts a login: persists state, nonce and PKCE verifier, returns where to send the browser. */
  startLogin(returnTo: string, callbackUrl: string): Promise<OidcLoginStart>;
  /**
   * Completes a login from the callback URL as received (`callbackUrl` with its query).
   * `boundState` is the state the browser carried in its cookie; it must equal the query's.
   */
  completeLogin(callbackUrl: URL, boundState: string | undefined): Promise<OidcLoginResult>;
}

export interface OidcDeps {
  store: Queryable;
  box: SecretBox;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret' | 'demo'>;
}

interface LoginRow {
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: Date;
}

interface LinkedUserRow {
  id: string;
  disabled: boolean;
  roles: Role[] | null;
}

/** Issuer spellings that name the configured IdP (with and without a trailing slash). */
function issuerSpellings(...issuers: (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const i of issuers) {
    if (!i) continue;
    const bare = trimTrailingSlashes(i);
    out.add(bare);
    out.add(`${bare}/`);
  }
  return [...out];
}

/** openid-client's failures as domain refusals; transport failures mean the IdP is unavailable. */
function refusalOf(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof client.AuthorizationResponseError) {
    return new AuthenticationError(`the identity provider refused the login: ${err.error}`, { reason: 'oidc_provider_refused', details: { error: err.error } });
  }
  if (err instanceof client.ResponseBodyError) {
    return new AuthenticationError(`the identity provider rejected the code: ${err.error}`, { reason: 'oidc_code_rejected', details: { error: err.error } });
  }
  if (err instanceof client.ClientError) {
    return new AuthenticationError(`the identity provider's response is not valid: ${err.message}`, { reason: 'oidc_response_invalid' });
  }
  return new UnavailableError('the identity provider cannot be reached', { reason: 'oidc_provider_unavailable', cause: err });
}

export function createOidcClient(deps: OidcDeps): OidcClient {
  const { store, box, clock, logger, config } = deps;
  const enabled = Boolean(config.oidcIssuer && config.oidcClientId);
  let secret: Promise<string | undefined> | undefined;
  let discovered: Promise<client.Configuration> | undefined;

  const clientSecret = () => {
    secret ??= keepClientSecret(store, box, config.oidcClientSecret).catch((err: unknown) => {
      secret = undefined;
      throw err;
    });
    return secret;
  };
  // Seal the configured secret at start, so it is kept even if nobody logs in by OIDC.
  if (enabled) clientSecret().catch((err: unknown) => logger.error('oidc client secret not kept', { error: String(err) }));

  const configuration = () => {
    if (!enabled) throw new NotFoundError('OpenID Connect login is not configured', { reason: 'oidc_not_configured' });
    discovered ??= (async () => {
      const issuer = new URL(config.oidcIssuer!);
      const insecure = allowsInsecure(issuer);
      const s = await clientSecret();
      return client.discovery(
        issuer,
        config.oidcClientId!,
        s === undefined ? undefined : { client_secret: s },
        s === undefined ? client.None() : client.ClientSecretBasic(s),
        { execute: insecure ? [client.allowInsecureRequests] : [], timeout: 10 },
      );
    })().catch((err: unknown) => {
      discovered = undefined; // try again on the next login
      throw refusalOf(err);
    });
    return discovered;
  };

  return {
    enabled,

    async startLogin(returnTo, callbackUrl) {
      const oidc = await configuration();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const verifier = client.randomPKCECodeVerifier();
      const now = clock.now();
      await store.query('DELETE FROM oidc_logins WHERE created_at < $1', [new Date(now.getTime() - OIDC_LOGIN_TTL_MINUTES * 60_000)]);
      await store.query('INSERT INTO oidc_logins (state, nonce, code_verifier, return_to, created_at) VALUES ($1, $2, $3, $4, $5)', [
        hashState(state),
        nonce,
        verifier,
        returnTo,
        now,
      ]);
      const authorizationUrl = client.buildAuthorizationUrl(oidc, {
        redirect_uri: callbackUrl,
        scope: 'openid',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { authorizationUrl, state };
    },

    async completeLogin(callbackUrl, boundState) {
      const state = callbackUrl.searchParams.get('state');
      if (!state) throw new InputError('the callback has no state', { reason: 'invalid_input', details: { field: 'state' } });
      const [login] = await store.query<LoginRow>('DELETE FROM oidc_logins WHERE state = $1 RETURNING nonce, code_verifier, return_to, created_at', [
        hashState(state),
      ]);
      if (!login) throw new AuthenticationError('unknown or already used login state; start the login again', { reason: 'oidc_state_unknown' });
      if (boundState !== state)
        throw new AuthenticationError('this login was started in another browser; start the login again', { reason: 'oidc_state_not_bound' });
      if (clock.now().getTime() - new Date(login.created_at).getTime() > OIDC_LOGIN_TTL_MINUTES * 60_000) {
        throw new AuthenticationError(`the login took longer than ${OIDC_LOGIN_TTL_MINUTES} minutes; start it again`, { reason: 'oidc_login_expired' });
      }
      const oidc = await configuration();
      let claims: client.IDToken;
      try {
        const tokens = await client.authorizationCodeGrant(oidc, callbackUrl, {
          pkceCodeVerifier: login.code_verifier,
          expectedState: state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims()!;
      } catch (err) {
        throw refusalOf(err);
      }
      const issuer = claims.iss;
      const subject = claims.sub;
      const mfa = idpAssertsMfa(claims);
      const [user] = await store.query<LinkedUserRow>(
        `SELECT u.id, u.disabled, (SELECT array_agg(role ORDER BY role) FROM user_roles r WHERE r.user_id = u.id) AS roles
           FROM users u WHERE u.oidc_subject = $1 AND u.oidc_issuer = ANY($2::text[])`,
        [subject, issuerSpellings(issuer, config.oidcIssuer)],
      );
      const who = { issuer, subject };
      if (!user) {
        throw new NotAllowedError('no platform account is linked to this identity; ask a platform administrator to link it', {
          reason: 'oidc_subject_unknown',
          details: who,
        });
      }
      if (user.disabled) throw new NotAllowedError('this account is disabled', { reason: 'account_disabled', details: { ...who, userId: user.id } });
      const privileged = (user.roles ?? []).some((r) => PRIVILEGED_ROLES.includes(r));
      if (privileged && !mfa && !config.demo) {
        throw new NotAllowedError('this account has a privileged role and the identity provider did not assert a second factor (amr/acr)', {
          reason: 'mfa_required',
          details: { ...who, userId: user.id },
        });
      }
      return { userId: user.id, returnTo: login.return_to, issuer, subject, mfa };
    },
  };
}
