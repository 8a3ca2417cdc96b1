/**
 * Closing a project's data: delete every copy version and produce a proof of deletion
 * (what was deleted with its hashes, when, by whom, why) recorded through the audit path.
 *
 * Order: audit `initiated` (committed before anything is touched), hash every file, delete,
 * check nothing is left, audit `success` carrying the proof's hash. Deleting what is already
 * gone succeeds with an empty list, so a retried close is harmless. The pseudonym key lives in
 * the store: the caller deletes it in the same step and passes its fingerprint for the proof.
 */
import { createHash } from 'node:crypto';
import { chmod, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditService, Clock } from '../platform/index.ts';
import { InputError } from '../errors/index.ts';
import { sha256File } from './generator.ts';
import type { ProofOfDeletion } from './schemas.ts';

export interface ClosingDeps {
  copiesDir: string;
  clock: Clock;
  audit: AuditService;
}

export interface ClosingInput {
  projectId: string;
  actor: string;
  role: string;
  /** e.g. `project closed` or `permit expired 2026-03-01, grace period over`. */
  reason: string;
  /** Fingerprint of the project pseudonym key the caller deleted (`keyFingerprint`), if any. */
  keyFingerprint: string | null;
  requestId?: string | null;
}

export type { ProofOfDeletion } from './schemas.ts';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Copies are made read-only; restore write permission on directories so they can be removed. */
async function makeRemovable(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) await makeRemovable(join(dir, e.name));
  }
}

export async function deleteProjectCopies(deps: ClosingDeps, input: ClosingInput): Promise<ProofOfDeletion> {
  // The id becomes a path that is removed recursively: only the shape extracts accept.
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(input.projectId)) {
    throw new InputError(`invalid project id ${JSON.stringify(input.projectId)}`, { reason: 'invalid_project_id' });
  }
  const projectDir = join(deps.copiesDir, input.projectId);
  const base = {
    actor: input.actor,
    role: input.role,
    action: 'data_copy.delete',
    object: `project:${input.projectId}`,
    projectId: input.projectId,
    reason: input.reason,
    requestId: input.requestId ?? null,
    clientAddress: null,
  };
  await deps.audit.record({ ...base, outcome: 'initiated' });
  try {
    const versions = (await readdir(projectDir).catch(() => [] as string[])).sort();
    const copies: ProofOfDeletion['copies'] = [];
    for (const version of versions) {
      const dir = join(projectDir, version);
      if (!(await stat(dir)).isDirectory()) continue;
      const files = [];
      for (const name of await listFiles(dir)) {
        const path = join(dir, name);
        files.push({ name, bytes: (await stat(path)).size, sha256: await sha256File(path) });
      }
      copies.push({ version, files });
    }
    if (versions.length) {
      await makeRemovable(projectDir);
      await rm(projectDir, { recursive: true, force: true });
    }
    if (
      await stat(projectDir).then(
        () => true,
        () => false,
      )
    )
      throw new Error(`${projectDir} still exists after deletion`);
    const body = {
      kind: 'analyserom.proof-of-deletion' as const,
      projectId: input.projectId,
      deletedAt: deps.clock.now().toISOString(),
      deletedBy: { actor: input.actor, role: input.role },
      reason: input.reason,
      copies,
      pseudonymKey: input.keyFingerprint ? { fingerprint: input.keyFingerprint, deleted: true as const } : null,
    };
    const proof: ProofOfDeletion = { ...body, sha256: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
    await deps.audit.record({
      ...base,
      outcome: 'success',
      details: { proofSha256: proof.sha256, copies: copies.map((c) => c.version), files: copies.reduce((n, c) => n + c.files.length, 0) },
    });
    return proof;
  } catch (err) {
    await deps.audit.record({ ...base, outcome: 'failure', reason: `${input.reason}: ${(err as Error).message}` });
    throw err;
  }
}

/** Recomputes a proof's hash: true when the proof is unaltered. */
export function proofIsIntact(proof: ProofOfDeletion): boolean {
  const { sha256, ...body } = proof;
  return createHash('sha256').update(JSON.stringify(body)).digest('hex') === sha256;
}
