/**
 * The two public OpenID Connect endpoints. Both answer with a redirect on success and with
 * `application/problem+json` (reason included) on refusal; every attempt is audited by the
 * route wrapper (`auth.oidc.login`, `auth.oidc.callback`).
 *
 * The login is bound to the browser that started it: the state also travels in a short-lived
 * HttpOnly cookie (SameSite=Lax, so the IdP's top-level redirect back carries it, limited to the
 * callback path), and a callback whose state the browser does not hold is refused. This stops
 * a login-CSRF where someone else's callback link logs the victim in as them.
 *
 * The callback URL is `publicUrl` + `/api/auth/oidc/callback`; register exactly that at the IdP.
 * Without `publicUrl` it is derived from the listening host and port, as `tre start` prints it.
 *
 * The session cookie is SameSite=Strict: a browser does not send it on the navigation that
 * ends the IdP's redirect chain, but does on every request the landed page makes itself.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { publicUrl } from '../config/index.ts';
import { DomainError } from '../errors/index.ts';
import { redirect, defineRoute, type AuditScope, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { readCookie, setSessionCookie } from './cookies.ts';
import { createOidcClient, OIDC_LOGIN_TTL_MINUTES, safeReturnTo } from './oidc.ts';
import { createSession } from './sessions.ts';

export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';
const STATE_COOKIE = 'tre_oidc_state';

const loginQuery = z.object({ returnTo: z.string().max(2000).optional() });
const callbackQuery = z.object({
  state: z.string().min(1).max(1000),
  code: z.string().min(1).max(4000).optional(),
  error: z.string().max(200).optional(),
});

export function oidcRoutes(deps: CoreDeps): RouteDef[] {
  const { store, clock, config } = deps;
  const oidc = createOidcClient(deps);
  const secure = Boolean(config.tlsCert) || Boolean(config.publicUrl?.startsWith('https:'));
  const callbackUrl = (req: Request) => `${publicUrl(config, req.socket.localPort ?? config.port)}${OIDC_CALLBACK_PATH}`;
  const clearStateCookie = (res: Response) => res.clearCookie(STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: OIDC_CALLBACK_PATH });

  /** Refusals name who they concern in the audit entry (the user if linked, else the IdP's subject) and the machine-readable reason. */
  const noted = (audit: AuditScope, err: unknown): unknown => {
    if (err instanceof DomainError) {
      const d = err.details ?? {};
      if (typeof d.userId === 'string') audit.object = `user:${d.userId}`;
      else if (typeof d.subject === 'string') audit.object = `oidc:${String(d.issuer)}#${d.subject}`;
      audit.details = { ...audit.details, ...d, reason: err.reason ?? null };
    }
    return err;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/auth/oidc/login',
      tag: 'identity',
      summary: 'Start an OpenID Connect login; redirects to the identity provider and back to returnTo (a path on this site)',
      action: 'auth.oidc.login',
      access: 'public',
      query: loginQuery,
      response: redirect('To the identity provider, which returns to the callback'),
      async handler(ctx) {
        ctx.audit.object = `oidc:${config.oidcIssuer ?? 'unconfigured'}`;
        try {
          const returnTo = safeReturnTo(ctx.query.returnTo);
          ctx.audit.details = { returnTo };
          const { authorizationUrl, state } = await oidc.startLogin(returnTo, callbackUrl(ctx.req));
          ctx.res.cookie(STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure, path: OIDC_CALLBACK_PATH, maxAge: OIDC_LOGIN_TTL_MINUTES * 60_000 });
          await ctx.commitSuccess();
          ctx.res.redirect(303, authorizationUrl.href);
          return { sent: true };
        } catch (err) {
          throw noted(ctx.audit, err);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: OIDC_CALLBACK_PATH,
      tag: 'identity',
      summary: 'The identity provider returns here with a code; starts a browser session for the linked user and redirects to returnTo',
      action: 'auth.oidc.callback',
      access: 'public',
      query: callbackQuery,
      response: redirect('Logged in: to returnTo, with the session cookie set'),
      async handler(ctx) {
        ctx.audit.object = `oidc:${config.oidcIssuer ?? 'unconfigured'}`;
        const { req, res } = ctx;
        try {
          const bound = readCookie(req, STATE_COOKIE);
          clearStateCookie(res);
          const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
          const result = await oidc.completeLogin(new URL(`${callbackUrl(req)}${query}`), bound);
          ctx.audit.object = `user:${result.userId}`;
          ctx.audit.details = { issuer: result.issuer, subject: result.subject, mfa: result.mfa, returnTo: result.returnTo };
          const s = await createSession(store, clock, result.userId, 'oidc', ctx.clientAddress, config.sessionTtlMinutes);
          setSessionCookie(res, s.token, s.expiresAt, secure);
          await ctx.commitSuccess();
          res.redirect(303, result.returnTo);
          return { sent: true };
        } catch (err) {
          throw noted(ctx.audit, err);
        }
      },
    }),
  ];
}
