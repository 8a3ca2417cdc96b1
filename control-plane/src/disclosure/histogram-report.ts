/**
 * The histogram and pie chart checks' specs and reports as zod (pure: the API contract and
 * the web UI's types). The engines (`histogram.ts`, `pie.ts`) build plain objects; tests
 * parse real reports with these.
 */
import { z } from 'zod';
import { LabelSchema } from './result-schemas.ts';

const columnName = z.string().min(1);

/**
 * `{column, bins, group}`, as pandas' `DataFrame.hist(column, by=group, bins=bins)` (which
 * ACRO's `hist` wraps): `bins` a count of equal-width bins over each group's minimum and
 * maximum (numpy's `histogram`), or the edges themselves, strictly increasing. Bins are
 * left-closed, the last one closed.
 */
export const HistogramSpecSchema = z.strictObject({
  column: columnName,
  bins: z.union([z.number().int().min(1), z.array(z.number().finite()).min(2)]).default(10),
  group: columnName.nullable().default(null),
});
export type HistogramSpec = z.infer<typeof HistogramSpecSchema>;

/** `{column}`, as ACRO's `pie(data, column)`: one slice per category of the column. */
export const PieSpecSchema = z.strictObject({ column: columnName });
export type PieSpec = z.infer<typeof PieSpecSchema>;

export const HistogramBinSchema = z.strictObject({
  lower: z.number(),
  upper: z.number(),
  count: z.number().int().nullable(),
  group: LabelSchema.optional(),
});
export type HistogramBin = z.infer<typeof HistogramBinSchema>;

/** A bin a rule flags: its index in its group's bins, and the group. */
export const BinRefSchema = z.strictObject({ bin: z.number().int(), group: LabelSchema.optional() });
export type BinRef = z.infer<typeof BinRefSchema>;

/** The figure rendered from the checked counts, present only when the check passed. */
export const PlotSchema = z.strictObject({ svg: z.string(), pngBase64: z.string() });
export type Plot = z.infer<typeof PlotSchema>;

const status = z.enum(['pass', 'review', 'fail']);

export const HistogramReportSchema = z.strictObject({
  status,
  column: z.string(),
  /** Values counted (present, finite and, if grouped, with a group). */
  nobs: z.number().int(),
  bins: z.array(HistogramBinSchema),
  rules: z.strictObject({
    /** Bins with records, fewer than the threshold (ACRO MinimumThresholdCheck). */
    threshold: z.array(BinRefSchema),
    /** Empty bins, when the policy holds zeros disclosive (ACRO PresenceOfZeroCheck). */
    zeros: z.array(BinRefSchema),
  }),
  /** Whether the outer edges are the data's own minimum and maximum (bins given as a count). */
  edgesFromData: z.boolean(),
  notes: z.array(z.string()),
  plot: PlotSchema.optional(),
});
export type HistogramReport = z.infer<typeof HistogramReportSchema>;

export const PieReportSchema = z.strictObject({
  status,
  column: z.string(),
  nobs: z.number().int(),
  /** Categories by count, largest first (ties by label), as pandas' `value_counts`. */
  slices: z.array(z.strictObject({ label: LabelSchema, count: z.number().int() })),
  rules: z.strictObject({ threshold: z.array(LabelSchema) }),
  notes: z.array(z.string()),
  plot: PlotSchema.optional(),
});
export type PieReport = z.infer<typeof PieReportSchema>;
