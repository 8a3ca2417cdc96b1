/**
 * Imports: code and reference files into a project's rooms, through the same airlock the
 * other way. A member opens a draft with a purpose, uploads files (each staged with its
 * sha256 and checked: type by content, size, archives and executables refused, identity
 * numbers flagged), submits; access administrators who are not members review (one by
 * default, `review.importApprovals`); once approved the files are published, read-only, under
 * `paths.imports(projectId)/<importId>/<name>`, which rooms mount read-only at `/imports`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConflictError, InputError, NotAllowedError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import { requireDataAccess } from '../projects/index.ts';
import type { Policy } from '../policies/index.ts';
import type { Queryable } from '../store/index.ts';
import type { AirlockDeps } from './export-requests.ts';
import { checkFileContent, worstStatus } from './file-requests.ts';
import { createStagingDir, readVerified, sealStagingDir, stageBytes } from './staging.ts';
import { addEvent, getRequest, insertFile, insertRequest, listFiles, setChecksStatus, setStatus, type AirlockRequest } from './store.ts';

export const importName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/, 'a plain file name (letters, digits, . _ -)')
  .refine((n) => !n.includes('..'), 'no ..');

export const ImportInputSchema = z.strictObject({ purpose: z.string().trim().min(1).max(4000) });

export async function openImport(deps: AirlockDeps, principal: Principal, projectId: string, purpose: string): Promise<AirlockRequest> {
  const permit = await requireDataAccess(deps.store, principal, projectId, deps.clock.now());
  const policy = deps.policies.forProject(projectId, permit);
  const id = `imp_${randomBytes(6).toString('hex')}`;
  await createStagingDir(deps.paths.airlock(id));
  const now = deps.clock.now().toISOString();
  return deps.store.tx(async (q) => {
    await insertRequest(q, {
      id,
      direction: 'import',
      projectId,
      requestedBy: principal.userId,
      purpose,
      status: 'draft',
      version: 1,
      previousId: null,
      approvalsRequired: policy.review.importApprovals,
      policy: { ...policy },
      checksStatus: 'pass',
      createdAt: now,
      submittedAt: null,
    });
    await addEvent(q, id, { at: now, actor: principal.userId, event: 'opened', reason: null, details: {} });
    return getRequest(q, id, 'import');
  });
}

async function requireOwnDraft(deps: AirlockDeps, q: Queryable, principal: Principal, importId: string): Promise<AirlockRequest> {
  const req = await getRequest(q, importId, 'import', true);
  await requireDataAccess(q, principal, req.projectId, deps.clock.now());
  if (req.requestedBy !== principal.userId) throw new NotAllowedError('only the requester may change an import', { reason: 'not_requester' });
  if (req.status !== 'draft') throw new ConflictError(`the import is ${req.status}; files can be added only to a draft`, { reason: 'not_draft' });
  return req;
}

/**
 * The most bytes an upload to this import may have, checked before its body is read: the
 * caller must be the requester of a draft with project access; the limit is the policy's
 * largest file, or what is left of the request's total when that is less.
 */
export async function importFileLimit(deps: AirlockDeps, principal: Principal, importId: string): Promise<number> {
  const req = await requireOwnDraft(deps, deps.store, principal, importId);
  const rules = req.policy as unknown as Pick<Policy, 'files'>;
  const used = (await listFiles(deps.store, importId)).reduce((s, f) => s + f.sizeBytes, 0);
  return Math.max(0, Math.min(rules.files.maxFileBytes, rules.files.maxRequestBytes - used));
}

export async function addImportFile(deps: AirlockDeps, principal: Principal, importId: string, name: string, description: string, bytes: Uint8Array) {
  return deps.store.tx(async (q) => {
    const req = await requireOwnDraft(deps, q, principal, importId);
    const rules = req.policy as unknown as Pick<Policy, 'files' | 'tables'>;
    if (bytes.length > rules.files.maxFileBytes) {
      throw new NotAllowedError(`the file is larger than the limit of ${rules.files.maxFileBytes} bytes`, { reason: 'file_too_large' });
    }
    const files = await listFiles(q, importId);
    if (files.some((f) => f.name === name)) throw new ConflictError(`the import already has a file '${name}'`, { reason: 'duplicate_file' });
    if (files.reduce((s, f) => s + f.sizeBytes, 0) + bytes.length > rules.files.maxRequestBytes) {
      throw new NotAllowedError(`the import is larger than the limit of ${rules.files.maxRequestBytes} bytes`, { reason: 'request_too_large' });
    }
    const checks = await checkFileContent(name, Buffer.from(bytes), { rules: rules.files, threshold: rules.tables.threshold, direction: 'import' });
    if (checks.refusal)
      throw new NotAllowedError(`'${name}': ${checks.refusal.message}`, { reason: checks.refusal.reason, details: { type: checks.result.type } });
    const id = `f${files.length + 1}`;
    const staged = await stageBytes(join(deps.paths.airlock(importId), id), bytes);
    const now = deps.clock.now().toISOString();
    const file = {
      id,
      name,
      description,
      sizeBytes: staged.size,
      sha256: staged.sha256,
      contentType: checks.result.type.kind,
      tableRequest: null,
      checks: { file: checks.result, fileStatus: checks.status, table: null },
      checkStatus: checks.status,
      stagedAt: now,
    };
    await insertFile(q, importId, file, null);
    await setChecksStatus(q, importId, worstStatus([req.checksStatus, checks.status]));
    await addEvent(q, importId, { at: now, actor: principal.userId, event: 'file-added', reason: null, details: { file: id, name, sha256: staged.sha256 } });
    return file;
  });
}

export async function submitImport(deps: AirlockDeps, principal: Principal, importId: string): Promise<AirlockRequest> {
  return deps.store.tx(async (q) => {
    const req = await requireOwnDraft(deps, q, principal, importId);
    if ((await listFiles(q, importId)).length === 0) throw new InputError('add at least one file before submitting', { reason: 'no_files' });
    await sealStagingDir(deps.paths.airlock(importId));
    const now = deps.clock.now();
    await setStatus(q, req.id, 'in_review', now, 'submitted_at');
    await addEvent(q, req.id, { at: now.toISOString(), actor: principal.userId, event: 'submitted', reason: null, details: { checks: req.checksStatus } });
    return getRequest(q, req.id, 'import');
  });
}

/**
 * Publishes an approved import into the project's imports folder: hash-verified copies,
 * read-only, in a folder named by the import, renamed into place whole so a room never sees
 * half an import. Idempotent: a published import is left as it is.
 */
export async function publishImport(deps: AirlockDeps, q: Queryable, req: AirlockRequest): Promise<string> {
  const root = deps.paths.imports(req.projectId);
  const final = join(root, req.id);
  await mkdir(root, { recursive: true, mode: 0o755 });
  if ((await readdir(root)).includes(req.id)) return final;
  const partial = join(root, `.${req.id}.partial`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { mode: 0o755 });
  for (const f of await listFiles(q, req.id)) {
    const src = join(deps.paths.airlock(req.id), f.id);
    const bytes = await readVerified(src, f.sha256);
    if (!bytes) {
      throw new ConflictError(`the staged file '${f.name}' no longer matches its hash; nothing is published`, {
        reason: 'hash_mismatch',
        details: { file: f.id },
      });
    }
    await writeFile(join(partial, f.name), bytes, { mode: 0o444, flag: 'wx' });
  }
  await chmod(partial, 0o555);
  await rename(partial, final);
  return final;
}
