/**
 * The airlock API's contract: requests in both directions, their files with every check result,
 * the reviews as far as the viewer may see them, their history, a table check's answer and the
 * listing of `/outputs`. Server types are inferred from these schemas, and the web UI and the CLI
 * import the same types (type-only), so this module imports only zod and the other contexts'
 * pure schema modules: the browser build's type check reads it too.
 *
 * What a check quotes is data. Where an answer leaves the room for a member (see
 * `table-answer.ts`), the schemas say so: a failing table comes `withheld`, a finding without its
 * `value`. Reviewers and auditors get the full form.
 */
import { z } from 'zod';
import {
  FileCheckResultSchema,
  FileNoteSchema,
  fileCheckShape,
  QuotingFindingSchema,
  RegressionMethodSchema,
  RegressionReportSchema,
  RegressionSpecSchema,
  TableCheckReportSchema,
  type FileCheckReport,
  TableSpecSchema,
  HistogramReportSchema,
  HistogramSpecSchema,
  PieReportSchema,
  PieSpecSchema,
  SurvivalReportSchema,
  SurvivalSpecSchema,
} from '../disclosure/schemas.ts';
import { FileRulesSchema, ReviewRulesSchema, TableRulesSchema } from '../policies/schemas.ts';

export const directionSchema = z.enum(['export', 'import']);
export const requestStatusSchema = z.enum(['draft', 'in_review', 'approved', 'rejected', 'returned', 'withdrawn']);
export const decisionSchema = z.enum(['approve', 'reject', 'return']);
/** The airlock's verdict on a file or a request: its checks fold into these three. */
export const checkStatusSchema = z.enum(['pass', 'review', 'fail']);

export type Direction = z.infer<typeof directionSchema>;
export type RequestStatus = z.infer<typeof requestStatusSchema>;
export type Decision = z.infer<typeof decisionSchema>;
export type CheckStatus = z.infer<typeof checkStatusSchema>;

const isoTime = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

// --- Table requests (what a request names to have a table checked) ---

const copyFileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/, 'a file name of the data copy')
  .refine((n) => !n.includes('..'));

export const TableSourceSchema = z.union([z.strictObject({ copy: copyFileName }), z.strictObject({ output: z.string().min(1).max(1000) })]);
export type TableSourceRef = z.infer<typeof TableSourceSchema>;

export const TableRequestSchema = z.strictObject({
  source: TableSourceSchema,
  /** A table spec (see the disclosure engine's `TableSpecSchema`); validated by the engine so errors name the field. */
  spec: z.record(z.string(), z.unknown()),
});
export type TableRequest = z.infer<typeof TableRequestSchema>;

/** A table request as stored and answered: its spec is one the engine accepted. */
const checkedTableRequestSchema = z.strictObject({ source: TableSourceSchema, spec: TableSpecSchema });

// --- Check results ---

/** Where the checked table's records came from. */
export const tableCheckSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('copy'), version: z.number().int().positive(), file: z.string() }),
  z.strictObject({ kind: z.literal('output'), file: z.string(), sha256 }),
]);

/** A failing or review table seen outside the room: its verdict and how many cells each rule named. */
export const withheldTableSchema = z.strictObject({
  reason: z.literal('table_only_in_room'),
  detail: z.string(),
  findings: z.record(z.string(), z.number().int().nonnegative()),
});

/** Does the exported CSV hold the checked table? Numbers that it does not hold, by line (without the number outside the room). */
export const tableMatchSchema = z.strictObject({
  matches: z.boolean(),
  unmatched: z.array(z.union([z.strictObject({ line: z.number().int(), value: z.string() }), z.strictObject({ line: z.number().int() })])),
  unmatchedCount: z.number().int().nonnegative(),
});
export type TableMatch = z.infer<typeof tableMatchSchema>;

/** The table check of a staged file: the engine's report, its source, and whether the file holds that table. */
export const fileTableCheckSchema = TableCheckReportSchema.extend({
  source: tableCheckSourceSchema,
  match: tableMatchSchema.nullable(),
  withheld: withheldTableSchema.optional(),
});

// --- Checks by kind: regression, survival, histogram (the registry is `check-kinds.ts`) ---

/** What a check of a kind is asked: a source as a table check's, and the kind's spec (validated by its engine, so errors name the field). */
export const KindCheckRequestSchema = z.strictObject({
  source: TableSourceSchema,
  spec: z.record(z.string(), z.unknown()),
});
export type KindCheckRequest = z.infer<typeof KindCheckRequestSchema>;

/**
 * Why a report is not shown: outside the room, only a report that passes is (its numbers are data),
 * and of a file the room wrote (`{output: …}`) not even that: the room chose its content, so a
 * passing report of it says whatever the room wanted said (`table-answer.ts`).
 */
export const withheldCheckSchema = z.strictObject({ reason: z.literal('check_only_in_room'), detail: z.string() });

/** A regression that did not pass (or of a room's file), seen outside the room: its verdict and the rule, no estimate and no count. */
export const withheldRegressionSchema = z.strictObject({
  status: checkStatusSchema,
  method: RegressionMethodSchema,
  rules: z.strictObject({
    dof: z.strictObject({ threshold: z.number().int(), passed: z.boolean() }),
    levels: z.strictObject({ threshold: z.number().int(), passed: z.boolean() }).optional(),
  }),
  withheld: withheldCheckSchema,
});

/**
 * A survival, histogram or pie chart check that did not pass, seen outside the room: its verdict,
 * and for survival the rule that judged it; no step, bin, slice, count or plot (all are data).
 */
const withheldChartStatus = checkStatusSchema;
export const withheldSurvivalSchema = z.strictObject({
  status: withheldChartStatus,
  method: z.literal('kaplan-meier'),
  rule: z.enum(['pool', 'acro-1.0']),
  withheld: withheldCheckSchema,
});
export const withheldHistogramSchema = z.strictObject({ status: withheldChartStatus, column: z.string(), withheld: withheldCheckSchema });
export const withheldPieSchema = z.strictObject({ status: withheldChartStatus, column: z.string(), withheld: withheldCheckSchema });

/** Does the exported file hold what the airlock recomputed? For a regression: each coefficient the file names, to 1e-6 relative. */
export const kindMatchSchema = z.strictObject({
  matches: z.boolean(),
  /** Estimates of the report found in the file and compared. */
  compared: z.number().int().nonnegative(),
  /** Those that differ (or that the file lacks), by name; empty outside the room when the report is withheld. */
  mismatched: z.array(z.string()),
});
export type KindMatch = z.infer<typeof kindMatchSchema>;

/** A staged export file's check of a kind, recomputed at staging from the source and spec its request named. */
export const fileKindCheckSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('regression'),
    source: tableCheckSourceSchema,
    spec: RegressionSpecSchema,
    report: z.union([RegressionReportSchema, withheldRegressionSchema]),
    match: kindMatchSchema.nullable(),
  }),
  // A chart's file matches when it is, byte for byte, the plot rendered from the checked counts.
  z.strictObject({
    kind: z.literal('survival'),
    source: tableCheckSourceSchema,
    spec: SurvivalSpecSchema,
    report: z.union([SurvivalReportSchema, withheldSurvivalSchema]),
    match: kindMatchSchema.nullable(),
  }),
  z.strictObject({
    kind: z.literal('histogram'),
    source: tableCheckSourceSchema,
    spec: HistogramSpecSchema,
    report: z.union([HistogramReportSchema, withheldHistogramSchema]),
    match: kindMatchSchema.nullable(),
  }),
  z.strictObject({
    kind: z.literal('pie'),
    source: tableCheckSourceSchema,
    spec: PieSpecSchema,
    report: z.union([PieReportSchema, withheldPieSchema]),
    match: kindMatchSchema.nullable(),
  }),
]);
export type FileKindCheck = z.infer<typeof fileKindCheckSchema>;

/** A file check as a member sees it outside the room: the findings on a line without what they quote. */
export type WithheldFileCheck = Omit<FileCheckReport, 'findings' | 'entries'> & {
  findings: Array<z.infer<typeof FileNoteSchema> | Omit<z.infer<typeof QuotingFindingSchema>, 'value'>>;
  entries?: WithheldFileCheck[];
};
export const withheldFileCheckSchema: z.ZodType<WithheldFileCheck> = z.strictObject({
  ...fileCheckShape,
  findings: z.array(z.union([FileNoteSchema, QuotingFindingSchema.omit({ value: true })])),
  entries: z.array(z.lazy(() => withheldFileCheckSchema)).optional(),
});

/** Everything the airlock checked of one file. */
export const fileChecksSchema = z.strictObject({
  file: z.union([FileCheckResultSchema, withheldFileCheckSchema]),
  fileStatus: checkStatusSchema,
  /** Exports of a table only. */
  table: fileTableCheckSchema.nullable(),
  /** Exports that name the check of a kind (regression, …) that produced them; absent in requests staged before there were any. */
  check: fileKindCheckSchema.nullable().optional(),
});
export type FileChecks = z.infer<typeof fileChecksSchema>;

// --- Requests ---

/** The rules a request was checked under, as it was submitted. */
export const requestPolicySchema = z.strictObject({
  profile: z.string(),
  tables: TableRulesSchema,
  files: FileRulesSchema,
  review: ReviewRulesSchema,
  /** The policy files that made it, in the order applied. */
  sources: z.array(z.string()),
});

/** The notebook that produced a file, as the room's helper recorded it (`output-origin.ts`): room-written, a pointer only. */
export const fileOriginSchema = z.strictObject({ notebook: z.string(), record: z.string() });
export type FileOrigin = z.infer<typeof fileOriginSchema>;

export const airlockFileSchema = z.strictObject({
  /** `f1`, `f2`, … in the order requested. */
  id: z.string().regex(/^f\d{1,4}$/),
  /** Path under `/outputs` (exports) or the file name (imports). */
  name: z.string(),
  description: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256,
  /** The kind the content was detected as (`csv`, `text`, `image`, …). */
  contentType: z.string(),
  tableRequest: checkedTableRequestSchema.nullable(),
  checks: fileChecksSchema,
  checkStatus: checkStatusSchema,
  stagedAt: isoTime,
  /** Exports: the notebook the helper recorded for the file, if any. */
  origin: fileOriginSchema.nullable().optional(),
});
export type AirlockFile = z.infer<typeof airlockFileSchema>;

export const airlockRequestSchema = z.strictObject({
  id: z.string().regex(/^(exp|imp)_[0-9a-f]{12}$/),
  direction: directionSchema,
  projectId: z.string(),
  requestedBy: z.string(),
  purpose: z.string(),
  status: requestStatusSchema,
  version: z.number().int().positive(),
  previousId: z.string().nullable(),
  /** The resubmission that replaced this request, if any. */
  nextId: z.string().nullable(),
  approvalsRequired: z.number().int().positive(),
  policy: requestPolicySchema,
  checksStatus: checkStatusSchema,
  createdAt: isoTime,
  submittedAt: isoTime.nullable(),
  decidedAt: isoTime.nullable(),
});
export type AirlockRequest = z.infer<typeof airlockRequestSchema>;

/** One reviewer's decision on one staged file, with the comment that says why. */
export const fileDecisionSchema = z.strictObject({
  file: z.string().regex(/^f\d{1,4}$/),
  decision: decisionSchema,
  comment: z.string().nullable(),
});
export type FileDecision = z.infer<typeof fileDecisionSchema>;

export const reviewSchema = z.strictObject({
  reviewer: z.string(),
  decision: decisionSchema,
  reason: z.string().nullable(),
  overFailedCheck: z.boolean(),
  decidedAt: isoTime,
  /** Per-file decisions; absent for a review decided on the request as a whole. */
  files: z.array(fileDecisionSchema).optional(),
});
export type Review = z.infer<typeof reviewSchema>;

/** Sealed until the required reviewers have decided: who decided (oversight roles only: names), and the viewer's own decision. */
export const reviewViewSchema = z.discriminatedUnion('sealed', [
  z.strictObject({ sealed: z.literal(false), reviews: z.array(reviewSchema) }),
  z.strictObject({
    sealed: z.literal(true),
    required: z.number().int().positive(),
    decided: z.array(z.strictObject({ reviewer: z.string(), decided: z.literal(true), decidedAt: isoTime })),
    mine: reviewSchema.nullable(),
  }),
]);
export type ReviewView = z.infer<typeof reviewViewSchema>;

const stagedFileRef = z.strictObject({ id: z.string(), name: z.string(), sha256 });
const eventBase = { seq: z.number().int().positive(), at: isoTime, actor: z.string(), reason: z.string().nullable() };
const noDetails = z.strictObject({});

/** One entry of a request's history. A review's event says that someone decided, never what. */
export const airlockEventSchema = z.discriminatedUnion('event', [
  z.strictObject({
    ...eventBase,
    event: z.literal(['requested', 'resubmitted']),
    details: z.strictObject({ files: z.array(stagedFileRef), checks: checkStatusSchema, previous: z.string().optional() }),
  }),
  z.strictObject({ ...eventBase, event: z.literal(['opened', 'reviewed', 'withdrawn']), details: noDetails }),
  z.strictObject({ ...eventBase, event: z.literal('superseded'), details: z.strictObject({ next: z.string() }) }),
  z.strictObject({ ...eventBase, event: z.literal('file-added'), details: z.strictObject({ file: z.string(), name: z.string(), sha256 }) }),
  z.strictObject({ ...eventBase, event: z.literal('submitted'), details: z.strictObject({ checks: checkStatusSchema }) }),
  z.strictObject({ ...eventBase, event: z.literal(['approved', 'rejected', 'returned']), details: z.strictObject({ reviewers: z.array(z.string()) }) }),
  z.strictObject({ ...eventBase, event: z.literal('published'), details: z.strictObject({ folder: z.string() }) }),
  z.strictObject({ ...eventBase, event: z.literal('downloaded'), details: z.strictObject({ file: z.string(), sha256 }) }),
]);
export type AirlockEvent = z.infer<typeof airlockEventSchema>;

/** Where a request came from: the permit version in force and the data copy version at request time, and the copies its tables were checked on. */
export const requestProvenanceSchema = z.strictObject({
  permit: z.strictObject({ id: z.string(), version: z.number().int().positive() }).nullable(),
  copyVersion: z.number().int().positive().nullable(),
  tableCopyVersions: z.array(z.number().int().positive()),
});
export type RequestProvenance = z.infer<typeof requestProvenanceSchema>;

/** A request in full: its files with every check result, the reviews as far as visible, its history. */
export const requestDetailSchema = airlockRequestSchema.extend({
  provenance: requestProvenanceSchema,
  /** The project's title, so reviewers see what they decide on, not only an id. */
  projectTitle: z.string(),
  files: z.array(airlockFileSchema),
  reviews: reviewViewSchema,
  events: z.array(airlockEventSchema),
  /** Earlier versions, oldest first (ids), for resubmissions. */
  versions: z.array(z.string()),
});
export type RequestDetail = z.infer<typeof requestDetailSchema>;

/** One row of a list or queue; `decidedByMe` tells a reviewer whether they have decided. */
export const requestSummarySchema = airlockRequestSchema.omit({ policy: true }).extend({
  projectTitle: z.string(),
  reviewsIn: z.number().int().nonnegative(),
  decidedByMe: z.boolean(),
});
export type RequestSummary = z.infer<typeof requestSummarySchema>;
export const requestSummariesSchema = z.array(requestSummarySchema);

/** What a review answers: the request's status once it is in, and the request as the reviewer now sees it. */
export const reviewAnswerSchema = z.strictObject({
  /** Still `in_review` until enough reviewers have decided. */
  status: requestStatusSchema,
  decided: z.boolean(),
  detail: requestDetailSchema,
});
export type ReviewAnswer = z.infer<typeof reviewAnswerSchema>;

// --- The room's helper and the researcher's `/outputs` ---

/** `POST .../outputs/check-table`: the engine's report (withheld outside the room unless it passes) and what it was checked under. */
export const tableCheckAnswerSchema = TableCheckReportSchema.extend({
  withheld: withheldTableSchema.optional(),
  source: tableCheckSourceSchema,
  spec: TableSpecSchema,
  checkedAt: isoTime,
  checkedFor: z.string(),
  policy: z.strictObject({ profile: z.string(), sources: z.array(z.string()), tables: TableRulesSchema }),
});
export type TableCheckAnswer = z.infer<typeof tableCheckAnswerSchema>;

/** An entry of `/outputs`: names, sizes and times, never contents. */
export const outputEntrySchema = z.strictObject({
  /** Path below `/outputs`, `/`-separated. */
  path: z.string(),
  kind: z.enum(['file', 'symlink', 'other']),
  /** Regular files only; 0 for the rest. */
  sizeBytes: z.number().int().nonnegative(),
  modifiedAt: isoTime,
});
export type OutputEntry = z.infer<typeof outputEntrySchema>;
export const outputListSchema = z.array(outputEntrySchema);

// --- A staged file as its reviewers read it (`staged-view.ts`) ---

const viewCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A numeric column of a CSV or Parquet table, summarised as OpenSAFELY's airlock does for its reviewers. */
export const columnSummarySchema = z.strictObject({
  column: z.string(),
  min: z.number().nullable(),
  /** The smallest value that is not 0: the smallest count a reviewer must judge. */
  nonZeroMin: z.number().nullable(),
  sum: z.number().nullable(),
  /** Every non-missing value is a multiple of 5 (the values look rounded to 5). */
  roundedTo5: z.boolean(),
  missing: z.number().int().nonnegative(),
});
export type ColumnSummary = z.infer<typeof columnSummarySchema>;

const notebookOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), text: z.string(), truncated: z.boolean() }),
  z.strictObject({ kind: z.literal('error'), text: z.string() }),
  /** A raster image output (PNG, JPEG), base64 as the notebook holds it; the UI shows it as an image, nothing else. */
  z.strictObject({ kind: z.literal('image'), mime: z.enum(['image/png', 'image/jpeg', 'image/gif']), base64: z.string() }),
  /** An output with no plain-text or raster form (HTML, JavaScript, SVG, widgets): named, never shown. */
  z.strictObject({ kind: z.literal('omitted'), mimes: z.array(z.string()) }),
]);

/** What the server parsed of a staged file for its reviewers: bounded, never the file's own markup. */
export const stagedFileViewSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('table'),
    format: z.enum(['csv', 'parquet']),
    columns: z.array(z.strictObject({ name: z.string(), type: z.string() })),
    rows: z.array(z.array(viewCell)),
    totalRows: z.number().int().nonnegative(),
    truncated: z.boolean(),
    summary: z.array(columnSummarySchema),
  }),
  z.strictObject({ kind: z.literal('text'), text: z.string(), truncated: z.boolean() }),
  z.strictObject({
    kind: z.literal('notebook'),
    cells: z.array(z.strictObject({ type: z.string(), source: z.string(), outputs: z.array(notebookOutputSchema) })),
    truncated: z.boolean(),
  }),
  /** Shown from the file's content route as an image. */
  z.strictObject({ kind: z.literal('image'), mime: z.string() }),
  z.strictObject({ kind: z.literal('none'), detail: z.string() }),
]);
export type StagedFileView = z.infer<typeof stagedFileViewSchema>;

/** How a staged file differs from the same output approved earlier: cell by cell for tables of one shape, else line by line. */
export const fileDiffSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('identical') }),
  z.strictObject({
    kind: z.literal('cells'),
    /** Changed cells: data row (1-based, below the header) and column name, before and after. */
    changed: z.array(z.strictObject({ row: z.number().int().positive(), column: z.string(), before: z.string(), after: z.string() })),
    truncated: z.boolean(),
  }),
  z.strictObject({
    kind: z.literal('lines'),
    lines: z.array(z.strictObject({ op: z.enum(['same', 'add', 'del']), text: z.string() })),
    truncated: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('not-compared'), detail: z.string() }),
]);

/**
 * The same output approved before (a routine re-run on a new copy version): same file name and
 * table spec in an earlier approved export of the project. Its decision, what its reviewers said
 * of it, and how this file differs from it.
 */
export const earlierApprovalSchema = z.strictObject({
  earlier: z
    .strictObject({
      exportId: z.string(),
      fileId: z.string(),
      decidedAt: isoTime.nullable(),
      copyVersions: z.array(z.number().int().positive()),
      reviews: z.array(z.strictObject({ reviewer: z.string(), decision: decisionSchema, reason: z.string().nullable(), file: fileDecisionSchema.nullable() })),
      diff: fileDiffSchema,
    })
    .nullable(),
});
export type EarlierApproval = z.infer<typeof earlierApprovalSchema>;
export type FileDiff = z.infer<typeof fileDiffSchema>;
const kindAnswerMeta = {
  source: tableCheckSourceSchema,
  checkedAt: isoTime,
  checkedFor: z.string(),
  policy: z.strictObject({ profile: z.string(), sources: z.array(z.string()) }),
};

/** `POST .../outputs/check-regression`: the report (withheld outside the room unless it passes) and what it was checked under. */
export const regressionCheckAnswerSchema = z.union([
  RegressionReportSchema.extend({ ...kindAnswerMeta, spec: RegressionSpecSchema }),
  withheldRegressionSchema.extend({ ...kindAnswerMeta, spec: RegressionSpecSchema }),
]);
export type RegressionCheckAnswer = z.infer<typeof regressionCheckAnswerSchema>;

/** `POST .../outputs/check-survival`: the Kaplan–Meier report (withheld outside the room unless it passes) and what it was checked under. */
export const survivalCheckAnswerSchema = z.union([
  SurvivalReportSchema.extend({ ...kindAnswerMeta, spec: SurvivalSpecSchema }),
  withheldSurvivalSchema.extend({ ...kindAnswerMeta, spec: SurvivalSpecSchema }),
]);
/** `POST .../outputs/check-histogram`: the bins and, when it passes, the plot rendered from them. */
export const histogramCheckAnswerSchema = z.union([
  HistogramReportSchema.extend({ ...kindAnswerMeta, spec: HistogramSpecSchema }),
  withheldHistogramSchema.extend({ ...kindAnswerMeta, spec: HistogramSpecSchema }),
]);
/** `POST .../outputs/check-pie`: the slices and, when it passes, the chart rendered from them. */
export const pieCheckAnswerSchema = z.union([
  PieReportSchema.extend({ ...kindAnswerMeta, spec: PieSpecSchema }),
  withheldPieSchema.extend({ ...kindAnswerMeta, spec: PieSpecSchema }),
]);
