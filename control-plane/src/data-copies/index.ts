/**
 * Approved data copies: synthetic demo registers, checked intake of deliveries, per-permit
 * extracts with project pseudonyms, and closing with proof of deletion.
 */
export { generateRegisters, type GenerateOptions, type GenerateResult, type GeneratedFile, type Progress } from './generator.ts';
export { isValidFnr } from './fnr.ts';
export { newPseudonymKey, type PseudonymScheme } from './pseudonym.ts';
export type {
  PermitLike,
  ExtractScope,
  ExtractScopeInput,
  CohortCriterion,
  SourceFile,
} from './extract-scope.ts';
export { createExtract, type ExtractDeps, type ExtractInput, type ExtractResult } from './extract.ts';
export { verifyCopy, type CopyManifest, type CopyFile, type CopyCheck } from './extract-manifest.ts';
export type {
  DeliveryError,
  IntakeDeps,
  IntakeInput,
  IntakeResult,
} from './intake.ts';
export { proofIsIntact, type ClosingDeps, type ClosingInput, type ProofOfDeletion } from './closing.ts';
export { listCopies, type CopyRecord } from './store.ts';
export type { CopyList, CopyProgress, DeliveryAnswer, IntakeProgress } from './schemas.ts';
export { openDuck } from './duckdb.ts';
export { cohortFromPermit, cohortSql, fnrBirthYearSql } from './extract-scope.ts';
export { lit, rowsOf } from './duckdb.ts';
export { createDataCopiesModule, dataCopiesModule, type DataCopiesModule } from './module.ts';
export { makeCopy, sweepExtractLeftovers, type NewCopyReason } from './reconcile-copy.ts';
export { copiesConfigSection, type CopiesOptionsInput } from './reconcile-options.ts';
