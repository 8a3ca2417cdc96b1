/**
 * zod schemas of the check results, for the API's response types and its
 * OpenAPI document. The engines build plain objects; tests parse real results
 * with these so that the two cannot drift apart.
 */
import { z } from 'zod';

export const LabelSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const CellRefSchema = z.strictObject({ row: z.array(LabelSchema), col: z.array(LabelSchema) });

export const SecondaryCellSchema = z.strictObject({
  row: z.array(LabelSchema),
  col: z.array(LabelSchema),
  /** `margin`: the table's margins would give a blanked cell; `ledger`: an earlier release would; `limit`: too large to solve, blanked by the conservative rule. */
  reason: z.enum(['margin', 'ledger', 'limit']),
});

export const DifferencingFindingSchema = z.strictObject({
  earlier: z.string(),
  variables: z.array(z.string()),
  labels: z.array(LabelSchema),
  difference: z.number(),
});

/** What `tre outputs check-table --json` prints and the API returns: `{ status, table, rules }`. */
export const TableCheckReportSchema = z.strictObject({
  status: z.enum(['pass', 'review', 'fail']),
  table: z.strictObject({
    rowLabels: z.array(z.array(LabelSchema)),
    colLabels: z.array(z.array(LabelSchema)),
    values: z.array(z.array(LabelSchema)),
  }),
  rules: z.strictObject({
    threshold: z.array(CellRefSchema),
    zeros: z.array(CellRefSchema),
    nk: z.array(CellRefSchema),
    'p-ratio': z.array(CellRefSchema),
    dof: z.array(CellRefSchema),
    missing: z.array(CellRefSchema),
    negative: z.array(CellRefSchema),
    'all-values-are-same': z.array(CellRefSchema).optional(),
    suppressed: z.array(CellRefSchema).optional(),
    /** Cells blanked to protect the `suppressed` ones (secondary suppression), apart from them. */
    secondary: z.array(SecondaryCellSchema).optional(),
    differencing: z.array(DifferencingFindingSchema).optional(),
  }),
});

/** A scan's finding on a line: it quotes what it found (`value`), which is data of the file. */
export const QuotingFindingSchema = z.strictObject({
  check: z.enum(['national-id', 'pseudonym', 'small-count']),
  line: z.number().int(),
  value: z.string(),
  column: z.string().optional(),
});

/** A finding about the file as a whole; quotes nothing of it. `row-level` (a CSV of records) carries its number of rows. */
export const FileNoteSchema = z.strictObject({
  check: z.enum(['size', 'archive', 'unpack', 'uncheckable', 'budget', 'row-level']),
  message: z.string(),
  rows: z.number().int().nonnegative().optional(),
});

const FileFindingSchema = z.union([QuotingFindingSchema, FileNoteSchema]);

/** The fields of a file check result but its archive entries (each a result in turn). */
export const fileCheckShape = {
  name: z.string(),
  size: z.number().int(),
  sha256: z.string().optional(),
  type: z.strictObject({ kind: z.string(), mime: z.string() }),
  status: z.enum(['pass', 'manual-review', 'review', 'refused']),
  findings: z.array(FileFindingSchema),
  counts: z.record(z.string(), z.number()),
};

export type FileCheckReport = z.infer<z.ZodObject<typeof fileCheckShape>> & { entries?: FileCheckReport[] };

export const FileCheckResultSchema: z.ZodType<FileCheckReport> = z.strictObject({
  ...fileCheckShape,
  entries: z.array(z.lazy(() => FileCheckResultSchema)).optional(),
});
