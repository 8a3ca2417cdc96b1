/**
 * A table request, as a researcher (or the room's Python helper) sends it:
 * the same vocabulary as pandas' `crosstab` / `pivot_table`, which ACRO wraps.
 */
import { z } from 'zod';
import { InputError } from '../errors/index.ts';

export const AGGFUNCS = ['count', 'mean', 'sum', 'median', 'std', 'min', 'max', 'mode'] as const;
export type AggFunc = (typeof AGGFUNCS)[number];

const columnName = z.string().min(1);

export const TableSpecSchema = z.strictObject({
  method: z.enum(['crosstab', 'pivot_table']),
  index: z.array(columnName).min(1),
  columns: z.array(columnName),
  values: columnName.nullable(),
  /** Names are checked against AGGFUNCS after parsing, so the error names the unknown one. */
  aggfunc: z.union([z.string(), z.array(z.string()).min(1)]).nullable(),
  margins: z.boolean(),
});
export type TableSpec = z.infer<typeof TableSpecSchema>;

/** A spec after validation: aggfuncs as a list (`[null]` for a frequency table). */
export interface NormalizedSpec {
  method: TableSpec['method'];
  index: string[];
  columns: string[];
  values: string | null;
  aggfuncs: Array<AggFunc | null>;
  /** aggfunc given as a list: column labels start with the aggfunc name. */
  labelledByAggfunc: boolean;
  margins: boolean;
}

/** Validates a spec's shape and meaning (not yet its columns: see `checkColumns`). */
export function parseTableSpec(input: unknown): NormalizedSpec {
  const parsed = TableSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new InputError(`invalid table spec: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, {
      reason: 'invalid_table_spec',
      details: { field },
    });
  }
  const spec = parsed.data;
  const names = spec.aggfunc === null ? [] : Array.isArray(spec.aggfunc) ? spec.aggfunc : [spec.aggfunc];
  for (const name of names) {
    if (!(AGGFUNCS as readonly string[]).includes(name)) {
      throw new InputError(`unknown aggfunc '${name}'; known: ${AGGFUNCS.join(', ')}`, {
        reason: 'unknown_aggfunc',
        details: { field: 'aggfunc', aggfunc: name },
      });
    }
  }
  if (new Set(names).size !== names.length) throw specError('aggfunc', 'aggfunc names repeat');
  if (new Set([...spec.index, ...spec.columns]).size !== spec.index.length + spec.columns.length) {
    throw specError('index', 'a column appears twice in index and columns');
  }
  if (spec.values !== null && [...spec.index, ...spec.columns].includes(spec.values)) {
    throw specError('values', `values column '${spec.values}' is also a grouping column`);
  }
  let aggfuncs: Array<AggFunc | null>;
  if (spec.values === null) {
    if (names.length > 0) throw specError('aggfunc', 'an aggfunc needs a values column');
    aggfuncs = [null];
  } else if (names.length === 0) {
    // pandas: crosstab refuses values without aggfunc; pivot_table defaults to mean.
    if (spec.method === 'crosstab') throw specError('aggfunc', 'values without an aggfunc');
    aggfuncs = ['mean'];
  } else {
    aggfuncs = names as AggFunc[];
  }
  if (spec.method === 'crosstab' && spec.columns.length === 0) throw specError('columns', 'a crosstab needs at least one column variable');
  return {
    method: spec.method,
    index: spec.index,
    columns: spec.columns,
    values: spec.values,
    aggfuncs,
    // pandas prefixes the aggfunc name whenever aggfunc is a list, even of one.
    labelledByAggfunc: Array.isArray(spec.aggfunc),
    margins: spec.margins,
  };
}

function specError(field: string, message: string): InputError {
  return new InputError(`invalid table spec: ${field}: ${message}`, { reason: 'invalid_table_spec', details: { field } });
}
