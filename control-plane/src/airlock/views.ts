/**
 * What callers see of a request: the request, its staged files with every check result (tables
 * cell by cell), the reviews as far as the viewer may see them, and its history.
 */
import type { Principal } from '../platform/index.ts';
import { hasOversight, requireProjectVisible } from '../projects/index.ts';
import type { Queryable } from '../store/index.ts';
import { requestProvenance } from './provenance.ts';
import { reviewView } from './review.ts';
import type { AirlockRequest, Direction, RequestDetail, RequestSummary } from './schemas.ts';
import { fileChecksForMember } from './table-answer.ts';
import { getRequest, listEvents, listFiles, listReviews } from './store.ts';

export type { RequestDetail, RequestSummary } from './schemas.ts';

export async function requestDetail(q: Queryable, principal: Principal, id: string, direction: Direction): Promise<RequestDetail> {
  const req = await getRequest(q, id, direction);
  await requireProjectVisible(q, principal, req.projectId);
  const [files, reviews, events] = await Promise.all([listFiles(q, id), listReviews(q, id), listEvents(q, id)]);
  const versions: string[] = [];
  for (let prev = req.previousId; prev; ) {
    versions.unshift(prev);
    prev = (await getRequest(q, prev, direction)).previousId;
  }
  const oversight = hasOversight(principal);
  // What an export's checks computed or quoted is data until reviewed: members outside the room see the verdicts.
  const shown = direction === 'export' && !oversight && principal.via !== 'room' ? files.map((f) => ({ ...f, checks: fileChecksForMember(f.checks) })) : files;
  const titles = await projectTitles(q, [req.projectId]);
  return {
    ...req,
    projectTitle: titles.get(req.projectId) ?? req.projectId,
    provenance: await requestProvenance(q, req, files),
    files: shown,
    reviews: reviewView(req, reviews, principal, oversight),
    events,
    versions,
  };
}

async function projectTitles(q: Queryable, ids: string[]): Promise<Map<string, string>> {
  const rows = await q.query<{ id: string; title: string }>('SELECT id, title FROM projects WHERE id = ANY($1)', [ids]);
  return new Map(rows.map((r) => [r.id, r.title]));
}

/** One row of a list or queue; `mine` tells a reviewer whether they have decided. */
export async function requestSummaries(q: Queryable, principal: Principal, rows: AirlockRequest[]): Promise<RequestSummary[]> {
  const decided = new Set(
    (await q.query<{ requestId: string }>('SELECT request_id AS "requestId" FROM airlock_reviews WHERE reviewer = $1', [principal.userId])).map(
      (r) => r.requestId,
    ),
  );
  const counts = new Map(
    (
      await q.query<{ requestId: string; n: string }>(
        'SELECT request_id AS "requestId", count(*) AS n FROM airlock_reviews WHERE request_id = ANY($1) GROUP BY request_id',
        [rows.map((r) => r.id)],
      )
    ).map((r) => [r.requestId, Number(r.n)]),
  );
  const titles = await projectTitles(q, [...new Set(rows.map((r) => r.projectId))]);
  return rows.map(({ policy: _policy, ...r }) => ({
    ...r,
    projectTitle: titles.get(r.projectId) ?? r.projectId,
    reviewsIn: counts.get(r.id) ?? 0,
    decidedByMe: decided.has(r.id),
  }));
}
