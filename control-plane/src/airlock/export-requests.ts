/**
 * Export requests: files from the requester's `/outputs` copied into the staging area with
 * their sha256, checked (file content, and tables cell by cell when a table spec is given, or
 * the check of a kind — a regression — recomputed when the file names it) under the project's policy, then waiting for review. Withdrawal and resubmission (a new
 * version linked to the old) never change what was staged or decided before.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConflictError, InputError, NotAllowedError } from '../errors/index.ts';
import type { Principal, Logger, Clock, PlatformPaths } from '../platform/index.ts';
import type { Policy } from '../policies/index.ts';
import { requireDataAccess } from '../projects/index.ts';
import { independentAccessAdmins, notify } from '../notifications/index.ts';
import type { Store } from '../store/index.ts';
import { TableSpecSchema } from '../disclosure/index.ts';
import { CHECK_KIND_NAMES } from './check-kinds.ts';
import { stagedKindCheck } from './check-kind-run.ts';
import { checkFileContent, worstStatus, type CheckStatus } from './file-requests.ts';
import { outputOrigin } from './output-origin.ts';
import { checkParquetShape } from './parquet-shape.ts';
import type { PolicySource } from './project-policy.ts';
import { copyHashed, createStagingDir, openUnder, safeRelativePath, sealStagingDir } from './staging.ts';
import { addEvent, differencingBase, getRequest, insertFile, insertRequest, setStatus, type AirlockFile, type AirlockRequest } from './store.ts';
import { checkTableRequest, pseudonymLookup, TableRequestSchema } from './table-requests.ts';
import { matchCheckedTable } from './table-match.ts';
import { KindCheckRequestSchema, type FileKindCheck } from './schemas.ts';

export interface AirlockDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  paths: PlatformPaths;
  policies: PolicySource;
}

/**
 * The folder of `/outputs` where the room's ACRO API stages the columns each call used, for the
 * control plane to check (`workspace-images/airlock-helper/analyserom_acro/frames.py`): row-level
 * data by design, so no export request may name a file in it.
 */
const ACRO_STAGING = '.acro';

export const ExportFileInputSchema = z
  .strictObject({
    /** Path under the requester's `/outputs` (`results/table1.csv` or `/outputs/results/table1.csv`). */
    path: z
      .string()
      .min(1)
      .max(1000)
      .refine((p) => !p.split('/').includes(ACRO_STAGING), {
        message: `files under /outputs/${ACRO_STAGING}/ are the columns the room's ACRO calls sent for checking (row-level data) and never leave the room`,
      }),
    /** What the output is and shows, for the reviewers. */
    description: z.string().trim().min(1).max(4000),
    /** For a table: where it was computed from and how, so it can be checked cell by cell. */
    table: TableRequestSchema.optional(),
    /** For the output of another check (a regression): its kind, source and spec, recomputed at staging. */
    check: KindCheckRequestSchema.extend({ kind: z.enum(CHECK_KIND_NAMES) }).optional(),
  })
  .refine((f) => !(f.table && f.check), { message: "a file is either a table or another check's output, not both", path: ['check'] });

export const ExportInputSchema = z.strictObject({
  purpose: z.string().trim().min(1).max(4000),
  files: z.array(ExportFileInputSchema).min(1).max(100),
});
export type ExportInput = z.infer<typeof ExportInputSchema>;

export const ResubmitInputSchema = ExportInputSchema.extend({ purpose: ExportInputSchema.shape.purpose.optional() });
export type ResubmitInput = z.infer<typeof ResubmitInputSchema>;

const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export async function requestExport(
  deps: AirlockDeps,
  principal: Principal,
  projectId: string,
  input: ExportInput,
  previous: AirlockRequest | null = null,
): Promise<AirlockRequest> {
  const { store, clock, paths } = deps;
  const permit = await requireDataAccess(store, principal, projectId, clock.now());
  const policy = deps.policies.forProject(projectId, permit);
  const seen = new Set<string>();
  for (const f of input.files) {
    const rel = safeRelativePath(f.path).join('/');
    if (seen.has(rel)) throw new InputError(`'${rel}' is requested twice`, { reason: 'duplicate_file', details: { field: 'files' } });
    seen.add(rel);
  }
  const id = newId('exp');
  const dir = paths.airlock(id);
  await createStagingDir(dir);
  const now = clock.now();
  const files: Array<{ file: AirlockFile; ledger: unknown }> = [];
  try {
    const outputs = paths.outputs(projectId, principal.userId);
    const earlier = policy.tables.differencing ? await differencingBase(store, projectId) : [];
    const among = pseudonymLookup(paths, projectId);
    let total = 0;
    for (const [i, f] of input.files.entries()) {
      const fileId = `f${i + 1}`;
      const opened = await openUnder(outputs, f.path, policy.files.maxFileBytes);
      let staged;
      try {
        staged = await copyHashed(opened.handle, join(dir, fileId), policy.files.maxFileBytes);
      } finally {
        await opened.handle.close();
      }
      total += staged.size;
      if (total > policy.files.maxRequestBytes) {
        throw new NotAllowedError(`the request is larger than the limit of ${policy.files.maxRequestBytes} bytes`, { reason: 'request_too_large' });
      }
      const bytes = await readFile(staged.path);
      const content = await checkParquetShape(
        await checkFileContent(opened.rel, bytes, { rules: policy.files, threshold: policy.tables.threshold, pseudonymsAmong: among, direction: 'export' }),
        staged.path,
      );
      if (content.refusal)
        throw new NotAllowedError(`'${opened.rel}': ${content.refusal.message}`, { reason: content.refusal.reason, details: { file: opened.rel } });
      let table = null;
      let ledger = null;
      if (f.table) {
        const checked = await checkTableRequest({ paths, projectId, userId: principal.userId, request: f.table, rules: policy.tables, earlier });
        const labelColumns = Array.isArray(f.table.spec.index) ? f.table.spec.index.length : 1;
        const match = content.result.type.kind === 'csv' ? matchCheckedTable(bytes.toString('utf8'), checked.result.table, labelColumns) : null;
        table = { source: checked.source, ...checked.result, match };
        ledger = checked.ledger;
        // Later tables of the same request are compared with this one too.
        earlier.push({ ...checked.ledger, id: `${id}/${fileId}`, source: 'copy' in f.table.source ? f.table.source.copy : f.table.source.output });
      }
      const origin = await outputOrigin(outputs, opened.rel);
      const statuses: CheckStatus[] = [content.status];
      if (table) statuses.push(table.status, table.match && !table.match.matches ? 'review' : 'pass');
      let check: FileKindCheck | null = null;
      if (f.check) {
        const kindCheck = await stagedKindCheck({ paths, projectId, userId: principal.userId, policy, request: f.check }, bytes, content.result.type.kind);
        check = kindCheck.check;
        statuses.push(...kindCheck.statuses);
      }
      files.push({
        file: {
          id: fileId,
          name: opened.rel,
          description: f.description,
          sizeBytes: staged.size,
          sha256: staged.sha256,
          contentType: content.result.type.kind,
          tableRequest: f.table ? { source: f.table.source, spec: TableSpecSchema.parse(f.table.spec) } : null,
          checks: { file: content.result, fileStatus: content.status, table, ...(check ? { check } : {}) },
          checkStatus: worstStatus(statuses),
          stagedAt: now.toISOString(),
          ...(origin ? { origin } : {}),
        },
        ledger,
      });
    }
    await sealStagingDir(dir);
  } catch (err) {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const checksStatus = worstStatus(files.map((f) => f.file.checkStatus));
  try {
    return await recordRequest(deps, principal, projectId, input, previous, { id, files, checksStatus, policy, now });
  } catch (err) {
    // Nothing refers to the staged files: remove them rather than leave an orphan.
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if ((err as { code?: string }).code === '23505') {
      throw new ConflictError(`'${previous?.id}' was resubmitted concurrently`, { reason: 'already_resubmitted' });
    }
    throw err;
  }
}

async function recordRequest(
  deps: AirlockDeps,
  principal: Principal,
  projectId: string,
  input: ExportInput,
  previous: AirlockRequest | null,
  r: { id: string; files: Array<{ file: AirlockFile; ledger: unknown }>; checksStatus: CheckStatus; policy: Policy; now: Date },
): Promise<AirlockRequest> {
  const { id, files, checksStatus, policy, now } = r;
  return deps.store.tx(async (q) => {
    if (previous) {
      const prev = await getRequest(q, previous.id, 'export', true);
      if (prev.nextId) throw new ConflictError(`'${prev.id}' was already resubmitted as '${prev.nextId}'`, { reason: 'already_resubmitted' });
    }
    await insertRequest(q, {
      id,
      direction: 'export',
      projectId,
      requestedBy: principal.userId,
      purpose: input.purpose,
      status: 'in_review',
      version: previous ? previous.version + 1 : 1,
      previousId: previous?.id ?? null,
      approvalsRequired: policy.review.exportApprovals,
      policy: { ...policy },
      checksStatus,
      createdAt: now.toISOString(),
      submittedAt: now.toISOString(),
    });
    for (const f of files) await insertFile(q, id, f.file, f.ledger);
    await addEvent(q, id, {
      at: now.toISOString(),
      actor: principal.userId,
      event: previous ? 'resubmitted' : 'requested',
      reason: null,
      details: {
        files: files.map((f) => ({ id: f.file.id, name: f.file.name, sha256: f.file.sha256 })),
        checks: checksStatus,
        ...(previous ? { previous: previous.id } : {}),
      },
    });
    if (previous) await addEvent(q, previous.id, { at: now.toISOString(), actor: principal.userId, event: 'superseded', reason: null, details: { next: id } });
    await notify(
      q,
      await independentAccessAdmins(q, projectId, principal.userId),
      { kind: 'export.submitted', params: { export: id }, link: '/admin/reviews', projectId },
      now,
    );
    return getRequest(q, id, 'export');
  });
}

/** A new version of a returned or withdrawn request, linked to it; the old one keeps its history. */
export async function resubmitExport(deps: AirlockDeps, principal: Principal, exportId: string, input: ResubmitInput): Promise<AirlockRequest> {
  const prev = await getRequest(deps.store, exportId, 'export');
  if (prev.requestedBy !== principal.userId) throw new NotAllowedError('only the requester may resubmit', { reason: 'not_requester' });
  if (prev.status !== 'returned' && prev.status !== 'withdrawn') {
    throw new ConflictError(`a ${prev.status} request cannot be resubmitted; only returned or withdrawn ones`, {
      reason: 'not_resubmittable',
      details: { status: prev.status },
    });
  }
  if (prev.nextId) throw new ConflictError(`'${prev.id}' was already resubmitted as '${prev.nextId}'`, { reason: 'already_resubmitted' });
  return requestExport(deps, principal, prev.projectId, { purpose: input.purpose ?? prev.purpose, files: input.files }, prev);
}

/** The requester takes back a request that is in review or was returned. */
export async function withdrawRequest(deps: AirlockDeps, principal: Principal, req: AirlockRequest, reason: string | null): Promise<AirlockRequest> {
  return deps.store.tx(async (q) => {
    const cur = await getRequest(q, req.id, req.direction, true);
    if (cur.requestedBy !== principal.userId) throw new NotAllowedError('only the requester may withdraw', { reason: 'not_requester' });
    if (!['draft', 'in_review', 'returned'].includes(cur.status)) {
      throw new ConflictError(`a ${cur.status} request cannot be withdrawn`, { reason: 'not_withdrawable', details: { status: cur.status } });
    }
    const now = deps.clock.now();
    await setStatus(q, cur.id, 'withdrawn', now, null);
    await addEvent(q, cur.id, { at: now.toISOString(), actor: principal.userId, event: 'withdrawn', reason, details: {} });
    return getRequest(q, cur.id, cur.direction);
  });
}
