export { createAuditService, type GroupCommitAudit } from './service.ts';
export { entryHash, entryPreimage, canonicalJson, GENESIS_HASH } from './hash.ts';
export { auditModule } from './module.ts';
export { exportLine, verifyExport, type ExportVerification } from './export-verify.ts';
export { verifyCheckpoint, parsePublicKey, type Checkpoint } from './checkpoint.ts';
export { verifyEntryInclusion, verifyCheckpointConsistency } from './merkle-proof.ts';
export type { CheckpointPublisher, PublishedCheckpoint } from './checkpoint-publish.ts';
