export { authenticate, createSession, createApiToken, sha256, vouchFor } from './sessions.ts';
export { createUser, getUser, listUsers, updateUser, type User, type NewUser } from './accounts.ts';
export { identityRoutes } from './routes.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { totpNow } from './totp.ts';
export { setSessionCookie } from './cookies.ts';
export { oidcRoutes } from './oidc-routes.ts';
export { ensureFirstAdmin } from './bootstrap.ts';
export { idpAssertsMfa, OIDC_CLIENT_SECRET_NAME, safeReturnTo } from './oidc.ts';
