/**
 * Approved data copies: synthetic demo registers, checked intake of deliveries, per-permit
 * extracts with project pseudonyms, and closing with proof of deletion.
 */
export { generateRegisters, sha256File, GenerateOptionsSchema, type GenerateOptions, type GenerateResult, type GeneratedFile, type Progress } from './generator.ts';
export { isValidFnr, birthDateOfFnr, sexOfFnr } from './fnr.ts';
export { newPseudonymKey, keyFingerprint, pseudonymOf, PseudonymSchemeSchema, type PseudonymScheme } from './pseudonym.ts';
export {
  ExtractScopeSchema,
  CohortCriterionSchema,
  cohortFromPermit,
  scopeFromPermit,
  type PermitLike,
  type ExtractScope,
  type ExtractScopeInput,
  type CohortCriterion,
  type SourceFile,
} from './extract-scope.ts';
export { createExtract, type ExtractDeps, type ExtractInput, type ExtractResult } from './extract.ts';
export { PersonList } from './person-log.ts';
export { verifyCopy, CopyManifestSchema, type CopyManifest, type CopyFile, type CopyCheck } from './extract-manifest.ts';
export {
  intakeDelivery,
  sweepIntakeLeftovers,
  checkDeliveredName,
  DeliveryManifestSchema,
  type DeliveryManifest,
  type DeliveryError,
  type IntakeDeps,
  type IntakeInput,
  type IntakeResult,
} from './intake.ts';
export { deleteProjectCopies, proofIsIntact, type ClosingDeps, type ClosingInput, type ProofOfDeletion } from './closing.ts';
export { recordCopy, listCopies, recordCopiesDeleted, copiesOfPerson, type CopyRecord } from './store.ts';
export { lit, openDuck, rowsOf } from './duckdb.ts';
export { createDataCopiesModule, dataCopiesModule, type DataCopiesModule } from './module.ts';
export { makeCopy, sweepExtractLeftovers } from './reconcile-copy.ts';
export { copiesConfigSection, type CopiesOptionsInput } from './reconcile-options.ts';
