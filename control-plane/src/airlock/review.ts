/**
 * Independent review, the same for exports and imports.
 *
 *   - Only access administrators review (the route's access), and only one independent of the
 *     request (`requireIndependent`): not its requester, never a member of the project.
 *   - Each reviewer decides once per request version. Decisions are sealed: nobody sees another
 *     reviewer's decision or reason until the required number of reviewers have decided, only
 *     that they have. A decision takes effect only then, so no one reviewer decides alone:
 *     all approve → approved; any reject → rejected; otherwise (any return) → returned.
 *   - A reason is required to reject, to return for changes, and to approve over a failed check.
 */
import { z } from 'zod';
import { ConflictError, InputError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import { requireIndependent } from '../projects/index.ts';
import type { Queryable } from '../store/index.ts';
import { addEvent, insertReview, listReviews, setStatus, type AirlockRequest, type Decision, type RequestStatus, type Review } from './store.ts';

export const ReviewInputSchema = z.strictObject({
  decision: z.enum(['approve', 'reject', 'return']),
  reason: z.string().trim().max(4000).optional(),
});
export type ReviewInput = z.infer<typeof ReviewInputSchema>;

export interface ReviewOutcome {
  /** The request's status once this review is in: still `in_review` until enough reviewers have decided. */
  status: RequestStatus;
  decided: boolean;
}

export async function requireMayReview(q: Queryable, principal: Principal, req: AirlockRequest): Promise<void> {
  await requireIndependent(q, principal, { projectId: req.projectId, what: `${req.direction} request`, submittedBy: req.requestedBy });
}

/** Records one reviewer's decision (in the caller's transaction, with the request row locked). */
export async function recordReview(q: Queryable, principal: Principal, req: AirlockRequest, input: ReviewInput, now: Date): Promise<ReviewOutcome> {
  await requireMayReview(q, principal, req);
  if (req.status !== 'in_review')
    throw new ConflictError(`the request is ${req.status}, not in review`, { reason: 'not_in_review', details: { status: req.status } });
  const reviews = await listReviews(q, req.id);
  if (reviews.some((r) => r.reviewer === principal.userId)) {
    throw new ConflictError('you have already decided on this request', { reason: 'already_reviewed' });
  }
  const reason = input.reason && input.reason.length > 0 ? input.reason : null;
  const overFailedCheck = input.decision === 'approve' && req.checksStatus === 'fail';
  if (!reason && input.decision !== 'approve') {
    throw new InputError(`a reason is required to ${input.decision === 'reject' ? 'reject' : 'return for changes'}`, {
      reason: 'reason_required',
      details: { field: 'reason' },
    });
  }
  if (!reason && overFailedCheck) {
    throw new InputError('a reason is required to approve over a failed check', { reason: 'reason_required_over_failed_check', details: { field: 'reason' } });
  }
  const review: Review = { reviewer: principal.userId, decision: input.decision, reason, overFailedCheck, decidedAt: now.toISOString() };
  await insertReview(q, req.id, review);
  // The event says that someone decided, not what: the decision stays sealed until all are in.
  await addEvent(q, req.id, { at: now.toISOString(), actor: principal.userId, event: 'reviewed', reason: null, details: {} });
  const all = [...reviews, review];
  if (all.length < req.approvalsRequired) return { status: 'in_review', decided: false };
  const status = outcomeOf(all.map((r) => r.decision));
  await setStatus(q, req.id, status, now, 'decided_at');
  await addEvent(q, req.id, { at: now.toISOString(), actor: 'system', event: status, reason: null, details: { reviewers: all.map((r) => r.reviewer) } });
  return { status, decided: true };
}

function outcomeOf(decisions: Decision[]): 'approved' | 'rejected' | 'returned' {
  if (decisions.includes('reject')) return 'rejected';
  if (decisions.includes('return')) return 'returned';
  return 'approved';
}

export type ReviewView =
  | { sealed: false; reviews: Review[] }
  | { sealed: true; required: number; decided: Array<{ reviewer: string; decided: true; decidedAt: string }>; mine: Review | null };

/**
 * What a viewer may see of the reviews: everything once the request is decided; before that,
 * who has decided (oversight roles only) and the viewer's own decision, never another's.
 */
export function reviewView(req: AirlockRequest, reviews: Review[], viewer: Principal, oversight: boolean): ReviewView {
  if (req.status !== 'in_review' || reviews.length >= req.approvalsRequired) return { sealed: false, reviews };
  return {
    sealed: true,
    required: req.approvalsRequired,
    decided: reviews.map((r) => ({ reviewer: oversight ? r.reviewer : 'a reviewer', decided: true as const, decidedAt: r.decidedAt })),
    mine: reviews.find((r) => r.reviewer === viewer.userId) ?? null,
  };
}
