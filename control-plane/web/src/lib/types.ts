/** Shapes the UI reads. Those of modules still being built are read defensively (optional fields). */
export interface Project {
  id: string;
  title: string;
  purpose: string;
  dataControllers: string[];
  legalBasis: string;
  ethicsRef: string | null;
  period: { from: string; to: string };
  status: 'applied' | 'active' | 'rejected' | 'closed';
  createdBy: string;
  createdAt: string;
}

export interface Permit {
  id: string;
  version: number;
  projectId: string;
  caseType: string;
  datasets: { dataset: string; variables: string[] }[];
  period: { from: string; to: string };
  cohort: Record<string, unknown>;
  linkageAllowed: boolean;
  authorisedPersons: string[];
  legalBasis: string;
  optOutHonoured: boolean;
  expiresAt: string;
  issuedBy: string;
  issuedAt: string;
  reason: string;
}

export interface ProjectDetail extends Project {
  members: { userId: string; displayName: string; role: 'lead' | 'researcher' }[];
  permit: Permit | null;
}

export interface Application {
  id: string;
  projectId: string;
  kind: 'new' | 'amendment';
  caseType: string;
  body: {
    project?: { title: string; purpose: string; legalBasis: string; ethicsRef?: string; dataControllers: string[]; period: { from: string; to: string } };
    justification?: string;
    datasets: { dataset: string; variables: string[] }[];
    period: { from: string; to: string };
    cohort?: Record<string, unknown>;
    linkage?: boolean;
    members?: { userId: string; role: string }[];
  };
  status: 'submitted' | 'approved' | 'rejected' | 'withdrawn';
  submittedBy: string;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

export interface CatalogVariable {
  name: string;
  type: string;
  label: string;
  description?: string;
  unit?: string | null;
  codeList?: string | null;
  class?: string;
}

export interface CatalogDataset {
  name: string;
  title: string;
  description?: string;
  dataController?: string;
  /** A number (count) in the dataset list, the variables in one dataset. */
  variables?: CatalogVariable[];
  fair?: { score: number; missing?: string[] };
}

/*
 * Rooms, data copies and the airlock: the server's own types, inferred from the API's response
 * schemas (type-only imports: nothing of the server or of zod reaches the browser bundle). A UI
 * that reads a field the API does not answer fails `tsc -p control-plane/web/tsconfig.json`.
 */
export type { RoomView as Room, UsageDay } from '../../../src/rooms/schemas.ts';
export type { CopyList, CopyManifest, CopyProgress, CopyRecord, ProofOfDeletion } from '../../../src/data-copies/schemas.ts';
export type {
  AirlockEvent,
  AirlockFile as ExportFile,
  FileChecks,
  OutputEntry,
  RequestDetail as ExportDetail,
  RequestSummary as ExportSummary,
  Review,
  ReviewAnswer,
  ReviewView,
  TableCheckAnswer,
} from '../../../src/airlock/schemas.ts';
