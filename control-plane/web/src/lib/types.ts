/**
 * Shapes the UI reads. Those of the server's contexts are the server's own types, inferred from
 * the zod schemas its routes declare as their responses (type-only imports: nothing of the server
 * reaches the bundle), so `npm run typecheck:web` fails when the UI reads a field the API does not
 * answer. Those of modules still being converted are read defensively (optional fields).
 */
export type { Application, Permit, Project, ProjectDetail, PublicProject } from '../../../src/projects/schemas.ts';
export type { CodeList, Variable as CatalogVariable } from '../../../src/catalog/model.ts';
export type {
  DatasetDetail as CatalogDataset, DatasetSummary as CatalogDatasetSummary, VariableHit, VersionDistribution as Distribution,
} from '../../../src/catalog/schemas.ts';
export type { ApiToken, CreatedUser, IssuedToken, Me, SessionLogin, TotpReset, User } from '../../../src/identity/schemas.ts';
export type { ActivityCounts, AuditPage, ProjectHistory, PublishedCheckpoint } from '../../../src/audit/schemas.ts';
export type { AuditEntry } from '../../../src/audit/types.ts';
export type { OptOutStatus, ProjectUse } from '../../../src/citizens/schemas.ts';

export interface Room {
  id: string;
  projectId: string;
  owner?: string;
  driver?: string;
  program?: string;
  state: string;
  wanted?: string;
  url?: string;
  failureReason?: string | null;
  failureMessage?: string | null;
  stopReason?: string | null;
  createdAt?: string;
  runningAt?: string | null;
  stoppedAt?: string | null;
  lastActivityAt?: string | null;
  ageSeconds?: number;
  idleSeconds?: number | null;
}

/** The airlock's check of one file: the file scan and, for a table, the cell-by-cell check. */
export interface FileChecks {
  file?: { status?: string; type?: { kind?: string }; findings?: { check: string; message?: string; line?: number; column?: number }[] } | null;
  fileStatus?: string;
  table?: ({ status: string; table: unknown; rules: unknown; match?: { matches: boolean } | null } & Record<string, unknown>) | null;
}

export interface ExportFile {
  id: string;
  name: string;
  description: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
  checks: FileChecks | null;
  checkStatus: string;
}

export interface Review { reviewer: string; decision: string; reason: string | null; overFailedCheck?: boolean; decidedAt: string }

export type ReviewView =
  | { sealed: false; reviews: Review[] }
  | { sealed: true; required: number; decided: { reviewer: string; decided: true; decidedAt: string }[]; mine: Review | null };

export interface ExportSummary {
  id: string;
  projectId: string;
  requestedBy: string;
  purpose: string;
  status: string;
  version: number;
  previousId: string | null;
  nextId: string | null;
  approvalsRequired: number;
  checksStatus: string;
  createdAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  reviewsIn?: number;
  decidedByMe?: boolean;
}

export interface ExportDetail extends ExportSummary {
  files: ExportFile[];
  reviews: ReviewView;
  events: { seq: number; at: string; actor: string; event: string; reason: string | null }[];
  versions: string[];
}
