/**
 * The case history of an application (`case_events`): one row per step, written in the same
 * transaction as the step, never changed. Case handling adds its steps here; case metrics read
 * lead times and paused time from it.
 */
import type { Queryable } from '../store/index.ts';

/** The steps of a case. Paused time runs from each `info_requested` to the `info_provided` that answers it. */
export const CASE_EVENT_KINDS = [
  'submitted',
  'prescreen_passed',
  'prescreen_returned',
  'assigned',
  'message',
  'info_requested',
  'info_provided',
  'attachment_added',
  'decided',
  'permit_issued',
  'withdrawn',
] as const;
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
