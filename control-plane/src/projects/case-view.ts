/**
 * The case page's one read: the application, its history in order, its attachments, and where
 * it led (the permit issued from it and the project's first data copy under that permit), with
 * what the caller may do next. The applicant's side (the project's leads) and oversight roles
 * read a case; a researcher of the project does not (the dialogue is between lead and access body).
 */
import { NotAllowedError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { hasOversight, memberRole } from './access.ts';
import { getApplication } from './applications.ts';
import { listAttachments } from './case-attachments.ts';
import { requireHandler } from './case-flow.ts';
import { isOpen } from './case-state.ts';
import { getProject } from './projects.ts';
import type { CaseDetail, CaseEvent } from './schemas.ts';

export async function caseDetail(q: Queryable, p: Principal, id: string, now: Date): Promise<CaseDetail> {
  const application = await getApplication(q, id, false, now);
  const lead = (await memberRole(q, application.projectId, p.userId)) === 'lead';
  if (!lead && !hasOversight(p)) throw new NotAllowedError("only the project's lead and the access body read a case", { reason: 'not_the_applicant' });
  const handler =
    !lead &&
    (await requireHandler(q, p, application).then(
      () => true,
      () => false,
    ));
  const history = await q.query<CaseEvent>(
    `SELECT e.id::float8 AS id, e.kind, e.actor, coalesce(u.display_name, e.actor) AS "actorName", e.at, e.details
       FROM case_events e LEFT JOIN users u ON u.id = e.actor WHERE e.application_id = $1 ORDER BY e.at, e.id`,
    [id],
  );
  const permits = await q.query<{ id: string; version: number }>('SELECT id, version FROM permits WHERE application_id = $1 ORDER BY version LIMIT 1', [id]);
  const permit = permits[0] ?? null;
  const copies = permit
    ? await q.query<NonNullable<CaseDetail['firstCopy']>>(
        `SELECT copy_version AS version, created_at AS "createdAt", person_count AS "personCount" FROM data_copies
          WHERE project_id = $1 AND permit_id = $2 AND permit_version = $3 ORDER BY copy_version LIMIT 1`,
        [application.projectId, permit.id, permit.version],
      )
    : [];
  const open = isOpen(application);
  return {
    application,
    projectTitle: (await getProject(q, application.projectId)).title,
    history,
    attachments: await listAttachments(q, id),
    permit,
    firstCopy: copies[0] ?? null,
    can: {
      handle: handler && open,
      answer: lead && application.status === 'awaiting_applicant',
      withdraw: lead && open,
      write: lead || handler,
      attach: (lead || handler) && open,
    },
  };
}
