/**
 * Telling users about a change: `notify` writes one row per recipient in the caller's
 * transaction, so a notification exists exactly when the change it reports was committed.
 * Callers pass ids and names only (never a citizen's identity); the text is made when shown.
 */
import type { Queryable } from '../store/index.ts';
import type { NotificationKind } from './schemas.ts';

export interface NotificationInput {
  kind: NotificationKind;
  /** Ids and names the text refers to (an application id, a version); strings only. */
  params?: Record<string, string>;
  /** Where in the web UI the change is seen, a path such as `/applications/app_x`. */
  link?: string;
  projectId?: string;
}

/** Notifies each distinct user in `to` once; returns the number of rows written. */
export async function notify(q: Queryable, to: readonly string[], n: NotificationInput, now: Date): Promise<number> {
  const users = [...new Set(to)];
  if (!users.length) return 0;
  await q.query(
    `INSERT INTO notifications (user_id, kind, params, link, project_id, created_at)
     SELECT u, $2, $3, $4, $5, $6 FROM unnest($1::text[]) AS u`,
    [users, n.kind, JSON.stringify(n.params ?? {}), n.link ?? null, n.projectId ?? null, now],
  );
  return users.length;
}

/** The members of a project with the given roles (all when none given), for `notify`. */
export async function projectMembers(q: Queryable, projectId: string, roles?: readonly ('lead' | 'researcher')[]): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(
    `SELECT user_id FROM project_members WHERE project_id = $1 AND ($2::text[] IS NULL OR role = ANY($2)) ORDER BY user_id`,
    [projectId, roles ? [...roles] : null],
  );
  return rows.map((r) => r.user_id);
}

/**
 * The enabled access administrators who may review a request of the project: never members of
 * it (membership history counted, as `projects/independence.ts` rules) and not `requester`.
 */
export async function independentAccessAdmins(q: Queryable, projectId: string, requester: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'access_admin'
      WHERE NOT u.disabled AND u.id <> $2
        AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = $1 AND m.user_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM project_member_events e WHERE e.project_id = $1 AND e.user_id = u.id)
      ORDER BY u.id`,
    [projectId, requester],
  );
  return rows.map((r) => r.id);
}
