import { z } from 'zod';
import { NotAllowedError, NotFoundError } from '../errors/index.ts';
import { noContent, defineRoute, type AuditScope, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { createUser, getUser, listUsers, resetTotp, updateUser } from './accounts.ts';
import { resetPassword } from './password-reset.ts';
import { clearSessionCookie, setSessionCookie } from './cookies.ts';
import { checkPasswordLogin, LoginRefused } from './login.ts';
import { roleSchema } from '../platform/index.ts';
import {
  apiTokenSchema,
  createdUserSchema,
  issuedTokenSchema,
  meSchema,
  passwordResetSchema,
  sessionLoginSchema,
  totpResetSchema,
  userSchema,
  type Me,
} from './schemas.ts';
import { createApiToken, createSession, listApiTokens, revokeApiToken, revokeCredential } from './sessions.ts';

const credentials = z.object({
  username: z.string().min(1).max(63),
  password: z.string().min(1).max(1024),
  totp: z
    .string()
    .regex(/^\d{6}$/, 'must be 6 digits')
    .optional(),
  /** Required when the password was set or reset by an operator: the user's own, replacing it. */
  newPassword: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
});

/** What really failed in a login goes into its audit entry; the answer stays the one generic refusal. */
const noteFailure =
  (audit: AuditScope) =>
  (err: unknown): never => {
    if (err instanceof LoginRefused) audit.details = { ...audit.details, failure: err.failure };
    throw err;
  };

const userId = z.string().regex(/^[a-z][a-z0-9._-]{1,62}$/, 'must be 2-63 characters: lower-case letters, digits, . _ -');

export function identityRoutes(deps: CoreDeps): RouteDef[] {
  const { store, clock, box, config } = deps;
  const policy = { demo: config.demo, maxFailures: config.loginMaxFailures, windowMinutes: config.loginWindowMinutes };
  const secure = Boolean(config.tlsCert);
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      tag: 'identity',
      summary: 'Log in with password (and TOTP); starts a browser session',
      action: 'auth.login',
      access: 'public',
      csrfExempt: true,
      body: credentials,
      response: sessionLoginSchema,
      status: 200,
      async handler({ body, audit, clientAddress, res }) {
        audit.object = `user:${body.username}`;
        const id = await checkPasswordLogin(store, clock, box, policy, { ...body, clientAddress }).catch(noteFailure(audit));
        const s = await createSession(store, clock, id, 'password', clientAddress, config.sessionTtlMinutes);
        setSessionCookie(res, s.token, s.expiresAt, secure);
        return { user: await getUser(store, id), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/token',
      tag: 'identity',
      summary: 'Log in with password (and TOTP); returns an API token',
      action: 'auth.token',
      access: 'public',
      csrfExempt: true,
      response: issuedTokenSchema,
      body: credentials.extend({ name: z.string().min(1).max(100).default('cli'), ttlDays: z.number().int().min(1).max(365).optional() }),
      async handler({ body, audit, clientAddress }) {
        audit.object = `user:${body.username}`;
        const id = await checkPasswordLogin(store, clock, box, policy, { ...body, clientAddress }).catch(noteFailure(audit));
        const t = await createApiToken(store, clock, id, body.name, body.ttlDays ?? config.tokenTtlDays);
        return { token: t.token, id: t.id, expiresAt: t.expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      tag: 'identity',
      summary: 'End this session or revoke this token',
      action: 'auth.logout',
      access: 'authenticated',
      response: noContent('The session is ended or the token revoked'),
      async handler({ req, res }) {
        await revokeCredential(store, req);
        clearSessionCookie(res, secure);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me',
      tag: 'identity',
      summary: 'Who am I: user, roles and project memberships',
      action: 'me.read',
      access: 'authenticated',
      response: meSchema,
      async handler({ principal, audit }) {
        audit.object = `user:${principal!.userId}`;
        const memberships = await store.query<Me['memberships'][number]>(
          `SELECT m.project_id AS "projectId", p.title, m.role FROM project_members m JOIN projects p ON p.id = m.project_id WHERE m.user_id = $1 ORDER BY p.title`,
          [principal!.userId],
        );
        return { ...(await getUser(store, principal!.userId)), memberships, csrfToken: principal!.csrfToken ?? null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me/tokens',
      tag: 'identity',
      summary: 'My API tokens',
      action: 'token.list',
      access: 'authenticated',
      response: z.array(apiTokenSchema),
      async handler({ principal }) {
        return listApiTokens(store, principal!.userId);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/me/tokens',
      tag: 'identity',
      summary: 'Create an API token',
      action: 'token.create',
      access: 'authenticated',
      response: issuedTokenSchema,
      body: z.object({ name: z.string().min(1).max(100), ttlDays: z.number().int().min(1).max(365).optional() }),
      async handler({ principal, body, audit }) {
        const t = await createApiToken(store, clock, principal!.userId, body.name, body.ttlDays ?? config.tokenTtlDays);
        audit.object = `token:${t.id}`;
        return { token: t.token, id: t.id, expiresAt: t.expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/me/tokens/:tokenId',
      tag: 'identity',
      summary: 'Revoke one of my API tokens',
      action: 'token.revoke',
      access: 'authenticated',
      params: z.object({ tokenId: z.string().min(1) }),
      response: noContent('The token is revoked (or was already)'),
      async handler({ principal, params }) {
        await revokeApiToken(store, principal!.userId, params.tokenId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users',
      tag: 'users',
      summary: 'All users',
      action: 'user.list',
      access: ['platform_admin'],
      response: z.array(userSchema),
      async handler() {
        return listUsers(store);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users',
      tag: 'users',
      summary: 'Create a user (privileged roles get a TOTP enrolment URI, shown once)',
      action: 'user.create',
      access: ['platform_admin'],
      response: createdUserSchema,
      body: z.object({
        id: userId,
        displayName: z.string().min(1).max(200),
        email: z.string().email().optional(),
        roles: z.array(roleSchema).min(1),
        password: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
        /** The operator chose the password: the user replaces it at the first login. */
        mustChangePassword: z.boolean().optional(),
        oidcSubject: z.string().min(1).optional(),
      }),
      async handler({ principal, body, audit }) {
        audit.object = `user:${body.id}`;
        audit.details = { roles: body.roles };
        return store.tx((q) => createUser(q, box, { ...body, oidcIssuer: config.oidcIssuer }, principal!.userId));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/:userId',
      tag: 'users',
      summary: 'One user',
      action: 'user.read',
      access: ['platform_admin'],
      response: userSchema,
      params: z.object({ userId }),
      async handler({ params }) {
        return getUser(store, params.userId);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/users/:userId',
      tag: 'users',
      summary: 'Change roles, name, password or disable a user',
      action: 'user.update',
      access: ['platform_admin'],
      params: z.object({ userId }),
      response: userSchema,
      body: z
        .object({
          displayName: z.string().min(1).max(200).optional(),
          email: z.string().email().optional(),
          disabled: z.boolean().optional(),
          roles: z.array(roleSchema).optional(),
          password: z.string().min(12, 'must be at least 12 characters').max(1024).optional(),
        })
        .strict(),
      async handler({ principal, params, body, audit }) {
        audit.details = { changed: Object.keys(body), roles: body.roles };
        // No one grants themselves a role (a platform admin making themselves an access administrator).
        if (body.roles !== undefined && params.userId === principal!.userId) {
          throw new NotAllowedError('you cannot change your own roles', { reason: 'own_roles' });
        }
        // Nor locks themselves out: another operator disables an operator.
        if (body.disabled === true && params.userId === principal!.userId) {
          throw new NotAllowedError('you cannot disable your own account', { reason: 'own_account', details: { field: 'disabled' } });
        }
        return store.tx((q) => updateUser(q, params.userId, body, principal!.userId));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:userId/password-reset',
      tag: 'users',
      summary: 'Reset a password: a new one-time password, answered once, that lets the user in only to choose their own',
      action: 'user.password.reset',
      access: ['platform_admin'],
      params: z.object({ userId }),
      response: passwordResetSchema,
      status: 200,
      async handler({ principal, params, audit }) {
        audit.object = `user:${params.userId}`;
        // One's own password is changed by logging in with it, not by resetting it past oneself.
        if (params.userId === principal!.userId) throw new NotAllowedError('you cannot reset your own password', { reason: 'own_account' });
        const reset = await store.tx((q) => resetPassword(q, params.userId, clock.now()));
        audit.details = { expiresAt: reset.expiresAt };
        return reset;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/:userId/totp',
      tag: 'users',
      summary: 'Enrol or reset the second factor; returns the otpauth URI once',
      action: 'user.totp.reset',
      access: ['platform_admin'],
      params: z.object({ userId }),
      response: totpResetSchema,
      async handler({ params }) {
        const user = await getUser(store, params.userId).catch(() => {
          throw new NotFoundError(`no user '${params.userId}'`);
        });
        return { user: user.id, totpUri: await resetTotp(store, box, user.id) };
      },
    }),
  ];
}
