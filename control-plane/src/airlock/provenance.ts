/**
 * Where an export came from (issue 13 item 8): the permit version in force and the data copy
 * version the room held when the request was made, and the copy versions its checked tables were
 * computed from. Derived from what the store keeps (permits are versioned and immutable, copies
 * are numbered with their creation time), as the release record derives them
 * (`release-record.ts`), so the reviewer and the record name the same versions.
 */
import { permitVersions } from '../projects/index.ts';
import type { Queryable } from '../store/index.ts';
import type { AirlockFile, AirlockRequest, RequestProvenance } from './schemas.ts';

export async function requestProvenance(q: Queryable, req: AirlockRequest, files: AirlockFile[]): Promise<RequestProvenance> {
  const at = Date.parse(req.createdAt);
  const permit = (await permitVersions(q, req.projectId)).filter((p) => Date.parse(p.issuedAt) <= at).at(-1);
  // The data-copies context's table, read only: the newest copy made before the request and not deleted by then.
  const copy = await q.query<{ version: number }>(
    `SELECT copy_version AS version FROM data_copies WHERE project_id = $1 AND created_at <= $2 AND (deleted_at IS NULL OR deleted_at > $2)
     ORDER BY copy_version DESC LIMIT 1`,
    [req.projectId, req.createdAt],
  );
  const tables = files.flatMap((f) => (f.checks.table?.source.kind === 'copy' ? [f.checks.table.source.version] : []));
  return {
    permit: permit ? { id: permit.id, version: permit.version } : null,
    copyVersion: copy[0]?.version ?? null,
    tableCopyVersions: [...new Set(tables)].sort((a, b) => a - b),
  };
}
