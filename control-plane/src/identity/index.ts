export { authenticate, vouchFor } from './sessions.ts';
export { createUser, getUser, updateUser, type NewUser } from './accounts.ts';
export type { ApiToken, CreatedUser, IssuedToken, Me, PasswordReset, SessionLogin, TotpReset, User } from './schemas.ts';
export { identityRoutes } from './routes.ts';
export { totpNow } from './totp.ts';

export { oidcRoutes } from './oidc-routes.ts';
export { ensureFirstAdmin } from './bootstrap.ts';
export { idpAssertsMfa, OIDC_CLIENT_SECRET_NAME, safeReturnTo } from './oidc.ts';
