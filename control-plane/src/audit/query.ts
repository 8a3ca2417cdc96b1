/**
 * Reading the audit log: filtered, paged queries; counts over time; one person's trail and one
 * project's history. Reads only; nothing here (nor anywhere) edits or deletes entries.
 */
import { z } from 'zod';
import type { Queryable } from '../store/index.ts';
import { ENTRY_FIELDS } from './hash.ts';
import type { ActivityCounts, ProjectHistory } from './schemas.ts';
import type { AuditEntry } from '../platform/index.ts';
import { wordConditions, wordsSchema } from './words.ts';

export const auditFilterSchema = z.object({
  actor: z.string().min(1).max(100).optional(),
  project: z.string().min(1).max(100).optional(),
  action: z.string().min(1).max(100).optional().describe('exact action, or a prefix ending in `.` or `*` (e.g. `export.*`)'),
  object: z.string().min(1).max(200).optional(),
  outcome: z.enum(['initiated', 'success', 'denied', 'failure']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  q: wordsSchema.optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export const pageSchema = z.object({
  /** Entries with seq greater than this (the previous page's `next`). */
  after: z.coerce.number().int().min(-1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ENTRY_COLUMNS = `seq, time_text AS time, actor, role, action, object, project_id AS "projectId", outcome, reason,
  request_id AS "requestId", client_address AS "clientAddress", details, prev_hash AS "prevHash", hash`;

export function whereOf(f: AuditFilter, params: unknown[]): string {
  const where: string[] = [];
  if (f.actor) where.push(`actor = $${params.push(f.actor)}`);
  if (f.project) where.push(`project_id = $${params.push(f.project)}`);
  if (f.action) {
    if (f.action.endsWith('*') || f.action.endsWith('.')) where.push(`action LIKE $${params.push(`${f.action.replace(/\*$/, '').replace(/[%_]/g, '\\$&')}%`)}`);
    else where.push(`action = $${params.push(f.action)}`);
  }
  if (f.object) where.push(`object = $${params.push(f.object)}`);
  if (f.outcome) where.push(`outcome = $${params.push(f.outcome)}`);
  if (f.from) where.push(`time >= $${params.push(f.from)}`);
  if (f.to) where.push(`time < $${params.push(f.to)}`);
  if (f.q) where.push(...wordConditions(f.q, params));
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}

export async function queryEntries(
  q: Queryable,
  f: AuditFilter,
  page: { after?: number | undefined; limit: number },
): Promise<{ entries: AuditEntry[]; next: number | null }> {
  const params: unknown[] = [];
  let where = whereOf(f, params);
  if (page.after !== undefined) where = `${where ? `${where} AND` : 'WHERE'} seq > $${params.push(page.after)}`;
  const rows = await q.query<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log ${where} ORDER BY seq LIMIT $${params.push(page.limit + 1)}`, params);
  const more = rows.length > page.limit;
  const entries = more ? rows.slice(0, page.limit) : rows;
  return { entries, next: more ? entries[entries.length - 1]!.seq : null };
}

export async function activityCounts(q: Queryable, f: AuditFilter, bucket: 'hour' | 'day'): Promise<ActivityCounts> {
  const params: unknown[] = [];
  const where = whereOf(f, params);
  const trunc = `to_char(date_trunc('${bucket}', time AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"')`;
  const byAction = await q.query<{ at: string; action: string; count: number }>(
    `SELECT ${trunc} AS at, action, count(*)::int AS count FROM audit_log ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  const projectWhere = where ? `${where} AND project_id IS NOT NULL` : 'WHERE project_id IS NOT NULL';
  const byProject = await q.query<{ at: string; projectId: string; count: number }>(
    `SELECT ${trunc} AS at, project_id AS "projectId", count(*)::int AS count FROM audit_log ${projectWhere} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  return { bucket, byAction, byProject };
}

const GROUPS: [keyof Omit<ProjectHistory, 'projectId' | 'denied' | 'total'>, RegExp][] = [
  ['applications', /^application\.(submit|read|list)$/],
  ['decisions', /^application\.decide$/],
  ['permits', /^permit\./],
  ['membership', /^project\.member\./],
  ['dataAccess', /^(copy|copies|data|room|catalog|rooms)\./],
  ['exports', /^(export|import|outputs)\./],
];

export async function projectHistory(q: Queryable, projectId: string): Promise<ProjectHistory> {
  const entries = await q.query<AuditEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_log WHERE project_id = $1 AND outcome <> 'initiated' ORDER BY seq`, [
    projectId,
  ]);
  const h: ProjectHistory = {
    projectId,
    applications: [],
    decisions: [],
    permits: [],
    membership: [],
    dataAccess: [],
    exports: [],
    denied: [],
    total: entries.length,
  };
  for (const e of entries) {
    if (e.outcome === 'denied') h.denied.push(e);
    const group = GROUPS.find(([, re]) => re.test(e.action));
    if (group && e.outcome === 'success') h[group[0]].push(e);
  }
  return h;
}

export function csvLine(values: unknown[]): string {
  return values
    .map((v) => {
      const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

/** The CSV export's columns: every field of an entry, in the export's order. */
export const CSV_HEADER = ENTRY_FIELDS;
