/**
 * The data-access gate, defined once: who may use a project's data (rooms, data copies, exports).
 * A subject (a project and a user) passes when, checked in this order,
 *   1. the project exists                         (else `no_such_project`),
 *   2. the user is a member of it                 (else `not_a_member`),
 *   3. the project is not closed                  (else `project_closed`),
 *   4. it has a data permit                       (else `no_permit`),
 *   5. the permit in force (its latest version) has not expired  (else `permit_expired`),
 *   6. the permit names the user among its authorised persons    (else `not_authorised_by_permit`).
 * The rule is one SQL query over a set of subjects (`dataAccessVerdicts`): the reconcile loop asks
 * it for every live room at once, `requireDataAccess` for one subject, so a room is stopped for
 * exactly the reason the API and the proxy refuse its owner with. A subject without a user is
 * judged on the project's steps alone (1, 3, 4, 5): whether the project has a permit in force.
 */
import { NotAllowedError, NotFoundError, type DataAccessReason, type DomainError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';

export interface DataAccessVerdict {
  /** The subject's key, as the subjects query named it. */
  key: string;
  /** Why the subject may not use the data; null when it may. */
  reason: DataAccessReason | null;
  /** When the permit in force expires, ISO 8601 (null without one). */
  expiresAt: string | null;
}

/**
 * The gate for every row of `subjects`, a query giving `key`, `project_id` and `user_id` columns.
 * `$1` is the time the permit is judged at; the subjects query's own parameters are `$2` onwards.
 */
export async function dataAccessVerdicts(q: Queryable, subjects: string, now: Date, params: unknown[] = []): Promise<DataAccessVerdict[]> {
  return q.query<DataAccessVerdict>(
    `
    SELECT s.key, CASE
        WHEN p.id IS NULL THEN 'no_such_project'
        WHEN s.user_id IS NOT NULL AND m.user_id IS NULL THEN 'not_a_member'
        WHEN p.status = 'closed' THEN 'project_closed'
        WHEN pm.version IS NULL THEN 'no_permit'
        WHEN pm.expires_at <= $1 THEN 'permit_expired'
        WHEN s.user_id IS NOT NULL AND NOT (s.user_id = ANY (pm.authorised_persons)) THEN 'not_authorised_by_permit'
      END AS reason, pm.expires_at AS "expiresAt"
      FROM (${subjects}) s
      LEFT JOIN projects p ON p.id = s.project_id
      LEFT JOIN project_members m ON m.project_id = s.project_id AND m.user_id = s.user_id
      LEFT JOIN LATERAL (SELECT version, expires_at, authorised_persons FROM permits WHERE project_id = s.project_id ORDER BY version DESC LIMIT 1) pm ON true`,
    [now, ...params],
  );
}

const ONE_SUBJECT = `SELECT ''::text AS key, $2::text AS project_id, $3::text AS user_id`;

/** The gate for one user on one project, or (`userId` null) for the project alone. */
export async function dataAccessOf(q: Queryable, projectId: string, userId: string | null, now: Date): Promise<DataAccessVerdict> {
  const [v] = await dataAccessVerdicts(q, ONE_SUBJECT, now, [projectId, userId]);
  if (!v) throw new Error('the data-access gate answered no row for one subject');
  return v;
}

/** The refusal the API answers a failed gate with: an unknown project is not found, everything else not allowed. */
export function dataAccessRefusal(v: DataAccessVerdict & { reason: DataAccessReason }, projectId: string): DomainError {
  switch (v.reason) {
    case 'no_such_project':
      return new NotFoundError(`no project '${projectId}'`, { reason: v.reason });
    case 'not_a_member':
      return new NotAllowedError('you are not a member of this project', { reason: v.reason });
    case 'project_closed':
      return new NotAllowedError('the project is closed', { reason: v.reason });
    case 'no_permit':
      return new NotAllowedError('the project has no data permit', { reason: v.reason });
    case 'permit_expired':
      return new NotAllowedError(`the data permit expired at ${v.expiresAt}`, { reason: v.reason });
    case 'not_authorised_by_permit':
      return new NotAllowedError('the data permit does not authorise you', { reason: v.reason });
  }
}
