/**
 * The platform's kernel: what every bounded context may use and none owns. The clock and logger
 * passed in as dependencies, the data directory's layout, who is calling (`Principal`, `Role`) and
 * the audit service's contract (implemented by `audit/`). Imports no other folder, so every folder
 * may import it.
 */

export type { AuditEntry, AuditEntryInput, AuditOutcome, AuditService } from './audit.ts';
export { type Clock, manualClock, systemClock } from './clock.ts';
export { createLogger, type Logger, silentLogger } from './logger.ts';
export { platformPaths, type PlatformPaths } from './paths.ts';
export { type Principal, PRIVILEGED_ROLES, type Role, roleSchema } from './roles.ts';
export { trimTrailingSlashes } from './trim.ts';
