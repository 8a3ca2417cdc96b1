/**
 * Separation of duties: the one rule every decision about a project's access goes through —
 * deciding an application, issuing or amending a permit, closing a project, reviewing an export
 * or an import. The decider must be independent of what they decide:
 *
 *   - `own_request`: they did not submit the application or make the airlock request;
 *   - `named_in_application`: the application (or amendment) does not name them, as a member,
 *     an authorised person or anywhere else a user id appears in it;
 *   - `member_of_project`: they are not, and never were, a member of the project.
 *
 * "Never were" reads the membership history (`project_member_events`, written by a trigger on
 * every change of `project_members`). A project's history starts with its application, so this
 * covers "since the application" for applications and permits, and "at request time" for the
 * airlock, without comparing clocks; it also refuses someone who joined after the request and
 * left before deciding, which no independent reviewer does.
 */
import { NotAllowedError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';

export type DutyConflict = 'own_request' | 'named_in_application' | 'member_of_project';

export interface DecisionSubject {
  projectId: string;
  /** What is being decided, for the refusal's message: `application`, `permit`, `export request`, … */
  what: string;
  /** Who submitted or requested it. */
  submittedBy?: string | null | undefined;
  /** The request's body as submitted: every user id it names (members, authorised persons) is a party. */
  body?: unknown;
}

/** Has the user ever been a member of the project (now or in the past)? */
export async function everMember(q: Queryable, projectId: string, userId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM project_member_events WHERE project_id = $1 AND user_id = $2
     UNION ALL SELECT 1 FROM project_members WHERE project_id = $1 AND user_id = $2 LIMIT 1`,
    [projectId, userId],
  );
  return rows.length > 0;
}

/** User ids named in a submitted body: members' `userId`, `authorisedPersons`, and any other user field. */
export function namedUsers(body: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, key: string | null): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, key);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, k);
    } else if (typeof v === 'string' && key !== null && USER_FIELDS.test(key)) {
      out.add(v);
    }
  };
  walk(body, null);
  return out;
}
const USER_FIELDS = /^(userId|user|authorisedPersons|members|lead|controller|submittedBy|requestedBy)$/i;

/** Throws `NotAllowedError` with the conflict as `reason` unless the principal is independent of the subject. */
export async function requireIndependent(q: Queryable, p: Principal, s: DecisionSubject): Promise<void> {
  const refuse = (reason: DutyConflict, message: string) => new NotAllowedError(message, { reason, details: { conflict: reason } });
  if (s.submittedBy === p.userId) throw refuse('own_request', `you cannot decide on your own ${s.what}`);
  if (namedUsers(s.body).has(p.userId)) throw refuse('named_in_application', `you are named in this ${s.what}, so you cannot decide on it`);
  if (await everMember(q, s.projectId, p.userId)) {
    throw refuse('member_of_project', `you are or were a member of this project, so you cannot decide on its ${s.what}`);
  }
}

/**
 * Every project keeps enough independent access administrators to decide on it: a lead who made
 * every administrator a member would otherwise leave its exports, amendments and closure with no
 * one allowed to decide them (the rule above counts past members too). So a member who holds the
 * access-administrator role is added only while at least `min` other enabled administrators who
 * never were members remain (two: the airlock's independent reviewers).
 */
export async function requireIndependentDecidersRemain(q: Queryable, projectId: string, newMemberId: string, min = 2): Promise<void> {
  const rows = await q.query<{ admin: boolean; left: string }>(
    `SELECT EXISTS (SELECT 1 FROM user_roles WHERE user_id = $2 AND role = 'access_admin') AS admin,
            (SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'access_admin'
              WHERE NOT u.disabled AND u.id <> $2
                AND NOT EXISTS (SELECT 1 FROM project_member_events e WHERE e.project_id = $1 AND e.user_id = u.id)
                AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = $1 AND m.user_id = u.id)) AS left`,
    [projectId, newMemberId],
  );
  const { admin, left } = rows[0]!;
  if (admin && Number(left) < min) {
    throw new NotAllowedError(`adding ${newMemberId} would leave fewer than ${min} independent access administrators to decide on this project`, {
      reason: 'no_independent_deciders_left',
      details: { independentLeft: Number(left), required: min },
    });
  }
}
