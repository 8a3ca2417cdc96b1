/**
 * Who may see and use a project. Oversight roles (access administrators, auditors, platform
 * admins) see every project; everyone else sees the projects they are members of. Using the
 * data (rooms, copies, exports) needs membership, a place among the permit's authorised
 * persons, and a permit that has not expired on a project that is not closed: the one rule in
 * `data-access.ts`.
 */
import { NotAllowedError, NotFoundError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { dataAccessOf, dataAccessRefusal, type DataAccessVerdict } from './data-access.ts';
import { currentPermit } from './permits.ts';
import type { Permit } from './schemas.ts';

const OVERSIGHT = ['access_admin', 'auditor', 'platform_admin'] as const;

export function hasOversight(p: Principal): boolean {
  return p.roles.some((r) => (OVERSIGHT as readonly string[]).includes(r));
}

export async function memberRole(q: Queryable, projectId: string, userId: string): Promise<'lead' | 'researcher' | null> {
  const rows = await q.query<{ role: 'lead' | 'researcher' }>('SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2', [projectId, userId]);
  return rows[0]?.role ?? null;
}

async function projectStatus(q: Queryable, projectId: string): Promise<string> {
  const rows = await q.query<{ status: string }>('SELECT status FROM projects WHERE id = $1', [projectId]);
  if (!rows[0]) throw new NotFoundError(`no project '${projectId}'`, { reason: 'no_such_project' });
  return rows[0].status;
}

/** Throws NotFound for unknown projects, NotAllowed for non-members without oversight. Returns the member role, if any. */
export async function requireProjectVisible(q: Queryable, p: Principal, projectId: string): Promise<'lead' | 'researcher' | null> {
  await projectStatus(q, projectId);
  const role = await memberRole(q, projectId, p.userId);
  if (!role && !hasOversight(p)) throw new NotAllowedError('you are not a member of this project', { reason: 'not_a_member' });
  return role;
}

export async function requireProjectLead(q: Queryable, p: Principal, projectId: string): Promise<void> {
  await projectStatus(q, projectId);
  if ((await memberRole(q, projectId, p.userId)) !== 'lead') throw new NotAllowedError('only the project lead may do this', { reason: 'not_project_lead' });
}

/** The permit in force, or a refusal naming why the project cannot be opened (the gate's project steps). */
export async function requireOpenPermit(q: Queryable, projectId: string, now: Date): Promise<Permit> {
  return permitPassing(q, await dataAccessOf(q, projectId, null, now), projectId);
}

async function permitPassing(q: Queryable, verdict: DataAccessVerdict, projectId: string): Promise<Permit> {
  if (verdict.reason) throw dataAccessRefusal({ ...verdict, reason: verdict.reason }, projectId);
  const permit = await currentPermit(q, projectId);
  // Permit versions are never deleted: the one the gate passed is there.
  if (!permit) throw new Error(`permit of project '${projectId}' vanished`);
  return permit;
}

/** Member, authorised by the permit in force: the gate for rooms, data copies and exports (`data-access.ts`). */
export async function requireDataAccess(q: Queryable, p: Principal, projectId: string, now: Date): Promise<Permit> {
  return permitPassing(q, await dataAccessOf(q, projectId, p.userId, now), projectId);
}
