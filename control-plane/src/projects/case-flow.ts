/**
 * The case as a dialogue between the applicant (the project's lead) and the case handlers
 * (access administrators independent of the case, `requireIndependent`): pre-screening, requests
 * for information that pause the case and their answers, messages, assignment and withdrawal.
 * Every step is a row of the case history (`recordCaseEvent`) and tells the other side
 * (`notify`), in the transaction of the change.
 *
 * The pause: a request for information stops the case's clock (`paused_since`); the answer
 * restarts it where it was (`resume_status`) and moves the due date by exactly the time waited,
 * as Findata and the EHDS (art. 68(4)) count time "with the applicant" apart from the body's own.
 */
import { ConflictError, NotAllowedError, NotFoundError } from '../errors/index.ts';
import { notify, projectMembers, type NotificationInput } from '../notifications/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { memberRole } from './access.ts';
import { applicationSubject, getApplication } from './applications.ts';
import { recordCaseEvent } from './case-events.ts';
import { requireOpen } from './case-state.ts';
import { requireIndependent } from './independence.ts';
import { getProject, setProjectStatus } from './projects.ts';
import type { Application } from './schemas.ts';

export type CaseSide = 'applicant' | 'handler';

/** An access administrator independent of the case: not its submitter, not named in it, never a member. */
export async function requireHandler(q: Queryable, p: Pick<Principal, 'userId' | 'roles'>, app: Application): Promise<void> {
  if (!p.roles.includes('access_admin')) throw new NotAllowedError('only an access administrator handles a case', { reason: 'not_a_case_handler' });
  await requireIndependent(q, p as Principal, applicationSubject(app));
}

/** The applicant's side is the project's lead (who applied, or leads the project amended). */
export async function requireApplicant(q: Queryable, p: Principal, app: Application): Promise<void> {
  if ((await memberRole(q, app.projectId, p.userId)) !== 'lead') {
    throw new NotAllowedError("only the project's lead speaks for the applicant", { reason: 'not_the_applicant' });
  }
}

/** The caller's side of the case: the applicant if they lead the project, else a handler (or refused). */
export async function sideOf(q: Queryable, p: Principal, app: Application): Promise<CaseSide> {
  if ((await memberRole(q, app.projectId, p.userId)) === 'lead') return 'applicant';
  await requireHandler(q, p, app);
  return 'handler';
}

/** Who hears of a step by the applicant: the assigned handler, else every independent access administrator. */
async function handlersOf(q: Queryable, app: Application): Promise<string[]> {
  if (app.assignedTo) return [app.assignedTo];
  const rows = await q.query<{ id: string }>(
    `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'access_admin'
      WHERE NOT u.disabled AND u.id <> $2
        AND NOT EXISTS (SELECT 1 FROM project_member_events e WHERE e.project_id = $1 AND e.user_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = $1 AND m.user_id = u.id)
      ORDER BY u.id`,
    [app.projectId, app.submittedBy],
  );
  return rows.map((r) => r.id);
}

async function tell(q: Queryable, app: Application, to: CaseSide, kind: NotificationInput['kind'], actor: string, now: Date): Promise<void> {
  const users = (to === 'applicant' ? await projectMembers(q, app.projectId, ['lead']) : await handlersOf(q, app)).filter((u) => u !== actor);
  await notify(q, users, { kind, params: { application: app.id }, link: `/applications/${app.id}`, projectId: app.projectId }, now);
}

export async function sendMessage(q: Queryable, p: Principal, id: string, text: string, now: Date): Promise<Application> {
  const app = await getApplication(q, id, true);
  const side = await sideOf(q, p, app);
  await recordCaseEvent(q, { applicationId: id, kind: 'message', actor: p.userId, details: { text, side } }, now);
  await tell(q, app, side === 'applicant' ? 'handler' : 'applicant', 'application.message', p.userId, now);
  return getApplication(q, id, false, now);
}

async function pause(q: Queryable, p: Principal, app: Application, text: string, stage: 'prescreen' | 'assessment', now: Date): Promise<void> {
  await q.query(`UPDATE applications SET status = 'awaiting_applicant', resume_status = status, paused_since = $2 WHERE id = $1`, [app.id, now]);
  await recordCaseEvent(q, { applicationId: app.id, kind: 'info_requested', actor: p.userId, details: { text, stage } }, now);
  await tell(q, app, 'applicant', 'application.info_requested', p.userId, now);
}

/** Pre-screening: complete goes on to assessment; incomplete goes back to the applicant, as a request for information. */
export async function prescreen(
  q: Queryable,
  p: Principal,
  id: string,
  input: { outcome: 'complete' | 'incomplete'; text?: string | undefined },
  now: Date,
): Promise<Application> {
  const app = await getApplication(q, id, true);
  await requireHandler(q, p, app);
  requireOpen(app);
  if (app.status !== 'submitted') throw new ConflictError(`the application is ${app.status}, not in pre-screening`, { reason: 'not_in_prescreening' });
  if (input.outcome === 'complete') {
    await q.query(`UPDATE applications SET status = 'in_assessment' WHERE id = $1`, [id]);
    await recordCaseEvent(q, { applicationId: id, kind: 'prescreen_passed', actor: p.userId, details: input.text ? { text: input.text } : {} }, now);
  } else {
    await recordCaseEvent(q, { applicationId: id, kind: 'prescreen_returned', actor: p.userId, details: { text: input.text ?? '' } }, now);
    await pause(q, p, app, input.text ?? '', 'prescreen', now);
  }
  return getApplication(q, id, false, now);
}

export async function requestInformation(q: Queryable, p: Principal, id: string, text: string, now: Date): Promise<Application> {
  const app = await getApplication(q, id, true);
  await requireHandler(q, p, app);
  requireOpen(app);
  if (app.status === 'awaiting_applicant') throw new ConflictError('the case already waits for the applicant', { reason: 'awaiting_applicant' });
  await pause(q, p, app, text, app.status === 'submitted' ? 'prescreen' : 'assessment', now);
  return getApplication(q, id, false, now);
}

/** The answer restarts the case where it was and moves its due date by the time it waited. */
export async function answerInformation(q: Queryable, p: Principal, id: string, text: string, now: Date): Promise<Application> {
  const app = await getApplication(q, id, true);
  await requireApplicant(q, p, app);
  requireOpen(app);
  if (app.status !== 'awaiting_applicant') throw new ConflictError('no request for information waits for an answer', { reason: 'not_awaiting_applicant' });
  await q.query(
    `UPDATE applications SET status = resume_status, resume_status = NULL,
            paused_ms = paused_ms + round(extract(epoch FROM $2::timestamptz - paused_since) * 1000)::bigint,
            due_at = due_at + ($2::timestamptz - paused_since), paused_since = NULL
      WHERE id = $1`,
    [id, now],
  );
  const after = await getApplication(q, id, false, now);
  await recordCaseEvent(q, { applicationId: id, kind: 'info_provided', actor: p.userId, details: { text, pausedMs: after.pausedMs - app.pausedMs } }, now);
  await tell(q, app, 'handler', 'application.info_provided', p.userId, now);
  return after;
}

/** Assigns the case to an access administrator independent of it; the assigner must be a handler too. */
export async function assignCase(q: Queryable, p: Principal, id: string, userId: string, now: Date): Promise<Application> {
  const app = await getApplication(q, id, true);
  await requireHandler(q, p, app);
  requireOpen(app);
  const roles = await q.query<{ role: Principal['roles'][number] }>(
    `SELECT r.role FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.id = $1 AND NOT u.disabled`,
    [userId],
  );
  if (!roles[0]) throw new NotFoundError(`no user '${userId}'`, { reason: 'no_such_user', details: { field: 'userId' } });
  const assignee = { userId, roles: roles.map((r) => r.role) };
  try {
    await requireHandler(q, assignee, app);
  } catch (err) {
    if (err instanceof NotAllowedError)
      throw new NotAllowedError(`${userId} cannot handle this case: ${err.message}`, { reason: err.reason, details: { field: 'userId' } });
    throw err;
  }
  await q.query('UPDATE applications SET assigned_to = $2 WHERE id = $1', [id, userId]);
  await recordCaseEvent(q, { applicationId: id, kind: 'assigned', actor: p.userId, details: { to: userId } }, now);
  if (userId !== p.userId) {
    await notify(q, [userId], { kind: 'application.assigned', params: { application: id }, link: `/applications/${id}`, projectId: app.projectId }, now);
  }
  return getApplication(q, id, false, now);
}

/** The applicant withdraws at any time before a decision; a new project that was never granted is closed with it. */
export async function withdrawApplication(q: Queryable, p: Principal, id: string, reason: string | undefined, now: Date): Promise<Application> {
  const app = await getApplication(q, id, true);
  await requireApplicant(q, p, app);
  requireOpen(app);
  await q.query(`UPDATE applications SET status = 'withdrawn', resume_status = NULL, paused_since = NULL WHERE id = $1`, [id]);
  if (app.kind === 'new' && (await getProject(q, app.projectId)).status === 'applied') await setProjectStatus(q, app.projectId, 'closed', now);
  await recordCaseEvent(q, { applicationId: id, kind: 'withdrawn', actor: p.userId, details: reason ? { reason } : {} }, now);
  await tell(q, app, 'handler', 'application.message', p.userId, now);
  return getApplication(q, id, false, now);
}
