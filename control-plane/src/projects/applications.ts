/**
 * Applications for data and their decisions. A new application creates the project (status
 * `applied`); an amendment refers to an existing one. An access administrator decides with a
 * recorded reason and issues the permit from an approved application, only when independent of
 * it (`requireIndependent`: not its submitter, not named in it, never a member of the project).
 * Each of submission, approval and issue holds the scope to the catalogue as it is then
 * (`application-checks.ts`).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotAllowedError, NotFoundError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { notify, projectMembers } from '../notifications/index.ts';
import { hasOversight, memberRole } from './access.ts';
import { requireCheckedScope } from './application-checks.ts';
import { recordCaseEvent } from './case-events.ts';
import { requireDecidable } from './case-state.ts';
import { DEFAULT_DEADLINE_DAYS } from './case-options.ts';
import { requireIndependent } from './independence.ts';
import { insertPermitVersion } from './permits.ts';
import type { Permit, Application, ApplicationInput } from './schemas.ts';
import { addMember, createProject, getProject, lockProject, setProjectStatus } from './projects.ts';

const SELECT = `SELECT id, project_id AS "projectId", kind, case_type AS "caseType", body, status, submitted_by AS "submittedBy",
  submitted_at AS "submittedAt", decided_by AS "decidedBy", decided_at AS "decidedAt", decision_reason AS "decisionReason",
  legal_references AS "decisionLegalReferences", assigned_to AS "assignedTo", due_at AS "dueAt", paused_ms::float8 AS "pausedMs" FROM applications`;

/** Open, not waiting for the applicant (whose clock is stopped), and past its due date at `now`. */
const withFlags = (a: Omit<Application, 'overdue'>, now: Date | undefined): Application => ({
  ...a,
  overdue: now !== undefined && (a.status === 'submitted' || a.status === 'in_assessment') && Date.parse(a.dueAt) < now.getTime(),
});

/** `lock`: takes the row lock, so two deciders of one application serialise. `now` sets `overdue` (false without it). */
export async function getApplication(q: Queryable, id: string, lock = false, now?: Date): Promise<Application> {
  const rows = await q.query<Omit<Application, 'overdue'>>(`${SELECT} WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  if (!rows[0]) throw new NotFoundError(`no application '${id}'`, { reason: 'no_such_application' });
  return withFlags(rows[0], now);
}

/** `deadlineDays`: of the application's case type (`case-options.ts`); its due date is `now` + that. */
export async function submitApplication(
  q: Queryable,
  p: Principal,
  input: ApplicationInput,
  now: Date,
  deadlineDays: number = DEFAULT_DEADLINE_DAYS[input.caseType],
): Promise<Application> {
  let projectId: string;
  if (input.kind === 'new') {
    if (!p.roles.includes('project_lead')) throw new NotAllowedError('only a project lead may apply for a new project', { reason: 'wrong_role' });
    projectId = (await createProject(q, input.project, p.userId)).id;
    await addMember(q, projectId, p.userId, 'lead', p.userId);
  } else {
    projectId = input.projectId;
    await getProject(q, projectId);
    if ((await memberRole(q, projectId, p.userId)) !== 'lead')
      throw new NotAllowedError('only the project lead may ask for an amendment', { reason: 'not_project_lead' });
  }
  await requireCheckedScope(q, input, { step: 'submission' });
  for (const m of input.members) {
    const exists = await q.query('SELECT 1 FROM users WHERE id = $1', [m.userId]);
    if (!exists[0]) throw new NotFoundError(`no user '${m.userId}' to add as a member`, { reason: 'no_such_user', details: { field: 'members' } });
  }
  const id = `app_${randomBytes(5).toString('hex')}`;
  await q.query(
    `INSERT INTO applications (id, project_id, kind, case_type, body, status, submitted_by, submitted_at, due_at)
     VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8)`,
    [id, projectId, input.kind, input.caseType, JSON.stringify(input), p.userId, now, new Date(now.getTime() + deadlineDays * 86_400_000)],
  );
  await recordCaseEvent(q, { applicationId: id, kind: 'submitted', actor: p.userId }, now);
  return getApplication(q, id);
}

/** Oversight roles see every application; a lead sees those of their projects. */
export async function listApplications(
  q: Queryable,
  p: Principal,
  filter: { status?: string | undefined; projectId?: string | undefined },
  now?: Date,
): Promise<Application[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status) where.push(`status = $${params.push(filter.status)}`);
  if (filter.projectId) where.push(`project_id = $${params.push(filter.projectId)}`);
  if (!hasOversight(p)) where.push(`project_id IN (SELECT project_id FROM project_members WHERE user_id = $${params.push(p.userId)} AND role = 'lead')`);
  const rows = await q.query<Omit<Application, 'overdue'>>(`${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY submitted_at, id`, params);
  return rows.map((a) => withFlags(a, now));
}

export async function decideApplication(
  q: Queryable,
  p: Principal,
  id: string,
  decision: 'approve' | 'reject',
  reason: string,
  now: Date,
  legalReferences: string[] = [],
): Promise<Application> {
  const app = await getApplication(q, id, true);
  await requireIndependent(q, p, applicationSubject(app));
  await requireDecidable(q, p, app, now);
  // The catalogue may have changed since submission: approve only what it still holds.
  if (decision === 'approve') await requireCheckedScope(q, app.body, { step: 'decision' });
  await q.query(
    `UPDATE applications SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5, legal_references = $6, paused_since = NULL WHERE id = $1`,
    [id, decision === 'approve' ? 'approved' : 'rejected', p.userId, now, reason, JSON.stringify(legalReferences)],
  );
  if (decision === 'reject' && app.kind === 'new') await setProjectStatus(q, app.projectId, 'rejected', now);
  await recordCaseEvent(q, { applicationId: id, kind: 'decided', actor: p.userId, details: { decision, reason, legalReferences } }, now);
  const decided = decision === 'approve' ? 'approved' : 'rejected';
  await notify(
    q,
    [app.submittedBy],
    { kind: 'application.decided', params: { application: id, decision: decided }, link: `/applications/${id}`, projectId: app.projectId },
    now,
  );
  return getApplication(q, id);
}

export const applicationSubject = (app: Application) => ({ projectId: app.projectId, what: 'application', submittedBy: app.submittedBy, body: app.body });

/** Issues the permit (or its next version) from an approved application and activates the project. */
export async function issuePermit(q: Queryable, p: Principal, applicationId: string, expiresAt: string, reason: string, now: Date): Promise<Permit> {
  const app = await getApplication(q, applicationId, true);
  await lockProject(q, app.projectId);
  await requireIndependent(q, p, { ...applicationSubject(app), what: 'permit' });
  if (app.status !== 'approved') throw new ConflictError(`the application is ${app.status}, not approved`, { reason: 'not_approved' });
  const issued = await q.query('SELECT 1 FROM permits WHERE application_id = $1', [applicationId]);
  if (issued[0]) throw new ConflictError('a permit was already issued for this application', { reason: 'already_issued' });
  if (new Date(expiresAt) <= now) throw new ConflictError('the expiry must lie in the future', { reason: 'expiry_in_past', details: { field: 'expiresAt' } });
  await requireCheckedScope(q, app.body, { step: 'permit issue' });
  const project = await getProject(q, app.projectId);
  for (const m of app.body.members) await addMember(q, app.projectId, m.userId, m.role, p.userId);
  const members = await q.query<{ user_id: string }>('SELECT user_id FROM project_members WHERE project_id = $1 ORDER BY user_id', [app.projectId]);
  const permit = await insertPermitVersion(
    q,
    {
      projectId: app.projectId,
      applicationId,
      caseType: app.caseType,
      datasets: app.body.datasets,
      period: app.body.period,
      cohort: app.body.cohort,
      linkageAllowed: app.body.linkage,
      authorisedPersons: members.map((m) => m.user_id),
      legalBasis: project.legalBasis,
      expiresAt,
      issuedBy: p.userId,
      reason,
    },
    now,
  );
  if (project.status === 'applied') await setProjectStatus(q, app.projectId, 'active', now);
  await recordCaseEvent(q, { applicationId, kind: 'permit_issued', actor: p.userId, details: { permit: permit.id, version: permit.version } }, now);
  await notify(
    q,
    await projectMembers(q, app.projectId),
    { kind: 'permit.issued', params: { permit: permit.id, version: String(permit.version) }, link: `/projects/${app.projectId}`, projectId: app.projectId },
    now,
  );
  return permit;
}
