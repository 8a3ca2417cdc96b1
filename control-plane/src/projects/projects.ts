import { randomBytes } from 'node:crypto';
import { ConflictError, InputError, NotFoundError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { hasOversight } from './access.ts';
import { currentPermit } from './permits.ts';
import type { z } from 'zod';
import { LEGAL_BASES, type Project, type ProjectDetail, type projectInputSchema, type PublicProject } from './schemas.ts';

const SELECT = `SELECT id, title, purpose, data_controllers AS "dataControllers", legal_basis AS "legalBasis", ethics_ref AS "ethicsRef",
  json_build_object('from', period_from, 'to', period_to) AS period,
  CASE WHEN consent_text IS NULL THEN NULL ELSE json_build_object('text', consent_text, 'version', consent_version) END AS consent, status, created_by AS "createdBy", created_at AS "createdAt",
  closed_at AS "closedAt" FROM projects`;

export async function createProject(q: Queryable, input: z.infer<typeof projectInputSchema>, by: string, id?: string): Promise<Project> {
  const pid = id ?? `prj_${randomBytes(5).toString('hex')}`;
  await q.query(
    `INSERT INTO projects (id, title, purpose, data_controllers, legal_basis, ethics_ref, period_from, period_to, status, created_by, consent_text, consent_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'applied', $9, $10, $11)`,
    [
      pid,
      input.title,
      input.purpose,
      input.dataControllers,
      input.legalBasis,
      input.ethicsRef ?? null,
      input.period.from,
      input.period.to,
      by,
      input.consent?.text ?? null,
      input.consent?.version ?? null,
    ],
  );
  return getProject(q, pid);
}

export async function getProject(q: Queryable, id: string): Promise<Project> {
  const rows = await q.query<Project>(`${SELECT} WHERE id = $1`, [id]);
  if (!rows[0]) throw new NotFoundError(`no project '${id}'`, { reason: 'no_such_project' });
  return rows[0];
}

export async function projectDetail(q: Queryable, id: string): Promise<ProjectDetail> {
  const project = await getProject(q, id);
  const members = await q.query<ProjectDetail['members'][number]>(
    `SELECT m.user_id AS "userId", u.display_name AS "displayName", m.role FROM project_members m JOIN users u ON u.id = m.user_id
      WHERE m.project_id = $1 ORDER BY m.role, m.user_id`,
    [id],
  );
  return { ...project, members, permit: (await currentPermit(q, id)) ?? null };
}

/** Oversight roles see all projects; others the projects they are members of. */
export async function listProjects(q: Queryable, p: Principal): Promise<Project[]> {
  if (hasOversight(p)) return q.query<Project>(`${SELECT} ORDER BY created_at, id`);
  return q.query<Project>(`${SELECT} WHERE id IN (SELECT project_id FROM project_members WHERE user_id = $1) ORDER BY created_at, id`, [p.userId]);
}

/**
 * Serialises membership changes with decisions about the project (permit issue): a decision
 * checks the members and authorises them under the same lock, so no member slips in between.
 */
export async function lockProject(q: Queryable, projectId: string): Promise<void> {
  await q.query('SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
}

export async function addMember(q: Queryable, projectId: string, userId: string, role: 'lead' | 'researcher', by: string): Promise<void> {
  await lockProject(q, projectId);
  const user = await q.query('SELECT 1 FROM users WHERE id = $1 AND NOT disabled', [userId]);
  if (!user[0]) throw new InputError(`no active user '${userId}'`, { reason: 'no_such_user', details: { field: 'userId' } });
  await q.query(
    `INSERT INTO project_members (project_id, user_id, role, added_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
    [projectId, userId, role, by],
  );
}

export async function removeMember(q: Queryable, projectId: string, userId: string): Promise<void> {
  await lockProject(q, projectId);
  const leads = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM project_members WHERE project_id = $1 AND role = 'lead' AND user_id <> $2`, [
    projectId,
    userId,
  ]);
  const isLead = await q.query(`SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2 AND role = 'lead'`, [projectId, userId]);
  if (isLead[0] && (leads[0]?.n ?? 0) === 0) throw new ConflictError('a project keeps at least one lead', { reason: 'last_lead' });
  await q.query('DELETE FROM project_members WHERE project_id = $1 AND user_id = $2', [projectId, userId]);
}

export async function setProjectStatus(q: Queryable, id: string, status: Project['status'], at: Date): Promise<void> {
  await q.query(`UPDATE projects SET status = $2, closed_at = CASE WHEN $2 = 'closed' THEN $3::timestamptz ELSE closed_at END WHERE id = $1`, [id, status, at]);
}

/** Projects that were ever granted data (a permit), as the public may know them: no members, no cohort details. */
export async function publicRegister(q: Queryable, now: Date): Promise<PublicProject[]> {
  const rows = await q.query<Omit<PublicProject, 'legalBasisLabel'>>(
    `SELECT p.id, p.title, p.purpose, p.data_controllers AS "dataControllers", p.legal_basis AS "legalBasis",
            json_build_object('from', p.period_from, 'to', p.period_to) AS period,
            CASE WHEN p.status = 'closed' OR cur.expires_at <= $1 THEN 'closed' ELSE 'active' END AS status,
            (SELECT array_agg(DISTINCT d->>'dataset' ORDER BY d->>'dataset') FROM permits pv, jsonb_array_elements(pv.datasets) d WHERE pv.project_id = p.id) AS datasets,
            first.issued_at AS "permitIssuedAt", cur.expires_at AS "permitExpiresAt"
       FROM projects p
       JOIN LATERAL (SELECT issued_at FROM permits WHERE project_id = p.id ORDER BY version LIMIT 1) first ON true
       JOIN LATERAL (SELECT expires_at FROM permits WHERE project_id = p.id ORDER BY version DESC LIMIT 1) cur ON true
      ORDER BY first.issued_at, p.id`,
    [now],
  );
  return rows.map((r) => ({ ...r, legalBasisLabel: LEGAL_BASES[r.legalBasis].label }));
}
