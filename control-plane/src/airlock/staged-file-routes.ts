/**
 * Reviewers read what they approve (issue 16 item 1): a staged export file's bytes and the
 * server's parsed view of them (`staged-view.ts`).
 *
 * Who: access administrators and auditors only (the route's access), and of those only one
 * independent of the request (`requireIndependent`: not its requester, never a member of the
 * project). The requester and the project's members never get a staged file from here: outside
 * the room, what they may see of an export is still only its check results, as before, and an
 * access administrator who is a member reads the file in the room, like any member.
 * The same access holds for the earlier approval of the same output and its differences
 * (`earlier-approval.ts`), which quote both files. Each read is audited (`export.read-file`,
 * `export.view-file`, `export.earlier-approval`) with the file and its sha256,
 * committed before the bytes are sent; the bytes are re-hashed against the sha256 recorded at
 * request time, so a reviewer reads exactly what would be released.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../errors/index.ts';
import { bytes, defineRoute, type RouteDef } from '../http/index.ts';
import type { Principal } from '../platform/index.ts';
import type { AirlockDeps } from './export-requests.ts';
import { requireMayReview } from './review.ts';
import { readVerified } from './staging.ts';
import { earlierApproval } from './earlier-approval.ts';
import { earlierApprovalSchema, stagedFileViewSchema } from './schemas.ts';
import { contentHeaders, stagedFileView } from './staged-view.ts';
import { getRequest, listFiles, type AirlockFile, type AirlockRequest } from './store.ts';

const exportId = z.string().regex(/^exp_[0-9a-f]{12}$/, 'an export id');
const fileId = z.string().regex(/^f\d{1,4}$/, 'a file id');

async function stagedFile(
  deps: AirlockDeps,
  principal: Principal,
  id: string,
  fid: string,
): Promise<{ request: AirlockRequest; file: AirlockFile; bytes: Buffer }> {
  const request = await getRequest(deps.store, id, 'export');
  await requireMayReview(deps.store, principal, request);
  const file = (await listFiles(deps.store, id)).find((f) => f.id === fid);
  if (!file) throw new NotFoundError(`the export has no file '${fid}'`, { reason: 'no_such_file' });
  const content = await readVerified(join(deps.paths.airlock(id), file.id), file.sha256).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ELOOP') return null;
    throw err;
  });
  if (!content) {
    deps.logger.error('staged export file does not match its hash', { exportId: id, fileId: fid, sha256: file.sha256 });
    throw new ConflictError('the staged file no longer matches the hash recorded at request time', { reason: 'hash_mismatch', details: { file: fid } });
  }
  return { request, file, bytes: content };
}

export function stagedFileRoutes(deps: AirlockDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/exports/:exportId/files/:fileId/content',
      tag: 'exports',
      action: 'export.read-file',
      access: ['access_admin', 'auditor'],
      summary: "A staged file's bytes for its independent reviewers and auditors, sent so that they can never run in the platform's origin",
      params: z.object({ exportId, fileId }),
      response: bytes(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'text/plain', 'application/octet-stream'], 'The staged, hash-verified bytes'),
      async handler(ctx) {
        const { principal, params, audit, res } = ctx;
        audit.object = `export:${params.exportId}`;
        const { request, file, bytes: content } = await stagedFile(deps, principal!, params.exportId, params.fileId);
        Object.assign(audit, { projectId: request.projectId, details: { file: file.id, name: file.name, sha256: file.sha256 } });
        await ctx.commitSuccess();
        res.status(200);
        for (const [k, v] of Object.entries(contentHeaders(file))) res.setHeader(k, v);
        res.setHeader('content-length', String(content.length));
        res.end(content);
        return { sent: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/exports/:exportId/files/:fileId/view',
      tag: 'exports',
      action: 'export.view-file',
      access: ['access_admin', 'auditor'],
      summary: 'A staged file parsed for its reviewers: a table (bounded rows and a summary per numeric column), text, notebook cells or an image',
      params: z.object({ exportId, fileId }),
      response: stagedFileViewSchema,
      async handler({ principal, params, audit }) {
        audit.object = `export:${params.exportId}`;
        const { request, file, bytes: content } = await stagedFile(deps, principal!, params.exportId, params.fileId);
        Object.assign(audit, { projectId: request.projectId, details: { file: file.id, name: file.name, sha256: file.sha256 } });
        return stagedFileView(file, content);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/exports/:exportId/files/:fileId/earlier',
      tag: 'exports',
      action: 'export.earlier-approval',
      access: ['access_admin', 'auditor'],
      summary: "The same output approved before (same name and table spec): that approval, its reviewers' decisions and comments, and the differences",
      params: z.object({ exportId, fileId }),
      response: earlierApprovalSchema,
      async handler({ principal, params, audit }) {
        audit.object = `export:${params.exportId}`;
        const { request, file, bytes: content } = await stagedFile(deps, principal!, params.exportId, params.fileId);
        const answer = await earlierApproval(deps.store, deps.paths, request, file, content);
        Object.assign(audit, { projectId: request.projectId, details: { file: file.id, earlier: answer.earlier?.exportId ?? null } });
        return answer;
      },
    }),
  ];
}
