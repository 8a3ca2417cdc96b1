/**
 * The case history of an application (`case_events`): one row per step, written in the same
 * transaction as the step, never changed. Case handling adds its steps here; case metrics read
 * lead times and paused time from it.
 */
import type { Queryable } from '../store/index.ts';
import { CASE_EVENT_KINDS } from './case-event-kinds.ts';

/** The kinds live in `case-event-kinds.ts`, a plain file the UI bundles too. */
export { CASE_EVENT_KINDS };
export type CaseEventKind = (typeof CASE_EVENT_KINDS)[number];

export async function recordCaseEvent(
  q: Queryable,
  e: { applicationId: string; kind: CaseEventKind; actor: string; details?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await q.query('INSERT INTO case_events (application_id, kind, actor, at, details) VALUES ($1, $2, $3, $4, $5)', [
    e.applicationId,
    e.kind,
    e.actor,
    now,
    JSON.stringify(e.details ?? {}),
  ]);
}
