/**
 * `checkPie`: ACRO 1.0.1's `pie(data, column)`: the count of each category of a column
 * (`value_counts`: missing values left out), each judged by MinimumThresholdCheck (a slice
 * of fewer than `tables.threshold` records fails). Its PresenceOfZeroCheck looks at the
 * same counts, which are never zero for categories that occur, so it is not repeated here.
 * ACRO notes that missing categories (levels with no records, which a pie cannot show)
 * need a look; the report says so. Where it passes, the chart is rendered from the counts.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors/index.ts';
import { DEFAULT_HISTOGRAM_RULES, type TableRules } from '../policies/index.ts';
import { PieSpecSchema, type PieReport, type PieSpec } from './histogram-report.ts';
import { renderPie } from './plot-render.ts';
import { quoteIdent, resolveSource, toJsonValue, type TableSource } from './table-source.ts';

export interface PieCheckRequest {
  source: TableSource;
  spec: unknown;
  rules: TableRules;
  quoteSource?: boolean;
}

export function parsePieSpec(input: unknown): PieSpec {
  const parsed = PieSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new InputError(`invalid pie spec: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, { reason: 'invalid_pie_spec', details: { field } });
  }
  return parsed.data;
}

export async function checkPie(conn: DuckDBConnection, req: PieCheckRequest): Promise<PieReport> {
  const { column } = parsePieSpec(req.spec);
  const limit = (req.rules.histograms ?? DEFAULT_HISTOGRAM_RULES).maxSlices;
  const quote = req.quoteSource ?? true;
  const source = await resolveSource(conn, req.source, quote);
  const type = source.columns.get(column);
  if (type === undefined) {
    const has = quote ? `; the data has: ${[...source.columns.keys()].join(', ')}` : '';
    throw new InputError(`unknown column '${column}' in column${has}`, { reason: 'unknown_column', details: { field: 'column', column } });
  }
  if (/[[\]()]|^(STRUCT|MAP|UNION|LIST)/.test(type) && !type.startsWith('DECIMAL')) {
    throw new InputError(`column '${column}' (${type}) cannot make a pie chart: its values are not single values`, {
      reason: 'non_scalar_column',
      details: { field: 'column', column },
    });
  }
  const c = quoteIdent(column);
  const sql = `SELECT ${c}, count(*)::DOUBLE AS n FROM ${source.relation} WHERE ${c} IS NOT NULL GROUP BY ALL ORDER BY n DESC, ${c} LIMIT ${limit + 1}`;
  const rows = (await conn.runAndReadAll(sql)).getRows();
  if (rows.length > limit) {
    throw new InputError(`the column has more than ${limit} categories, the policy's limit (tables.histograms.maxSlices)`, {
      reason: 'too_many_slices',
      details: { field: 'column', limit },
    });
  }
  const slices = rows.map(([label, n]) => ({ label: toJsonValue(label), count: Number(n) }));
  const threshold = slices.filter((s) => s.count < req.rules.threshold).map((s) => s.label);
  const status = slices.length === 0 || threshold.length > 0 ? 'fail' : 'pass';
  const notes = ['check that categories with no records (which a pie chart cannot show) are not disclosive'];
  if (slices.length === 0) notes.push(`no values in column '${column}'`);
  const report: PieReport = { status, column, nobs: slices.reduce((a, s) => a + s.count, 0), slices, rules: { threshold }, notes };
  if (status === 'pass') report.plot = renderPie(column, slices);
  return report;
}
