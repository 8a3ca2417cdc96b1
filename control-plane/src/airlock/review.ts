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
 *   - Per file (issue 16 item 1): a reviewer may decide on each staged file with a comment
 *     (`files`: every file of the request exactly once; a comment to reject or return a file, or
 *     to approve one whose checks failed). The review's decision on the request then follows from
 *     them as the request's from the reviews (any reject → reject, any return → return, else
 *     approve); a `decision` given as well must agree. Without its own reason, the review's
 *     reason is the files' comments. A request is released whole or not at all: approving some of
 *     its files and rejecting others rejects the request, and the requester resubmits without them
 *     (SACRO-Viewer and OpenSAFELY's airlock decide per file the same way, then release the request).
 */
import { z } from 'zod';
import { ConflictError, InputError } from '../errors/index.ts';
import { notify } from '../notifications/index.ts';
import type { Principal } from '../platform/index.ts';
import { requireIndependent } from '../projects/index.ts';
import type { Queryable } from '../store/index.ts';
import type { FileDecision } from './schemas.ts';
import { addEvent, insertReview, listFiles, listReviews, setStatus, type AirlockRequest, type Decision, type RequestStatus, type Review } from './store.ts';

export const FileDecisionInputSchema = z.strictObject({
  file: z.string().regex(/^f\d{1,4}$/, 'a file id'),
  decision: z.enum(['approve', 'reject', 'return']),
  comment: z.string().trim().max(4000).optional(),
});

export const ReviewInputSchema = z
  .strictObject({
    decision: z.enum(['approve', 'reject', 'return']).optional(),
    reason: z.string().trim().max(4000).optional(),
    files: z.array(FileDecisionInputSchema).min(1).max(100).optional(),
  })
  .refine((r) => r.decision !== undefined || r.files !== undefined, { message: 'a decision, or a decision for each file', path: ['decision'] });
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
  const files = input.files ? await fileDecisions(q, req, input.files) : undefined;
  const decision = files ? outcomeDecision(files.map((f) => f.decision)) : input.decision!;
  if (input.decision && input.decision !== decision) {
    throw new InputError(`the decision '${input.decision}' does not follow from the files' decisions ('${decision}')`, {
      reason: 'decision_mismatch',
      details: { field: 'decision' },
    });
  }
  const given = input.reason && input.reason.length > 0 ? input.reason : null;
  const commented = files?.filter((f) => f.comment).map((f) => `${f.file}: ${f.comment}`) ?? [];
  const reason = given ?? (commented.length ? commented.join('\n') : null);
  const overFailedCheck = decision === 'approve' && req.checksStatus === 'fail';
  if (!reason && decision !== 'approve') {
    throw new InputError(`a reason is required to ${decision === 'reject' ? 'reject' : 'return for changes'}`, {
      reason: 'reason_required',
      details: { field: 'reason' },
    });
  }
  if (!reason && overFailedCheck) {
    throw new InputError('a reason is required to approve over a failed check', { reason: 'reason_required_over_failed_check', details: { field: 'reason' } });
  }
  const review: Review = { reviewer: principal.userId, decision, reason, overFailedCheck, decidedAt: now.toISOString(), ...(files ? { files } : {}) };
  await insertReview(q, req.id, review);
  // The event says that someone decided, not what: the decision stays sealed until all are in.
  await addEvent(q, req.id, { at: now.toISOString(), actor: principal.userId, event: 'reviewed', reason: null, details: {} });
  const all = [...reviews, review];
  if (all.length < req.approvalsRequired) return { status: 'in_review', decided: false };
  const status = outcomeOf(all.map((r) => r.decision));
  await setStatus(q, req.id, status, now, 'decided_at');
  await addEvent(q, req.id, { at: now.toISOString(), actor: 'system', event: status, reason: null, details: { reviewers: all.map((r) => r.reviewer) } });
  // The requester learns the outcome once it is decided, never a single reviewer's sealed decision.
  if (req.direction === 'export') {
    await notify(
      q,
      [req.requestedBy],
      { kind: 'export.reviewed', params: { export: req.id, decision: status }, link: `/projects/${req.projectId}/exports`, projectId: req.projectId },
      now,
    );
  }
  return { status, decided: true };
}

function outcomeDecision(decisions: Decision[]): Decision {
  if (decisions.includes('reject')) return 'reject';
  if (decisions.includes('return')) return 'return';
  return 'approve';
}

function outcomeOf(decisions: Decision[]): 'approved' | 'rejected' | 'returned' {
  return ({ approve: 'approved', reject: 'rejected', return: 'returned' } as const)[outcomeDecision(decisions)];
}

/** Every file of the request decided exactly once, each reject or return with its comment, each approval over a failed check too. */
async function fileDecisions(q: Queryable, req: AirlockRequest, input: z.infer<typeof FileDecisionInputSchema>[]): Promise<FileDecision[]> {
  const staged = await listFiles(q, req.id);
  const named = input.map((f) => f.file);
  const missing = staged.filter((f) => !named.includes(f.id)).map((f) => f.id);
  const unknown = named.filter((id, i) => !staged.some((f) => f.id === id) || named.indexOf(id) !== i);
  if (missing.length || unknown.length) {
    throw new InputError('decide on every file of the request exactly once', {
      reason: 'file_decisions_incomplete',
      details: { field: 'files', missing, unknown },
    });
  }
  return input.map((f, i) => {
    const comment = f.comment && f.comment.length > 0 ? f.comment : null;
    const failed = staged.find((s) => s.id === f.file)!.checkStatus === 'fail';
    if (!comment && (f.decision !== 'approve' || failed)) {
      throw new InputError(
        `a comment is required to ${f.decision === 'approve' ? 'approve a file whose checks failed' : f.decision === 'reject' ? 'reject a file' : 'return a file'}`,
        {
          reason: 'comment_required',
          details: { field: `files[${i}].comment`, file: f.file },
        },
      );
    }
    return { file: f.file, decision: f.decision, comment };
  });
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
