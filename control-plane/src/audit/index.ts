export type { AuditEntry, AuditEntryInput, AuditOutcome, AuditService } from './types.ts';
export { createAuditService, type GroupCommitAudit } from './service.ts';
export { entryHash, entryPreimage, canonicalJson, GENESIS_HASH } from './hash.ts';
