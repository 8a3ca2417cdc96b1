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
