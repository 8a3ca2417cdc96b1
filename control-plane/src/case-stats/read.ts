/**
 * Reads one `CaseRecord` per application submitted in the chosen months: the application row, the
 * first permit version issued from it, the first data copy of its project made under that version,
 * and its pauses from the case history (`case_events`). Two queries, one row per application and
 * one per request or answer for information, whatever the number of cases.
 *
 * Due dates come from the case flow's `applications.due_at` when that column exists (read from
 * `information_schema`, so this part works with and without the case flow's migration).
 */
import type { Queryable } from '../store/index.ts';
import { pausesOf, type CaseRecord } from './compute.ts';
import type { CaseStatsQuery, CaseType } from './schemas.ts';

interface AppRow {
  id: string;
  case_type: CaseType;
  registers: string[] | null;
  status: string;
  submitted_at: string;
  decided_at: string | null;
  withdrawn: boolean;
  due_at: string | null;
  permit_at: string | null;
  copy_at: string | null;
}

/** The first instant of `month` (YYYY-MM), and of the month after it. */
function monthStart(month: string, plus = 0): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + plus, 1)).toISOString();
}

export async function hasDueDates(q: Queryable): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'applications' AND column_name = 'due_at'`,
  );
  return rows.length > 0;
}

export async function readCases(q: Queryable, range: CaseStatsQuery, dueDates: boolean): Promise<CaseRecord[]> {
  const from = range.from ? monthStart(range.from) : null;
  const to = range.to ? monthStart(range.to, 1) : null;
  const inRange = `($1::timestamptz IS NULL OR a.submitted_at >= $1) AND ($2::timestamptz IS NULL OR a.submitted_at < $2)`;
  const apps = await q.query<AppRow>(
    `SELECT a.id, a.case_type, a.status, a.submitted_at, a.decided_at,
       ${dueDates ? 'a.due_at' : 'NULL::timestamptz AS due_at'},
       (SELECT array_agg(DISTINCT d->>'dataset' ORDER BY d->>'dataset') FROM jsonb_array_elements(a.body->'datasets') d) AS registers,
       (a.status = 'withdrawn' OR EXISTS (SELECT 1 FROM case_events w WHERE w.application_id = a.id AND w.kind = 'withdrawn')) AS withdrawn,
       p.issued_at AS permit_at, c.created_at AS copy_at
     FROM applications a
     LEFT JOIN LATERAL (SELECT id, version, issued_at FROM permits WHERE application_id = a.id ORDER BY version LIMIT 1) p ON true
     LEFT JOIN LATERAL (SELECT created_at FROM data_copies
                        WHERE project_id = a.project_id AND permit_id = p.id AND permit_version = p.version
                        ORDER BY created_at, copy_version LIMIT 1) c ON true
     WHERE ${inRange}
     ORDER BY a.submitted_at, a.id`,
    [from, to],
  );
  const events = await q.query<{ application_id: string; kind: string; at: string }>(
    `SELECT e.application_id, e.kind, e.at FROM case_events e JOIN applications a ON a.id = e.application_id
     WHERE e.kind IN ('info_requested', 'info_provided') AND ${inRange}
     ORDER BY e.application_id, e.at, e.id`,
    [from, to],
  );
  const byApp = new Map<string, { kind: string; at: Date }[]>();
  for (const e of events) {
    const list = byApp.get(e.application_id) ?? [];
    list.push({ kind: e.kind, at: new Date(e.at) });
    byApp.set(e.application_id, list);
  }
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return apps.map((a) => ({
    id: a.id,
    caseType: a.case_type,
    registers: a.registers ?? [],
    submittedAt: new Date(a.submitted_at),
    decidedAt: date(a.decided_at),
    decision: a.decided_at !== null && (a.status === 'approved' || a.status === 'rejected') ? a.status : null,
    withdrawn: a.withdrawn && a.decided_at === null,
    permitIssuedAt: date(a.permit_at),
    firstCopyAt: date(a.copy_at),
    dueAt: date(a.due_at),
    pauses: pausesOf(byApp.get(a.id) ?? []),
  }));
}
