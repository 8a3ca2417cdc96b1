export { roleSchema, PRIVILEGED_ROLES, type Principal, type Role } from './roles.ts';
export { authenticate, createSession, createApiToken, sha256, vouchFor } from './sessions.ts';
export { createUser, getUser, listUsers, updateUser, type NewUser } from './accounts.ts';
export type { ApiToken, CreatedUser, IssuedToken, Me, SessionLogin, TotpReset, User } from './schemas.ts';
export { identityRoutes } from './routes.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { totpNow } from './totp.ts';
export { setSessionCookie } from './cookies.ts';
export { oidcRoutes } from './oidc-routes.ts';
