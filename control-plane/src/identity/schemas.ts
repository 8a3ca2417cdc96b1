/** What the identity routes answer: users, API tokens, logins and who is calling. */
import { z } from 'zod';
import { roleSchema } from '../platform/schemas.ts';

const timestamp = z.iso.datetime();

export const userSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    roles: z.array(roleSchema),
    disabled: z.boolean(),
    hasPassword: z.boolean(),
    hasTotp: z.boolean(),
    /** The password was set or reset by an operator: the next login must choose a new one. */
    mustChangePassword: z.boolean(),
    oidcSubject: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'User', description: 'An account; its secrets (password hash, TOTP seed, person) are never answered' });
export type User = z.infer<typeof userSchema>;

export const apiTokenSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: timestamp, expiresAt: timestamp, revokedAt: timestamp.nullable(), lastUsedAt: timestamp.nullable() })
  .meta({ id: 'ApiToken', description: 'An API token as its owner may list it: never the token itself' });
export type ApiToken = z.infer<typeof apiTokenSchema>;

/** A new API token: the only time its secret is answered. */
export const issuedTokenSchema = z.object({ token: z.string(), id: z.string(), expiresAt: timestamp }).meta({ id: 'IssuedToken' });
export type IssuedToken = z.infer<typeof issuedTokenSchema>;

export const sessionLoginSchema = z.object({ user: userSchema, csrfToken: z.string(), expiresAt: timestamp }).meta({ id: 'SessionLogin' });
export type SessionLogin = z.infer<typeof sessionLoginSchema>;

const membershipSchema = z.object({ projectId: z.string(), title: z.string(), role: z.enum(['lead', 'researcher']) });

export const meSchema = userSchema
  .extend({
    memberships: z.array(membershipSchema),
    /** The browser session's CSRF token; null when calling with an API token. */
    csrfToken: z.string().nullable(),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof meSchema>;

/** A created user, with the otpauth URI to enrol the second factor (privileged roles only), shown once. */
export const createdUserSchema = z.object({ user: userSchema, totpUri: z.string().nullable() }).meta({ id: 'CreatedUser' });
export type CreatedUser = z.infer<typeof createdUserSchema>;

export const totpResetSchema = z.object({ user: z.string(), totpUri: z.string() });
export type TotpReset = z.infer<typeof totpResetSchema>;

/** A reset password: shown once, to the operator who hands it to the user; it lets them in only to choose their own. */
export const passwordResetSchema = z
  .object({ user: userSchema, oneTimePassword: z.string(), expiresAt: timestamp })
  .meta({ id: 'PasswordReset', description: 'The one-time password of a reset, answered this once and never stored in clear' });
export type PasswordReset = z.infer<typeof passwordResetSchema>;
