/**
 * The airlock: exports out of project rooms and imports into them. Requests stage files
 * immutably with their sha256, the output checks run under the project's policy, access
 * administrators who are not members review independently, and only approved, hash-verified
 * files are released (exports: downloads by the requester or project lead while the permit is
 * in force; imports: read-only under the rooms' `/imports`).
 */
import { defineModule, type PlatformModule } from '../module-api/index.ts';
import type { AirlockDeps } from './export-requests.ts';
import { checkKindRoutes } from './check-kind-routes.ts';
import { exportRoutes } from './export-routes.ts';
import { importRoutes } from './import-routes.ts';
import { outputsRoutes } from './outputs-routes.ts';
import { loadPolicies } from './project-policy.ts';

export interface AirlockModuleOptions {
  /** The policy directory (default: the repository's `policies/`). */
  policyDir?: string;
}

export function airlockModuleWith(opts: AirlockModuleOptions = {}) {
  return defineModule('airlock', async (deps): Promise<PlatformModule> => {
    const policies = await loadPolicies(opts.policyDir);
    const airlock: AirlockDeps = { store: deps.store, clock: deps.clock, logger: deps.logger, paths: deps.paths, policies };
    return {
      name: 'airlock',
      routes: [...exportRoutes(airlock), ...checkKindRoutes(airlock), ...importRoutes(airlock), ...outputsRoutes(airlock)],
    };
  });
}

/** The airlock with the repository's policies: the default of its slot (`server/modules.ts`). */
export const airlockModule = airlockModuleWith();

export type { AirlockDeps, ExportInput } from './export-requests.ts';
export { checkTableRequest, type TableRequest } from './table-requests.ts';
export type { CheckKind, CheckKindName } from './check-kinds.ts';
export type { KindCheckResult } from './check-kind-run.ts';
export { createTableScratch, tableScratch, type TableScratch } from './table-scratch.ts';
export type { AirlockFileCheck, CheckStatus } from './file-requests.ts';
export type {
  AirlockEvent,
  AirlockFile,
  AirlockRequest,
  FileChecks,
  OutputEntry,
  RequestDetail,
  RequestStatus,
  RequestSummary,
  Review,
  ReviewAnswer,
  ReviewView,
  RegressionCheckAnswer,
  TableCheckAnswer,
} from './schemas.ts';
export { tableAnswerFor } from './table-answer.ts';
