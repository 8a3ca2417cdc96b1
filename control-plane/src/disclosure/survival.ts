/**
 * `checkSurvival`: a Kaplan–Meier table computed in DuckDB from a CSV/Parquet file (or a
 * table of the connection) and judged by the policy's survival rule (`survival-rules.ts`).
 * DuckDB reads the records and reduces them to one row per (group, time) with its events
 * and records; only those rows (at most `tables.survival.maxSteps`) reach JavaScript, so
 * the cost is bounded by the policy whatever the file holds. The caller bounds the time
 * (interrupting the connection, as table checks are).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors/index.ts';
import { DEFAULT_SURVIVAL_RULES, type TableRules } from '../policies/index.ts';
import { judgeSurvival, type TimeCount } from './survival-rules.ts';
import { SurvivalSpecSchema, type SurvivalReport, type SurvivalSpec } from './survival-report.ts';
import { isNumericType, quoteIdent, resolveSource, toJsonValue, type TableSource } from './table-source.ts';
import type { Label } from './table-stats.ts';

export interface SurvivalCheckRequest {
  source: TableSource;
  /** `{duration, event, group}`, validated here (`SurvivalSpecSchema`). */
  spec: unknown;
  rules: TableRules;
  /** Whether errors may quote the source (column names, DuckDB's messages): false for a room's file. */
  quoteSource?: boolean;
}

export function parseSurvivalSpec(input: unknown): SurvivalSpec {
  const parsed = SurvivalSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new InputError(`invalid survival spec: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, {
      reason: 'invalid_survival_spec',
      details: { field },
    });
  }
  const spec = parsed.data;
  const names = [spec.duration, spec.event, ...(spec.group === null ? [] : [spec.group])];
  if (new Set(names).size !== names.length) throw specError('event', 'duration, event and group must be three different columns');
  return spec;
}

const specError = (field: string, message: string) =>
  new InputError(`invalid survival spec: ${field}: ${message}`, { reason: 'invalid_survival_spec', details: { field } });

export async function checkSurvival(conn: DuckDBConnection, req: SurvivalCheckRequest): Promise<SurvivalReport> {
  const spec = parseSurvivalSpec(req.spec);
  const rules = req.rules.survival ?? DEFAULT_SURVIVAL_RULES;
  const quote = req.quoteSource ?? true;
  const source = await resolveSource(conn, req.source, quote);
  for (const field of ['duration', 'event', 'group'] as const) {
    const name = spec[field];
    if (name !== null && !source.columns.has(name)) {
      const has = quote ? `; the data has: ${[...source.columns.keys()].join(', ')}` : '';
      throw new InputError(`unknown column '${name}' in ${field}${has}`, { reason: 'unknown_column', details: { field, column: name } });
    }
  }
  const durationType = source.columns.get(spec.duration)!;
  if (!isNumericType(durationType)) throw specError('duration', `column '${spec.duration}' is ${durationType}, not numeric`);
  const eventType = source.columns.get(spec.event)!;
  if (!isNumericType(eventType) && eventType !== 'BOOLEAN') throw specError('event', `column '${spec.event}' is ${eventType}, not 0/1 or boolean`);

  const t = `${quoteIdent(spec.duration)}::DOUBLE`;
  const e = `${quoteIdent(spec.event)}::DOUBLE`;
  const g = spec.group === null ? 'NULL' : quoteIdent(spec.group);
  // Rows missing the duration, the event or the group are left out (statsmodels refuses NaN; pandas' groupby drops NaN groups).
  const used = `FROM ${source.relation} WHERE ${t} IS NOT NULL AND isfinite(${t}) AND ${e} IS NOT NULL${spec.group === null ? '' : ` AND ${g} IS NOT NULL`}`;
  const [check] = (await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE ${e} NOT IN (0, 1))::DOUBLE, count(DISTINCT ${g})::DOUBLE ${used}`)).getRows();
  if (Number(check?.[0] ?? 0) > 0) throw specError('event', `column '${spec.event}' holds values other than 0 and 1`);
  const groups = Number(check?.[1] ?? 0);
  if (spec.group !== null && groups > rules.maxGroups) {
    throw new InputError(`the group column has ${groups} levels, more than the policy's limit of ${rules.maxGroups} (tables.survival.maxGroups)`, {
      reason: 'too_many_groups',
      details: { field: 'group', groups, limit: rules.maxGroups },
    });
  }
  const sql = `SELECT ${g} AS g, ${t} AS t, sum(${e})::DOUBLE AS d, count(*)::DOUBLE AS n ${used} GROUP BY ALL ORDER BY g, t LIMIT ${rules.maxSteps + 1}`;
  const rows = (await conn.runAndReadAll(sql)).getRows();
  if (rows.length > rules.maxSteps) {
    throw new InputError(`the data has more than ${rules.maxSteps} distinct (group, time) pairs, the policy's limit (tables.survival.maxSteps)`, {
      reason: 'too_many_steps',
      details: { field: 'duration', limit: rules.maxSteps },
    });
  }
  const byGroup = new Map<Label, TimeCount[]>();
  for (const [gv, tv, dv, nv] of rows) {
    const label = spec.group === null ? null : toJsonValue(gv);
    let list = byGroup.get(label);
    if (!list) byGroup.set(label, (list = []));
    list.push({ time: Number(tv), events: Number(dv), records: Number(nv) });
  }
  return judgeSurvival([...byGroup], { grouped: spec.group !== null, rules, dofThreshold: req.rules.dof });
}
