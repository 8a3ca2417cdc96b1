/**
 * The export airlock's API: requests, the review queue, reviews, downloads, and the table
 * check the room's helper calls.
 */
import { z } from 'zod';
import { bytes, defineRoute, type RouteDef } from '../http/index.ts';
import { requireDataAccess } from '../projects/index.ts';
import { ExportInputSchema, ResubmitInputSchema, requestExport, resubmitExport, withdrawRequest, type AirlockDeps } from './export-requests.ts';
import { addReleasedTablesToLedger, releaseFile } from './release.ts';
import { recordReview, ReviewInputSchema } from './review.ts';
import { differencingBase, getRequest } from './store.ts';
import { tableAnswerFor } from './table-answer.ts';
import { requestDetailSchema, reviewAnswerSchema, tableCheckAnswerSchema, TableRequestSchema, type TableCheckAnswer } from './schemas.ts';
import { TableSpecSchema } from '../disclosure/index.ts';
import { checkTableRequest } from './table-requests.ts';
import { requestDetail } from './views.ts';
import { requestReadRoutes } from './request-read-routes.ts';

const projectId = z.string().min(1).max(100);
const exportId = z.string().regex(/^exp_[0-9a-f]{12}$/, 'an export id');
const fileId = z.string().regex(/^f\d{1,4}$/, 'a file id');

export function exportRoutes(deps: AirlockDeps): RouteDef[] {
  const { store, clock } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/exports',
      tag: 'exports',
      action: 'export.request',
      access: 'authenticated',
      summary: 'Ask to export files from my /outputs: staged with their sha256, checked, then reviewed',
      params: z.object({ projectId }),
      body: ExportInputSchema,
      response: requestDetailSchema,
      async handler({ principal, params, body, audit }) {
        audit.role = 'researcher';
        const req = await requestExport(deps, principal!, params.projectId, body);
        Object.assign(audit, { object: `export:${req.id}`, details: { files: body.files.length, checks: req.checksStatus } });
        return requestDetail(store, principal!, req.id, 'export');
      },
    }),
    ...requestReadRoutes(deps, 'export', exportId, {
      queue: 'The review queue: export requests across projects (default: in review)',
      detail: 'An export request: files, check results cell by cell, reviews as far as visible, history',
    }),
    defineRoute({
      method: 'post',
      path: '/api/exports/:exportId/reviews',
      tag: 'exports',
      action: 'export.review',
      access: ['access_admin'],
      summary: 'Decide on an export (approve, reject, return); independent, sealed until all required reviewers have decided',
      params: z.object({ exportId }),
      body: ReviewInputSchema,
      response: reviewAnswerSchema,
      async handler({ principal, params, body, audit }) {
        const outcome = await store.tx(async (q) => {
          const req = await getRequest(q, params.exportId, 'export', true);
          audit.projectId = req.projectId;
          const out = await recordReview(q, principal!, req, body, clock.now());
          if (out.status === 'approved') await addReleasedTablesToLedger(q, req, clock.now());
          return out;
        });
        // The decision goes into the audit log: the log is for auditors, not for the other reviewer.
        audit.details = {
          decision: body.decision ?? null,
          ...(body.files ? { files: body.files.map((f) => ({ file: f.file, decision: f.decision })) } : {}),
          outcome: outcome.status,
        };
        return { status: 201, body: { ...outcome, detail: await requestDetail(store, principal!, params.exportId, 'export') } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/exports/:exportId/withdraw',
      tag: 'exports',
      action: 'export.withdraw',
      access: 'authenticated',
      summary: 'The requester withdraws a request in review or returned',
      params: z.object({ exportId }),
      body: z.strictObject({ reason: z.string().trim().max(4000).optional() }).optional(),
      status: 200,
      response: requestDetailSchema,
      async handler({ principal, params, body, audit }) {
        const req = await getRequest(store, params.exportId, 'export');
        audit.projectId = req.projectId;
        await withdrawRequest(deps, principal!, req, body?.reason ?? null);
        return { status: 200, body: await requestDetail(store, principal!, req.id, 'export') };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/exports/:exportId/resubmit',
      tag: 'exports',
      action: 'export.resubmit',
      access: 'authenticated',
      summary: 'A new version of a returned or withdrawn request, linked to it',
      params: z.object({ exportId }),
      body: ResubmitInputSchema,
      response: requestDetailSchema,
      async handler({ principal, params, body, audit }) {
        const req = await resubmitExport(deps, principal!, params.exportId, body);
        Object.assign(audit, { object: `export:${req.id}`, projectId: req.projectId, details: { previous: params.exportId, checks: req.checksStatus } });
        return requestDetail(store, principal!, req.id, 'export');
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/exports/:exportId/files/:fileId/download',
      tag: 'exports',
      action: 'export.download',
      access: 'authenticated',
      summary: 'Download an approved, hash-verified staged file (requester or project lead, permit in force)',
      params: z.object({ exportId, fileId }),
      response: bytes(['application/octet-stream'], 'The staged bytes, re-hashed against the sha256 recorded at request time'),
      async handler(ctx) {
        const { principal, params, audit, res } = ctx;
        audit.object = `export:${params.exportId}`;
        const released = await releaseFile({ ...deps, now: clock.now() }, principal!, params.exportId, params.fileId);
        Object.assign(audit, {
          projectId: released.request.projectId,
          details: { file: released.file.id, name: released.file.name, sha256: released.file.sha256 },
        });
        await ctx.commitSuccess();
        const base = released.file.name
          .split('/')
          .at(-1)!
          .replace(/[^A-Za-z0-9._-]/g, '_');
        res.status(200);
        res.setHeader('content-type', 'application/octet-stream');
        res.setHeader('content-length', String(released.bytes.length));
        res.setHeader('content-disposition', `attachment; filename="${base}"`);
        res.setHeader('x-content-sha256', released.file.sha256);
        res.end(released.bytes);
        return { sent: true };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/outputs/check-table',
      tag: 'exports',
      action: 'output.check-table',
      access: 'authenticated',
      summary: "Check a table of the project's copy or of my /outputs under the project's policy (the room's helper)",
      params: z.object({ projectId }),
      body: TableRequestSchema,
      status: 200,
      response: tableCheckAnswerSchema,
      async handler({ principal, params, body, audit }) {
        const permit = await requireDataAccess(store, principal!, params.projectId, clock.now());
        const policy = deps.policies.forProject(params.projectId, permit);
        const earlier = policy.tables.differencing ? await differencingBase(store, params.projectId) : [];
        const checked = await checkTableRequest({
          paths: deps.paths,
          projectId: params.projectId,
          userId: principal!.userId,
          request: body,
          rules: policy.tables,
          earlier,
          maxSourceBytes: policy.files.maxRequestBytes,
        });
        audit.details = { source: checked.source, status: checked.result.status };
        const answer: TableCheckAnswer = {
          ...tableAnswerFor(principal!, checked.result, checked.source.kind),
          source: checked.source,
          // The engine accepted it: a spec of its schema.
          spec: TableSpecSchema.parse(body.spec),
          checkedAt: clock.now().toISOString(),
          checkedFor: principal!.userId,
          policy: { profile: policy.profile, sources: policy.sources, tables: policy.tables },
        };
        return { status: 200, body: answer };
      },
    }),
  ];
}
