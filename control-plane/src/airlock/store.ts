/**
 * The airlock's rows (see migration 0300-airlock.sql). Requests change status; files,
 * reviews, events and the release ledger are only ever inserted.
 */
import { NotFoundError } from '../errors/index.ts';
import type { LedgerTable } from '../disclosure/index.ts';
import type { Queryable } from '../store/index.ts';
import type { AirlockEvent, AirlockFile, AirlockRequest, CheckStatus, Direction, FileDecision, RequestStatus, Review } from './schemas.ts';

export type { AirlockEvent, AirlockFile, AirlockRequest, Decision, Direction, RequestStatus, Review } from './schemas.ts';

/** An event to record: its number is the store's. */
export type NewEvent = AirlockEvent extends infer E ? (E extends AirlockEvent ? Omit<E, 'seq'> : never) : never;

const REQUEST = `SELECT r.id, r.direction, r.project_id AS "projectId", r.requested_by AS "requestedBy", r.purpose, r.status, r.version,
  r.previous_id AS "previousId", (SELECT n.id FROM airlock_requests n WHERE n.previous_id = r.id) AS "nextId",
  r.approvals_required AS "approvalsRequired", r.policy, r.checks_status AS "checksStatus", r.created_at AS "createdAt",
  r.submitted_at AS "submittedAt", r.decided_at AS "decidedAt" FROM airlock_requests r`;

export async function insertRequest(q: Queryable, r: Omit<AirlockRequest, 'nextId' | 'decidedAt'>): Promise<void> {
  await q.query(
    `INSERT INTO airlock_requests (id, direction, project_id, requested_by, purpose, status, version, previous_id, approvals_required, policy,
       checks_status, created_at, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      r.id,
      r.direction,
      r.projectId,
      r.requestedBy,
      r.purpose,
      r.status,
      r.version,
      r.previousId,
      r.approvalsRequired,
      JSON.stringify(r.policy),
      r.checksStatus,
      r.createdAt,
      r.submittedAt,
    ],
  );
}

/** `lock`: takes the row lock, so concurrent reviews and withdrawals of one request serialise. */
export async function getRequest(q: Queryable, id: string, direction: Direction, lock = false): Promise<AirlockRequest> {
  if (lock) await q.query('SELECT 1 FROM airlock_requests WHERE id = $1 FOR UPDATE', [id]);
  const rows = await q.query<AirlockRequest>(`${REQUEST} WHERE r.id = $1 AND r.direction = $2`, [id, direction]);
  if (!rows[0]) throw new NotFoundError(`no ${direction} request '${id}'`, { reason: `no_such_${direction}` });
  return rows[0];
}

export async function listRequests(q: Queryable, filter: { direction: Direction; projectId?: string; status?: RequestStatus }): Promise<AirlockRequest[]> {
  const where = ['r.direction = $1'];
  const params: unknown[] = [filter.direction];
  if (filter.projectId) where.push(`r.project_id = $${params.push(filter.projectId)}`);
  if (filter.status) where.push(`r.status = $${params.push(filter.status)}`);
  return q.query<AirlockRequest>(`${REQUEST} WHERE ${where.join(' AND ')} ORDER BY r.created_at, r.id`, params);
}

export async function setStatus(q: Queryable, id: string, status: RequestStatus, at: Date, field: 'decided_at' | 'submitted_at' | null): Promise<void> {
  await q.query(`UPDATE airlock_requests SET status = $2${field ? `, ${field} = $3` : ''} WHERE id = $1`, field ? [id, status, at] : [id, status]);
}

export async function setChecksStatus(q: Queryable, id: string, status: CheckStatus): Promise<void> {
  await q.query('UPDATE airlock_requests SET checks_status = $2 WHERE id = $1', [id, status]);
}

export async function insertFile(q: Queryable, requestId: string, f: AirlockFile, ledger: unknown): Promise<void> {
  await q.query(
    `INSERT INTO airlock_files (request_id, id, name, description, size_bytes, sha256, content_type, table_request, checks, check_status, ledger, staged_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      requestId,
      f.id,
      f.name,
      f.description,
      f.sizeBytes,
      f.sha256,
      f.contentType,
      f.tableRequest === null ? null : JSON.stringify(f.tableRequest),
      JSON.stringify(f.checks),
      f.checkStatus,
      ledger === null ? null : JSON.stringify(ledger),
      f.stagedAt,
    ],
  );
  if (f.origin) {
    await q.query('INSERT INTO airlock_file_origins (request_id, file_id, notebook, record) VALUES ($1, $2, $3, $4)', [
      requestId,
      f.id,
      f.origin.notebook,
      f.origin.record,
    ]);
  }
}

export async function listFiles(q: Queryable, requestId: string): Promise<AirlockFile[]> {
  const rows = await q.query<AirlockFile & { sizeBytes: string | number }>(
    `SELECT f.id, f.name, f.description, f.size_bytes AS "sizeBytes", f.sha256, f.content_type AS "contentType", f.table_request AS "tableRequest",
       f.checks, f.check_status AS "checkStatus", f.staged_at AS "stagedAt",
       CASE WHEN o.notebook IS NULL THEN NULL ELSE json_build_object('notebook', o.notebook, 'record', o.record) END AS origin
     FROM airlock_files f LEFT JOIN airlock_file_origins o ON o.request_id = f.request_id AND o.file_id = f.id
     WHERE f.request_id = $1 ORDER BY f.staged_at, f.id`,
    [requestId],
  );
  return rows.map(({ origin, ...r }) => ({ ...r, sizeBytes: Number(r.sizeBytes), ...(origin ? { origin } : {}) }));
}

export async function fileLedgers(
  q: Queryable,
  requestId: string,
): Promise<Array<{ id: string; name: string; ledger: Omit<LedgerTable, 'id' | 'source'>; source: string }>> {
  return q.query(
    `SELECT id, name, ledger, coalesce(table_request->'source'->>'copy', table_request->'source'->>'output', '') AS source
     FROM airlock_files WHERE request_id = $1 AND ledger IS NOT NULL ORDER BY id`,
    [requestId],
  );
}

export async function listReviews(q: Queryable, requestId: string): Promise<Review[]> {
  const reviews = await q.query<Review>(
    `SELECT reviewer, decision, reason, over_failed_check AS "overFailedCheck", decided_at AS "decidedAt"
     FROM airlock_reviews WHERE request_id = $1 ORDER BY decided_at, reviewer`,
    [requestId],
  );
  const files = await q.query<FileDecision & { reviewer: string }>(
    `SELECT reviewer, file_id AS file, decision, comment FROM airlock_file_reviews WHERE request_id = $1
     ORDER BY reviewer, (substring(file_id from 2))::int`,
    [requestId],
  );
  return reviews.map((r) => {
    const mine = files.filter((f) => f.reviewer === r.reviewer).map(({ reviewer: _reviewer, ...f }) => f);
    return mine.length ? { ...r, files: mine } : r;
  });
}

export async function insertReview(q: Queryable, requestId: string, r: Review): Promise<void> {
  await q.query(`INSERT INTO airlock_reviews (request_id, reviewer, decision, reason, over_failed_check, decided_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    requestId,
    r.reviewer,
    r.decision,
    r.reason,
    r.overFailedCheck,
    r.decidedAt,
  ]);
  for (const f of r.files ?? []) {
    await q.query('INSERT INTO airlock_file_reviews (request_id, reviewer, file_id, decision, comment) VALUES ($1, $2, $3, $4, $5)', [
      requestId,
      r.reviewer,
      f.file,
      f.decision,
      f.comment,
    ]);
  }
}

export async function addEvent(q: Queryable, requestId: string, e: NewEvent): Promise<void> {
  await q.query('INSERT INTO airlock_events (request_id, at, actor, event, reason, details) VALUES ($1, $2, $3, $4, $5, $6)', [
    requestId,
    e.at,
    e.actor,
    e.event,
    e.reason,
    JSON.stringify(e.details),
  ]);
}

export async function listEvents(q: Queryable, requestId: string): Promise<AirlockEvent[]> {
  const rows = await q.query<AirlockEvent & { seq: string | number }>(
    'SELECT seq, at, actor, event, reason, details FROM airlock_events WHERE request_id = $1 ORDER BY seq',
    [requestId],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/** The project's released tables, oldest first, as the differencing check reads them. */
export async function projectLedger(q: Queryable, projectId: string): Promise<LedgerTable[]> {
  const rows = await q.query<{ requestId: string; fileId: string; ledger: Omit<LedgerTable, 'id'> }>(
    `SELECT request_id AS "requestId", file_id AS "fileId", ledger FROM release_ledger WHERE project_id = $1 ORDER BY released_at, request_id, file_id`,
    [projectId],
  );
  return rows.map((r) => ({ ...r.ledger, id: `${r.requestId}/${r.fileId}` }));
}

export async function addToLedger(
  q: Queryable,
  projectId: string,
  requestId: string,
  fileId: string,
  ledger: Omit<LedgerTable, 'id'>,
  at: Date,
): Promise<void> {
  await q.query('INSERT INTO release_ledger (project_id, request_id, file_id, ledger, released_at) VALUES ($1, $2, $3, $4, $5)', [
    projectId,
    requestId,
    fileId,
    JSON.stringify(ledger),
    at,
  ]);
}

/**
 * What a new table is compared with: the released tables, and the tables of the project's
 * requests still in review. Two requests in review at once would otherwise each be checked
 * only against what was released before either, and both could be approved.
 */
export async function differencingBase(q: Queryable, projectId: string): Promise<LedgerTable[]> {
  const pending = await q.query<{ requestId: string; fileId: string; source: string; ledger: Omit<LedgerTable, 'id' | 'source'> }>(
    `SELECT f.request_id AS "requestId", f.id AS "fileId", f.ledger,
       coalesce(f.table_request->'source'->>'copy', f.table_request->'source'->>'output', '') AS source
     FROM airlock_files f JOIN airlock_requests r ON r.id = f.request_id
     WHERE r.project_id = $1 AND r.direction = 'export' AND r.status = 'in_review' AND f.ledger IS NOT NULL
     ORDER BY r.created_at, f.id`,
    [projectId],
  );
  return [...(await projectLedger(q, projectId)), ...pending.map((p) => ({ ...p.ledger, source: p.source, id: `${p.requestId}/${p.fileId}` }))];
}

/**
 * The newest approved export of the project, other than `exceptId`, with a file of this name and
 * the same table request spec (or none, as this one): the same output approved before.
 */
export async function latestApprovedLike(
  q: Queryable,
  projectId: string,
  exceptId: string,
  file: Pick<AirlockFile, 'name' | 'tableRequest'>,
): Promise<{ requestId: string; fileId: string } | null> {
  const rows = await q.query<{ requestId: string; fileId: string }>(
    `SELECT f.request_id AS "requestId", f.id AS "fileId" FROM airlock_files f JOIN airlock_requests r ON r.id = f.request_id
     WHERE r.project_id = $1 AND r.direction = 'export' AND r.status = 'approved' AND r.id <> $2 AND f.name = $3
       AND coalesce(f.table_request->'spec', 'null'::jsonb) = $4::jsonb
     ORDER BY r.decided_at DESC, r.id DESC LIMIT 1`,
    [projectId, exceptId, file.name, JSON.stringify(file.tableRequest?.spec ?? null)],
  );
  return rows[0] ?? null;
}
