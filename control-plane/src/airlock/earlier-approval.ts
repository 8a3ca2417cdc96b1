/**
 * A routine re-run arrives pre-filled (issue 13 item 8): when a staged file has the same name and
 * table spec as a file of an earlier approved export of the project (the same output, re-run on a
 * new copy version), its reviewers see that approval, what each earlier reviewer decided and said
 * of the file, and how this file differs from the approved one (`file-diff.ts`). It informs the
 * decision; it never takes it: the review is still independent and by the required number of
 * reviewers. Both files are read hash-verified from staging; an earlier file whose bytes no longer
 * match is reported as not compared rather than trusted.
 */
import { join } from 'node:path';
import { csvDelimiter } from '../disclosure/index.ts';
import type { PlatformPaths } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { diffFiles } from './file-diff.ts';
import type { AirlockFile, AirlockRequest, EarlierApproval } from './schemas.ts';
import { readVerified } from './staging.ts';
import { getRequest, latestApprovedLike, listFiles, listReviews } from './store.ts';

export async function earlierApproval(q: Queryable, paths: PlatformPaths, request: AirlockRequest, file: AirlockFile, bytes: Buffer): Promise<EarlierApproval> {
  const like = await latestApprovedLike(q, request.projectId, request.id, file);
  if (!like) return { earlier: null };
  const [earlier, files, reviews] = await Promise.all([getRequest(q, like.requestId, 'export'), listFiles(q, like.requestId), listReviews(q, like.requestId)]);
  const before = files.find((f) => f.id === like.fileId)!;
  const beforeBytes = await readVerified(join(paths.airlock(like.requestId), before.id), before.sha256).catch(() => null);
  const delimiter = file.contentType === 'csv' ? csvDelimiter(bytes.toString('utf8')) : null;
  return {
    earlier: {
      exportId: earlier.id,
      fileId: before.id,
      decidedAt: earlier.decidedAt,
      copyVersions: [...new Set(files.flatMap((f) => (f.checks.table?.source.kind === 'copy' ? [f.checks.table.source.version] : [])))].sort((a, b) => a - b),
      reviews: reviews.map((r) => ({
        reviewer: r.reviewer,
        decision: r.decision,
        reason: r.reason,
        file: r.files?.find((d) => d.file === before.id) ?? null,
      })),
      diff: beforeBytes
        ? diffFiles(beforeBytes, bytes, delimiter)
        : { kind: 'not-compared', detail: 'the earlier staged file no longer matches its recorded hash' },
    },
  };
}
