/**
 * The case's API: the case page's read, pre-screening, requests for information and answers,
 * messages, assignment, withdrawal, and attachments (uploaded as the raw body, `application/
 * octet-stream`, read only once the caller may attach, streamed under the size limit: 413 naming
 * it, nothing stored). Every upload and download is audited with the attachment's hash.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { bytes, defineRoute, streamBodyToFile, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { addAttachment, readAttachment, requireMayAttach } from './case-attachments.ts';
import { casesOptions } from './case-options.ts';
import { answerInformation, assignCase, prescreen, requestInformation, sendMessage, withdrawApplication } from './case-flow.ts';
import { caseDetail } from './case-view.ts';
import {
  applicationId,
  applicationSchema,
  assignmentInputSchema,
  attachmentId,
  attachmentQuerySchema,
  caseAttachmentSchema,
  caseDetailSchema,
  caseMessageInputSchema,
  infoAnswerInputSchema,
  infoRequestInputSchema,
  prescreenInputSchema,
  withdrawalInputSchema,
  type Application,
} from './schemas.ts';

const params = z.object({ applicationId });

export function caseRoutes(deps: CoreDeps): RouteDef[] {
  const { store, clock } = deps;
  const options = casesOptions(deps.config.cases);
  /** One step of the case that answers with the application as it now is. */
  const step = <B extends z.ZodType>(
    path: string,
    action: string,
    summary: string,
    body: B,
    run: (q: Queryable, p: Principal, id: string, b: z.infer<B>, now: Date) => Promise<Application>,
  ) =>
    defineRoute({
      method: 'post',
      path: `/api/applications/:applicationId/${path}`,
      tag: 'applications',
      summary,
      action,
      access: 'authenticated',
      params,
      body,
      status: 200,
      response: applicationSchema,
      async handler({ principal, params: { applicationId: id }, body: b, audit }) {
        const app = await store.tx((q) => run(q, principal!, id, b as z.infer<B>, clock.now()));
        Object.assign(audit, { object: `application:${id}`, projectId: app.projectId, details: { status: app.status } });
        return app;
      },
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/applications/:applicationId/case',
      tag: 'applications',
      summary: "The case: the application, its history, attachments, permit and first copy (the project's lead, the access body)",
      action: 'application.case.read',
      access: 'authenticated',
      params,
      response: caseDetailSchema,
      async handler({ principal, params: { applicationId: id }, audit }) {
        audit.object = `application:${id}`;
        const detail = await caseDetail(store, principal!, id, clock.now());
        audit.projectId = detail.application.projectId;
        return detail;
      },
    }),
    step('messages', 'application.message', 'Write on the case (the applicant or an independent case handler)', caseMessageInputSchema, (q, p, id, b, now) =>
      sendMessage(q, p, id, b.text, now),
    ),
    step(
      'prescreening',
      'application.prescreen',
      'Pre-screening: complete (on to assessment) or incomplete (back to the applicant)',
      prescreenInputSchema,
      (q, p, id, b, now) => prescreen(q, p, id, b, now),
    ),
    step(
      'info-requests',
      'application.info.request',
      'Ask the applicant for information; the case waits for the answer',
      infoRequestInputSchema,
      (q, p, id, b, now) => requestInformation(q, p, id, b.text, now),
    ),
    step(
      'info-answers',
      'application.info.answer',
      'Answer the request for information (the applicant); the due date moves by the time waited',
      infoAnswerInputSchema,
      (q, p, id, b, now) => answerInformation(q, p, id, b.text, now),
    ),
    step('assignment', 'application.assign', 'Assign the case to an access administrator independent of it', assignmentInputSchema, (q, p, id, b, now) =>
      assignCase(q, p, id, b.userId, now),
    ),
    step('withdrawal', 'application.withdraw', 'Withdraw the application before it is decided (the applicant)', withdrawalInputSchema, (q, p, id, b, now) =>
      withdrawApplication(q, p, id, b.reason, now),
    ),
    defineRoute({
      method: 'post',
      path: '/api/applications/:applicationId/attachments',
      tag: 'applications',
      summary: `Attach a file (raw body): PDF, PNG, JPEG or UTF-8 text by its bytes, at most ${options.attachmentMaxBytes} bytes`,
      action: 'application.attachment.add',
      access: 'authenticated',
      params,
      query: attachmentQuerySchema,
      status: 201,
      response: caseAttachmentSchema,
      async handler({ principal, params: { applicationId: id }, query, req, audit }) {
        audit.object = `application:${id}`;
        await requireMayAttach(store, principal!, id);
        const body = await streamBodyToFile(req, options.attachmentMaxBytes);
        let content: Buffer;
        try {
          content = await readFile(body.path);
        } finally {
          await body.remove();
        }
        const att = await store.tx((q) => addAttachment(q, principal!, id, query, content, clock.now()));
        audit.details = { attachment: att.id, type: att.type, filename: att.filename, contentType: att.contentType, size: att.sizeBytes, sha256: att.sha256 };
        return { status: 201, body: att };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:applicationId/attachments/:attachmentId',
      tag: 'applications',
      summary: 'Download an attachment, hash-verified (the applicant or an independent case handler)',
      action: 'application.attachment.download',
      access: 'authenticated',
      params: z.object({ applicationId, attachmentId }),
      response: bytes(['application/pdf', 'image/png', 'image/jpeg', 'text/plain'], 'The attachment as uploaded'),
      async handler(ctx) {
        const { principal, params: p, audit, res } = ctx;
        audit.object = `application:${p.applicationId}`;
        const att = await readAttachment(store, principal!, p.applicationId, p.attachmentId);
        Object.assign(audit, { projectId: att.projectId, details: { attachment: att.meta.id, sha256: att.meta.sha256 } });
        await ctx.commitSuccess();
        const ascii = att.meta.filename.replace(/[^A-Za-z0-9._-]/g, '_');
        res.status(200);
        res.setHeader('content-type', att.meta.contentType);
        res.setHeader('content-length', String(att.bytes.length));
        res.setHeader('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(att.meta.filename)}`);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('x-content-sha256', att.meta.sha256);
        res.end(att.bytes);
        return { sent: true };
      },
    }),
  ];
}
