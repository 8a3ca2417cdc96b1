/**
 * Shapes the UI reads. Those of the server's contexts are the server's own types, inferred from
 * the zod schemas its routes declare as their responses (type-only imports: nothing of the server
 * reaches the bundle), so `npm run typecheck:web` fails when the UI reads a field the API does not
 * answer. Those of modules still being converted are read defensively (optional fields).
 */
export type {
  Application,
  CaseAttachment,
  CaseDetail,
  CaseEvent,
  Permit,
  Project,
  ProjectDetail,
  PublicProject,
  ScopeProblem,
} from '../../../src/projects/schemas.ts';
export type { CodeList, Variable as CatalogVariable } from '../../../src/catalog/model.ts';
export type {
  DatasetDetail as CatalogDataset,
  DatasetSummary as CatalogDatasetSummary,
  VariableHit,
  VersionDistribution as Distribution,
} from '../../../src/catalog/schemas.ts';
export type { ApiToken, CreatedUser, IssuedToken, Me, PasswordReset, SessionLogin, TotpReset, User } from '../../../src/identity/schemas.ts';
export type { ActivityCounts, AuditPage, AuditProjects, ProjectHistory, PublishedCheckpoint } from '../../../src/audit/schemas.ts';
export type { AuditEntry } from '../../../src/platform/audit.ts';
export type { ConsentRequest, OptOutStatus, ProjectUse } from '../../../src/citizens/schemas.ts';
export type { LeadQuestion, MyQuestion, ProjectPublications, PublicationHistory, ScreeningItem } from '../../../src/dialogue/schemas.ts';
export type { DummyAnswer, ExploreAnswer, ExploreCell } from '../../../src/explore/schemas.ts';
export type { CaseCell, CaseFigures, CaseStats, StageTimes } from '../../../src/case-stats/schemas.ts';
export type { MarkedRead, Notification, NotificationKind, NotificationPage, UnreadCount } from '../../../src/notifications/schemas.ts';

/*
 * Rooms, data copies and the airlock: the server's own types, inferred from the API's response
 * schemas (type-only imports: nothing of the server or of zod reaches the browser bundle). A UI
 * that reads a field the API does not answer fails `tsc -p control-plane/web/tsconfig.json`.
 */
export type { RoomHistoryEntry, RoomView as Room, UsageDay } from '../../../src/rooms/schemas.ts';
export type { CopyList, CopyManifest, CopyProgress, CopyRecord, ProofOfDeletion } from '../../../src/data-copies/schemas.ts';
export type {
  AirlockEvent,
  AirlockFile as ExportFile,
  ColumnSummary,
  EarlierApproval,
  FileChecks,
  FileDiff,
  FileDecision,
  OutputEntry,
  RequestDetail as ExportDetail,
  RequestSummary as ExportSummary,
  Review,
  ReviewAnswer,
  ReviewView,
  StagedFileView,
  TableCheckAnswer,
} from '../../../src/airlock/schemas.ts';
