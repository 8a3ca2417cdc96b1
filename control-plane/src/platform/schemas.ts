/** The kernel's part of the API contract: roles and the audit entry's shape. Pure (zod and types only). */
export { type Principal, type Role, roleSchema } from './roles.ts';
export type { AuditEntry, AuditOutcome } from './audit.ts';
