/**
 * `GET /api/exports/:exportId/record`: an approved export's release record, a BagIt bag as one
 * ustar archive (`release-record.ts`). The read is audited (`export.record.read`) like any access;
 * the digest's own entry (`export.record`) is entered once, when the record is first built.
 */
import { z } from 'zod';
import { bytes, defineRoute, type RouteDef } from '../http/index.ts';
import { releaseRecord, type ReleaseRecordDeps } from './release-record.ts';

const exportId = z.string().regex(/^exp_[0-9a-f]{12}$/, 'an export id');

export function releaseRecordRoutes(deps: ReleaseRecordDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/exports/:exportId/record',
      tag: 'exports',
      action: 'export.record.read',
      access: 'authenticated',
      summary:
        "An approved export's release record: a Five Safes RO-Crate in a BagIt bag (ustar), its sha-512 digest in the audit log with an inclusion proof (the requester or lead as for its files, the export's reviewers, auditors)",
      params: z.object({ exportId }),
      response: bytes(['application/x-tar'], 'The bag: released files, results.json, RO-Crate metadata, manifests, and audit-record.json'),
      async handler(ctx) {
        const { principal, params, audit, res } = ctx;
        audit.object = `export:${params.exportId}`;
        const record = await releaseRecord(deps, principal!, params.exportId, ctx.requestId);
        Object.assign(audit, { projectId: record.request.projectId, details: { digest: record.digest, auditSeq: record.auditSeq } });
        await ctx.commitSuccess();
        res.status(200);
        res.setHeader('content-type', 'application/x-tar');
        res.setHeader('content-length', String(record.archive.length));
        res.setHeader('content-disposition', `attachment; filename="${params.exportId}.record.tar"`);
        res.setHeader('x-record-sha512', record.digest);
        res.end(record.archive);
        return { sent: true };
      },
    }),
  ];
}
