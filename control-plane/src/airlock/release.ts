/**
 * Release: what leaves the platform, and to whom.
 *
 *   - only files of an approved request, only the staged bytes, and only when they still hash
 *     to the sha256 recorded at request time (re-hashed at every download; a mismatch refuses);
 *   - only to the requester or the project lead, each a current member with data access;
 *   - only while the permit is in force: after expiry nothing is released.
 *
 * Approval is the release decision: the approved request's tables enter the project's
 * differencing ledger then, so every later table is compared with them.
 */
import { join } from 'node:path';
import { ConflictError, NotAllowedError, NotFoundError } from '../errors/index.ts';
import type { Principal, Logger, PlatformPaths } from '../platform/index.ts';
import { memberRole, requireDataAccess } from '../projects/index.ts';
import type { Queryable, Store } from '../store/index.ts';
import { readVerified } from './staging.ts';
import { addEvent, addToLedger, fileLedgers, getRequest, listFiles, type AirlockFile, type AirlockRequest } from './store.ts';

export async function addReleasedTablesToLedger(q: Queryable, req: AirlockRequest, now: Date): Promise<number> {
  const tables = await fileLedgers(q, req.id);
  for (const t of tables) await addToLedger(q, req.projectId, req.id, t.id, { source: t.source, ...t.ledger }, now);
  return tables.length;
}

export interface ReleasedFile {
  request: AirlockRequest;
  file: AirlockFile;
  bytes: Buffer;
}

export async function releaseFile(
  deps: { store: Store; logger: Logger; paths: PlatformPaths; now: Date },
  principal: Principal,
  exportId: string,
  fileId: string,
): Promise<ReleasedFile> {
  const { store, paths, now } = deps;
  const request = await getRequest(store, exportId, 'export');
  const role = await memberRole(store, request.projectId, principal.userId);
  if (!role) throw new NotAllowedError('you are not a member of this project', { reason: 'not_a_member' });
  if (request.requestedBy !== principal.userId && role !== 'lead') {
    throw new NotAllowedError('only the requester or the project lead may download an export', { reason: 'not_requester_or_lead' });
  }
  await requireDataAccess(store, principal, request.projectId, now);
  if (request.status !== 'approved') {
    throw new NotAllowedError(`the export is ${request.status}, not approved`, { reason: 'not_approved', details: { status: request.status } });
  }
  const file = (await listFiles(store, exportId)).find((f) => f.id === fileId);
  if (!file) throw new NotFoundError(`the export has no file '${fileId}'`, { reason: 'no_such_file' });
  const bytes = await readVerified(join(paths.airlock(exportId), file.id), file.sha256).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ELOOP') return null;
    throw err;
  });
  if (!bytes) {
    deps.logger.error('staged export file does not match its hash', { exportId, fileId, sha256: file.sha256 });
    throw new ConflictError('the staged file no longer matches the hash recorded at request time; nothing is released', {
      reason: 'hash_mismatch',
      details: { file: fileId },
    });
  }
  await addEvent(store, exportId, {
    at: now.toISOString(),
    actor: principal.userId,
    event: 'downloaded',
    reason: null,
    details: { file: fileId, sha256: file.sha256 },
  });
  return { request, file, bytes };
}
