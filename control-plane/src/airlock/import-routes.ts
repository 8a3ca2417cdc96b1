/**
 * The import airlock's API. Files are uploaded one by one as raw bytes
 * (`PUT /api/imports/:importId/files/:name`, `application/octet-stream`). The body is read
 * only once the caller is known to be the requester of a draft they may still add to, and
 * streamed to a private temporary file under the import's policy limit (413 naming it).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { streamBodyToFile, defineRoute, type RouteDef } from '../http/index.ts';
import { withdrawRequest, type AirlockDeps } from './export-requests.ts';
import { requestReadRoutes } from './request-read-routes.ts';
import { addImportFile, importFileLimit, ImportInputSchema, importName, openImport, publishImport, submitImport } from './imports.ts';
import { recordReview, ReviewInputSchema } from './review.ts';
import { addEvent, getRequest } from './store.ts';
import { airlockFileSchema, requestDetailSchema, reviewAnswerSchema } from './schemas.ts';
import { requestDetail } from './views.ts';

const projectId = z.string().min(1).max(100);
const importId = z.string().regex(/^imp_[0-9a-f]{12}$/, 'an import id');

export function importRoutes(deps: AirlockDeps): RouteDef[] {
  const { store, clock } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/imports',
      tag: 'imports',
      action: 'import.open',
      access: 'authenticated',
      summary: 'Open an import request (a draft): add files, then submit',
      params: z.object({ projectId }),
      body: ImportInputSchema,
      response: requestDetailSchema,
      async handler({ principal, params, body, audit }) {
        const req = await openImport(deps, principal!, params.projectId, body.purpose);
        audit.object = `import:${req.id}`;
        return requestDetail(store, principal!, req.id, 'import');
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/imports/:importId/files/:name',
      tag: 'imports',
      action: 'import.file.add',
      access: 'authenticated',
      summary: 'Upload one file of a draft import (raw bytes); type by content and size are checked',
      params: z.object({ importId, name: importName }),
      query: z.object({ description: z.string().trim().max(4000).default('') }),
      status: 201,
      response: airlockFileSchema,
      async handler({ principal, params, query, req, audit }) {
        const limit = await importFileLimit(deps, principal!, params.importId);
        const body = await streamBodyToFile(req, limit);
        let file;
        try {
          file = await addImportFile(deps, principal!, params.importId, params.name, query.description, await readFile(body.path));
        } finally {
          await body.remove();
        }
        audit.details = { file: file.id, name: file.name, sha256: file.sha256, size: file.sizeBytes, type: file.contentType };
        return { status: 201, body: file };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/imports/:importId/submit',
      tag: 'imports',
      action: 'import.submit',
      access: 'authenticated',
      summary: 'Submit a draft import for review',
      params: z.object({ importId }),
      status: 200,
      response: requestDetailSchema,
      async handler({ principal, params, audit }) {
        const req = await submitImport(deps, principal!, params.importId);
        audit.projectId = req.projectId;
        return { status: 200, body: await requestDetail(store, principal!, req.id, 'import') };
      },
    }),
    ...requestReadRoutes(deps, 'import', importId, {
      queue: 'The import review queue (default: in review)',
      detail: 'An import request with its files, checks, reviews and history',
    }),
    defineRoute({
      method: 'post',
      path: '/api/imports/:importId/reviews',
      tag: 'imports',
      action: 'import.review',
      access: ['access_admin'],
      summary: "Decide on an import; once approved its files appear read-only under the rooms' /imports",
      params: z.object({ importId }),
      body: ReviewInputSchema,
      response: reviewAnswerSchema,
      async handler({ principal, params, body, audit }) {
        const outcome = await store.tx(async (q) => {
          const req = await getRequest(q, params.importId, 'import', true);
          audit.projectId = req.projectId;
          const out = await recordReview(q, principal!, req, body, clock.now());
          if (out.status === 'approved') {
            await publishImport(deps, q, req);
            await addEvent(q, req.id, {
              at: clock.now().toISOString(),
              actor: 'system',
              event: 'published',
              reason: null,
              details: { folder: `/imports/${req.id}` },
            });
          }
          return out;
        });
        audit.details = {
          decision: body.decision ?? null,
          ...(body.files ? { files: body.files.map((f) => ({ file: f.file, decision: f.decision })) } : {}),
          outcome: outcome.status,
        };
        return { status: 201, body: { ...outcome, detail: await requestDetail(store, principal!, params.importId, 'import') } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/imports/:importId/withdraw',
      tag: 'imports',
      action: 'import.withdraw',
      access: 'authenticated',
      summary: 'The requester withdraws an import',
      params: z.object({ importId }),
      body: z.strictObject({ reason: z.string().trim().max(4000).optional() }).optional(),
      status: 200,
      response: requestDetailSchema,
      async handler({ principal, params, body, audit }) {
        const req = await getRequest(store, params.importId, 'import');
        audit.projectId = req.projectId;
        await withdrawRequest(deps, principal!, req, body?.reason ?? null);
        return { status: 200, body: await requestDetail(store, principal!, req.id, 'import') };
      },
    }),
  ];
}
