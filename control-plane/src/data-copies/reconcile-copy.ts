/**
 * The two acts of the copy reconciler, also used by the routes: make a project's copy for its
 * current permit version, and close a project (delete copies and pseudonym key, proof of deletion).
 * Both are idempotent: a copy that exists is not made again, a close that finds nothing succeeds.
 */
import { chmod, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditService, Clock, PlatformPaths } from '../platform/index.ts';
import { loadCatalogue } from '../catalog/index.ts';
import { consentedPersons, optedOutNationalIds, personLookup, personLookupKey } from '../citizens/index.ts';
import { notify, projectMembers } from '../notifications/index.ts';
import { setProjectStatus, type Permit } from '../projects/index.ts';
import { deleteKeptSecret, keptSecret, type SecretBox } from '../secrets/index.ts';
import type { Queryable, Store } from '../store/index.ts';
import { ConflictError } from '../errors/index.ts';
import { deleteProjectCopies, type ProofOfDeletion } from './closing.ts';
import { consentChange, scopeSources, type CopyReason } from './consent-copies.ts';
import { CopyManifestSchema } from './extract-manifest.ts';
import { createExtract } from './extract.ts';
import { scopeFromPermit } from './extract-scope.ts';
import type { Progress } from './generator.ts';
import { keyFingerprint, newPseudonymKey } from './pseudonym.ts';
import { recordCopiesDeleted, recordCopy } from './store.ts';

export interface CopyActDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  box: SecretBox;
  paths: PlatformPaths;
}

export const pseudonymKeyName = (projectId: string) => `pseudonym-key:${projectId}`;

export type MakeCopyOutcome =
  | { made: true; copyVersion: number; personCount: number; reason: CopyReason }
  | { made: false; why: 'exists' | 'locked' | 'closed' };

async function removeTree(dir: string): Promise<void> {
  if (!(await stat(dir).catch(() => null))) return;
  await chmod(dir, 0o700);
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await chmod(join(dir, e.name), 0o700);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes a copy folder no store row describes (a crash between rename and commit), but only one
 * this context made: its manifest names this project and version. Anything else is left alone and
 * the copy is refused as a conflict (audited; the loop retries later).
 */
async function removeOrphan(dir: string, projectId: string, copyVersion: number): Promise<void> {
  if (!(await stat(dir).catch(() => null))) return;
  const manifest = await readFile(join(dir, 'manifest.json'), 'utf8').then(
    (t) => CopyManifestSchema.safeParse(JSON.parse(t)),
    () => null,
  );
  if (!manifest?.success || manifest.data.projectId !== projectId || manifest.data.copyVersion !== copyVersion) {
    throw new ConflictError(`${dir} exists and is not a copy this platform recorded; not touching it`, { reason: 'copy_folder_foreign' });
  }
  await removeTree(dir);
}

/**
 * Removes the temporary folders (`copies/<project>/.tmp-v<N>-*`) of extracts a killed process left
 * behind. Run at start-up, before the loop; a data directory belongs to one control plane.
 */
export async function sweepExtractLeftovers(paths: PlatformPaths): Promise<string[]> {
  const root = join(paths.dataDir, 'copies');
  const removed: string[] = [];
  for (const project of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, project)).catch(() => [] as string[])) {
      if (!name.startsWith('.tmp-v')) continue;
      await removeTree(join(root, project, name));
      removed.push(join('copies', project, name));
    }
  }
  return removed;
}

/**
 * Makes the copy of `permit` (the project's current version) unless one exists — or, with `reason`
 * `consent_withdrawn`/`consent_given` (the reconciler's `consentChange`), the next version of a
 * consent project whose consents in force differ from its newest copy, checked again under the
 * lock. `reason` says why the version is made (for the members' `copy.new_version`). Under consent
 * the copy holds exactly the consents in force read in this transaction; the copy's basis (those
 * consents) is recorded with it (`data_copy_consents`). Holds a
 * transaction-scoped advisory lock on the project for the whole extract, so only one control plane
 * extracts a given copy; the copy's row and persons commit in the same transaction, and a failure
 * removes the copy folder. Audited as `copy.create` by `system` (initiated, then success or failure).
 * The project's members are told of the new version in the same transaction, with `reason`.
 */
export async function makeCopy(
  deps: CopyActDeps,
  permit: Permit,
  onProgress?: (p: Progress & { copyVersion: number }) => void,
  signal?: AbortSignal,
  reason: CopyReason = 'permit_changed',
): Promise<MakeCopyOutcome> {
  const { projectId } = permit;
  return deps.store.tx(async (q) => {
    const [lock] = await q.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('data-copies'), hashtext($1)) AS ok`, [projectId]);
    if (!lock?.ok) return { made: false, why: 'locked' } as const;
    const [project] = await q.query<{ status: string }>('SELECT status FROM projects WHERE id = $1', [projectId]);
    if (project?.status !== 'active') return { made: false, why: 'closed' } as const;
    const have = await q.query<{ v: number | null; has: boolean }>(
      'SELECT max(copy_version) AS v, bool_or(permit_version = $2 AND deleted_at IS NULL) AS has FROM data_copies WHERE project_id = $1',
      [projectId, permit.version],
    );
    if (have[0]?.has && (reason === 'permit_changed' || !(await consentChange(q, projectId, deps.clock.now(), 0))))
      return { made: false, why: 'exists' } as const;
    const copyVersion = Number(have[0]?.v ?? 0) + 1;
    const base = {
      actor: 'system',
      role: 'system',
      action: 'copy.create',
      object: `copy:${projectId}/v${copyVersion}`,
      projectId,
      requestId: null,
      clientAddress: null,
    };
    await deps.audit.record({ ...base, outcome: 'initiated', reason: `permit ${permit.id} version ${permit.version}`, details: { why: reason } });
    const dir = deps.paths.copy(projectId, copyVersion);
    try {
      const scope = scopeFromPermit(permit);
      const catalogue = await loadCatalogue(q);
      const sources = await scopeSources(q, scope, deps.paths.dataDir);
      const key = await keptSecret(q, deps.box, pseudonymKeyName(projectId), newPseudonymKey);
      const optedOut = permit.optOutHonoured ? await optedOutNationalIds(q, deps.box) : [];
      const consented = scope.legalBasis.requiresConsent ? await consentedPersons(q, deps.box, projectId) : null;
      await removeOrphan(dir, projectId, copyVersion);
      const result = await createExtract(
        { clock: deps.clock, copiesDir: join(deps.paths.dataDir, 'copies') },
        {
          scope,
          catalogue: catalogue.datasets,
          sources,
          key,
          optedOut,
          consent: consented ? { version: permit.consent?.version ?? 'none', nationalIds: consented.map((c) => c.nationalId) } : undefined,
          copyVersion,
          onProgress: onProgress && ((p) => onProgress({ ...p, copyVersion })),
          signal,
        },
      );
      try {
        const lookupKey = await personLookupKey(q, deps.box);
        const { personCount } = await recordCopy(q, {
          manifest: result.manifest,
          createdBy: 'system',
          persons: result.persons,
          personLookup: (fnr) => personLookup(lookupKey, fnr),
        });
        if (consented)
          await q.query('INSERT INTO data_copy_consents (project_id, copy_version, person_lookup) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING', [
            projectId,
            copyVersion,
            consented.map((c) => c.lookup),
          ]);
        await notify(
          q,
          await projectMembers(q, projectId),
          {
            kind: 'copy.new_version',
            params: { version: String(copyVersion), reason: copyVersion === 1 ? 'first_copy' : reason },
            link: `/projects/${projectId}`,
            projectId,
          },
          deps.clock.now(),
        );
        await deps.audit.record({
          ...base,
          outcome: 'success',
          reason: null,
          details: {
            permitId: permit.id,
            permitVersion: permit.version,
            persons: personCount,
            files: result.manifest.files.length,
            sources: sources.map((s) => `${s.dataset}@${s.version}`),
            keyFingerprint: result.manifest.pseudonym.keyFingerprint,
            why: reason,
            ...(result.manifest.consent ? { consentsInForce: result.manifest.consent.inForce } : {}),
          },
        });
        return { made: true, copyVersion, personCount, reason } as const;
      } catch (err) {
        await removeTree(dir);
        throw err;
      }
    } catch (err) {
      await deps.audit.record({ ...base, outcome: 'failure', reason: (err as Error).message.slice(0, 500) });
      throw err;
    }
  });
}

/** The key's fingerprint if the project has one, without creating it. */
async function existingKeyFingerprint(q: Queryable, box: SecretBox, projectId: string): Promise<string | null> {
  const none = Symbol('none');
  try {
    return keyFingerprint(
      await keptSecret(q, box, pseudonymKeyName(projectId), () => {
        throw none;
      }),
    );
  } catch (err) {
    if (err === none) return null;
    throw err;
  }
}

/**
 * Closes a project's data: deletes every copy version (proof of deletion through the audit path,
 * `data_copy.delete`), the pseudonym key, marks the copies deleted and the project `closed`, under
 * the project's copy lock (an extract in flight finishes first). Running it again after a partial
 * failure finishes the job; closing a closed project returns a proof listing nothing.
 */
export async function closeProjectData(
  deps: CopyActDeps,
  input: { projectId: string; actor: string; role: string; reason: string; requestId?: string | null },
): Promise<ProofOfDeletion> {
  return deps.store.tx(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('data-copies'), hashtext($1))`, [input.projectId]);
    const fingerprint = await existingKeyFingerprint(q, deps.box, input.projectId);
    const proof = await deleteProjectCopies(
      { copiesDir: join(deps.paths.dataDir, 'copies'), clock: deps.clock, audit: deps.audit },
      { ...input, keyFingerprint: fingerprint },
    );
    await deleteKeptSecret(q, pseudonymKeyName(input.projectId));
    await recordCopiesDeleted(q, proof);
    await setProjectStatus(q, input.projectId, 'closed', deps.clock.now());
    return proof;
  });
}
