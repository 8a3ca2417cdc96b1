/**
 * What a project tells the public about itself (EHDS art. 58: the access body publishes the
 * permits it issued and the results of the projects): a plain-language summary and its results.
 *
 * When each may be published, decided here because the issue is silent:
 *   - the summary once a permit has been issued (the project was granted data). It is not a
 *     precondition of the permit: the register shows a granted project without one as
 *     "no summary yet", the way HDR UK's data use register lists a use before its lay summary;
 *   - the results once the project has released an export through the airlock (there is
 *     something to report) or has been closed (to report that it ended, with or without
 *     findings), as Findata asks of permit holders at the end of their permit.
 * Only a lead of the project writes them. Each edit is a new version; earlier ones are kept
 * (`project_publications` refuses updates and deletes) and shown to the project.
 */
import { ConflictError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import type { Publication, PublicationHistory, ProjectPublications } from './schemas.ts';

type Kind = Publication['kind'];

const COLUMNS = `kind, version, body AS text, link, published_at AS "publishedAt"`;

/** Why a kind of text cannot be published yet, or null when it can. */
async function notYet(q: Queryable, projectId: string, kind: Kind): Promise<string | null> {
  const [row] = await q.query<{ permit: boolean; released: boolean; closed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM permits WHERE project_id = $1) AS permit,
            EXISTS (SELECT 1 FROM airlock_requests WHERE project_id = $1 AND direction = 'export' AND status = 'approved') AS released,
            EXISTS (SELECT 1 FROM projects WHERE id = $1 AND status = 'closed') AS closed`,
    [projectId],
  );
  if (!row?.permit) return 'a summary and results are published once the project has a permit';
  if (kind === 'results' && !row.released && !row.closed) return 'results are published after the first released export, or when the project is closed';
  return null;
}

/** Publishes a new version of the project's summary or results; the caller has checked it is the lead. */
export async function publish(
  q: Queryable,
  projectId: string,
  kind: Kind,
  input: { text: string; link?: string | undefined },
  by: string,
  now: Date,
): Promise<Publication> {
  // One writer at a time per project, so versions are consecutive.
  await q.query('SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [projectId]);
  const why = await notYet(q, projectId, kind);
  if (why) throw new ConflictError(why, { reason: kind === 'summary' ? 'no_permit_yet' : 'no_results_yet' });
  const [row] = await q.query<Publication>(
    `INSERT INTO project_publications (project_id, kind, version, body, link, published_by, published_at)
     SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6 FROM project_publications WHERE project_id = $1 AND kind = $2
     RETURNING ${COLUMNS}`,
    [projectId, kind, input.text, kind === 'results' ? (input.link ?? null) : null, by, now],
  );
  return row!;
}

/** Every version of both texts, newest first, and whether the lead may publish each now. */
export async function publicationHistory(q: Queryable, projectId: string): Promise<PublicationHistory> {
  const rows = await q.query<Publication & { publishedBy: string }>(
    `SELECT ${COLUMNS}, published_by AS "publishedBy" FROM project_publications WHERE project_id = $1 ORDER BY kind, version DESC`,
    [projectId],
  );
  return {
    summaries: rows.filter((r) => r.kind === 'summary'),
    results: rows.filter((r) => r.kind === 'results'),
    canPublishSummary: (await notYet(q, projectId, 'summary')) === null,
    canPublishResults: (await notYet(q, projectId, 'results')) === null,
  };
}

/**
 * The latest summary and results of each project in `projectIds` (all projects of the public
 * register when null), in the order given or by first permit.
 */
export async function latestPublications(q: Queryable, projectIds: readonly string[] | null): Promise<ProjectPublications[]> {
  return q
    .query<ProjectPublications>(
      `SELECT p.id AS "projectId", p.title,
            (SELECT json_build_object('kind', kind, 'version', version, 'text', body, 'link', link, 'publishedAt', published_at)
               FROM project_publications WHERE project_id = p.id AND kind = 'summary' ORDER BY version DESC LIMIT 1) AS summary,
            (SELECT json_build_object('kind', kind, 'version', version, 'text', body, 'link', link, 'publishedAt', published_at)
               FROM project_publications WHERE project_id = p.id AND kind = 'results' ORDER BY version DESC LIMIT 1) AS results
       FROM projects p
       JOIN LATERAL (SELECT min(issued_at) AS first FROM permits WHERE project_id = p.id) f ON f.first IS NOT NULL
      WHERE $1::text[] IS NULL OR p.id = ANY($1)
      ORDER BY f.first, p.id`,
      [projectIds ? [...projectIds] : null],
    )
    .then((rows) => rows.map((r) => ({ ...r, summary: isoTime(r.summary), results: isoTime(r.results) })));
}

/** json_build_object writes a timestamptz in PostgreSQL's text form; the API answers ISO 8601. */
function isoTime(p: Publication | null): Publication | null {
  return p ? { ...p, publishedAt: new Date(p.publishedAt).toISOString() } : null;
}
