/**
 * Attachments of a case: an ethics committee's approval, the protocol, a data protection impact
 * assessment. The uploader names the type; the content type is decided by the bytes, never by
 * the name or the client's header: PDF (`%PDF-`), PNG, JPEG, or UTF-8 text, nothing else (the
 * formats an access body reads, and none that a browser would run). Each is hashed (SHA-256),
 * kept whole in one row that no one may change or delete (a trigger refuses), and served back as
 * a download (`Content-Disposition: attachment`, `nosniff`) to the applicant and case handlers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InputError, NotFoundError } from '../errors/index.ts';
import { notify, projectMembers } from '../notifications/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { getApplication } from './applications.ts';
import { recordCaseEvent } from './case-events.ts';
import { sideOf } from './case-flow.ts';
import { requireOpen } from './case-state.ts';
import type { CaseAttachment } from './schemas.ts';

export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'text/plain; charset=utf-8'] as const;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The content type of `bytes` by their first bytes (and, for text, by decoding them whole), or null. */
export function sniffContentType(bytes: Buffer): (typeof ATTACHMENT_TYPES)[number] | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.subarray(0, 8).equals(PNG)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  // Control characters other than tab, line feed, form feed and carriage return: not a text.
  return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? null : 'text/plain; charset=utf-8';
}

const SELECT = `SELECT id, application_id AS "applicationId", type, filename, content_type AS "contentType", size_bytes AS "sizeBytes",
  sha256, uploaded_by AS "uploadedBy", uploaded_at AS "uploadedAt" FROM case_attachments`;

export async function listAttachments(q: Queryable, applicationId: string): Promise<CaseAttachment[]> {
  return q.query<CaseAttachment>(`${SELECT} WHERE application_id = $1 ORDER BY seq`, [applicationId]);
}

/** Checks the caller may attach to the case before a byte of the body is read. */
export async function requireMayAttach(q: Queryable, p: Principal, applicationId: string): Promise<void> {
  const app = await getApplication(q, applicationId);
  await sideOf(q, p, app);
  requireOpen(app);
}

export async function addAttachment(
  q: Queryable,
  p: Principal,
  applicationId: string,
  meta: { type: string; filename: string },
  bytes: Buffer,
  now: Date,
): Promise<CaseAttachment> {
  const app = await getApplication(q, applicationId, true);
  const side = await sideOf(q, p, app);
  requireOpen(app);
  if (bytes.length === 0) throw new InputError('the attachment is empty', { reason: 'empty_attachment', details: { field: 'body' } });
  const contentType = sniffContentType(bytes);
  if (!contentType) {
    throw new InputError('an attachment must be a PDF, a PNG or JPEG image, or UTF-8 text', {
      reason: 'unsupported_attachment_type',
      details: { field: 'body', allowed: [...ATTACHMENT_TYPES] },
    });
  }
  const id = `att_${randomBytes(8).toString('hex')}`;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await q.query(
    `INSERT INTO case_attachments (id, application_id, type, filename, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, applicationId, meta.type, meta.filename, contentType, bytes.length, sha256, bytes, p.userId, now],
  );
  await recordCaseEvent(
    q,
    { applicationId, kind: 'attachment_added', actor: p.userId, details: { attachment: id, type: meta.type, filename: meta.filename, sha256, side } },
    now,
  );
  const others = side === 'applicant' ? (app.assignedTo ? [app.assignedTo] : []) : await projectMembers(q, app.projectId, ['lead']);
  await notify(
    q,
    others,
    { kind: 'application.message', params: { application: applicationId }, link: `/applications/${applicationId}`, projectId: app.projectId },
    now,
  );
  const rows = await q.query<CaseAttachment>(`${SELECT} WHERE id = $1`, [id]);
  return rows[0]!;
}

/** The attachment's bytes, re-hashed against what was recorded at upload: a mismatch is refused, never served. */
export async function readAttachment(
  q: Queryable,
  p: Principal,
  applicationId: string,
  attachmentId: string,
): Promise<{ meta: CaseAttachment; bytes: Buffer; projectId: string }> {
  const app = await getApplication(q, applicationId);
  await sideOf(q, p, app);
  const rows = await q.query<CaseAttachment & { content: Buffer }>(
    `SELECT a.*, content FROM (${SELECT} WHERE id = $1 AND application_id = $2) a JOIN case_attachments c USING (id)`,
    [attachmentId, applicationId],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`no attachment '${attachmentId}' on this application`, { reason: 'no_such_attachment' });
  const { content, ...meta } = row;
  if (createHash('sha256').update(content).digest('hex') !== meta.sha256) {
    throw new Error(`attachment '${attachmentId}' does not match its recorded sha256`);
  }
  return { meta, bytes: content, projectId: app.projectId };
}
