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
  variables?: CatalogVariable[];
  fairScore?: number | { score?: number };
}

export interface Room {
  id: string;
  projectId: string;
  userId?: string;
  owner?: string;
  state: string;
  driver?: string;
  reason?: string | null;
  url?: string;
  createdAt?: string;
  startedAt?: string | null;
  lastActivityAt?: string | null;
}

export interface ExportFile {
  name?: string;
  path?: string;
  sha256?: string;
  size?: number;
  description?: string;
  checks?: { status?: string; kind?: string; findings?: unknown[]; table?: unknown; [k: string]: unknown } | null;
  status?: string;
}

export interface ExportRequest {
  id: string;
  projectId: string;
  status: string;
  purpose?: string;
  requestedBy?: string;
  createdAt?: string;
  files?: ExportFile[];
  reviews?: { reviewer?: string; decision?: string | null; reason?: string | null; decided?: boolean; at?: string }[];
  approvalsNeeded?: number;
}
