/**
 * The rules of the case flow that the decision shares with the dialogue (`case-flow.ts`):
 * which status allows what. Pre-screening (`submitted`) asks only whether the application is
 * complete; the substantive assessment (`in_assessment`) follows, as TEHDAS2's guideline for
 * health data access bodies keeps them apart.
 */
import { ConflictError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { recordCaseEvent } from './case-events.ts';
import { OPEN_APPLICATION_STATUSES } from './legal-bases.ts';
import type { Application } from './schemas.ts';

export const isOpen = (a: Application): boolean => (OPEN_APPLICATION_STATUSES as readonly string[]).includes(a.status);

/** Refuses a change to a case that is decided or withdrawn. */
export function requireOpen(a: Application): void {
  if (a.status === 'withdrawn') throw new ConflictError('the application was withdrawn', { reason: 'application_withdrawn' });
  if (!isOpen(a)) throw new ConflictError(`the application is already ${a.status}`, { reason: 'already_decided' });
}

/**
 * A decision is made in the assessment. On an application still in pre-screening, deciding
 * passes pre-screening first (recorded as its own step, `implicit: true`): a handler who can
 * decide has found it complete, and refusing would only add a click. A case waiting for the
 * applicant is not decided until they answered or the request is dropped by answering.
 */
export async function requireDecidable(q: Queryable, p: Principal, a: Application, now: Date): Promise<void> {
  requireOpen(a);
  if (a.status === 'awaiting_applicant') {
    throw new ConflictError('the case waits for the applicant to answer a request for information', { reason: 'awaiting_applicant' });
  }
  if (a.status === 'submitted') {
    await q.query(`UPDATE applications SET status = 'in_assessment' WHERE id = $1`, [a.id]);
    await recordCaseEvent(q, { applicationId: a.id, kind: 'prescreen_passed', actor: p.userId, details: { implicit: true } }, now);
  }
}
