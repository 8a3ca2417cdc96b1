/**
 * Consent projects in the copy reconciler: who is asked, and when a consent project needs a new
 * copy version.
 *
 * Asking: once per permit version, the persons the permit's scope selects in the registers (the
 * union over its datasets of the persons with rows in its period who meet its cohort criteria —
 * the extract's own SQL, so "asked" and "could be in the copy" are the same set) are recorded as
 * asked by lookup key (`citizens` `recordConsentRequests`), audited as `consent.request`.
 *
 * New versions: a **withdrawal** makes one at the next pass — any person in the newest copy whose
 * consent is no longer in force (this also catches a withdrawal that raced a running extract, and
 * copies made before consent was enforced). **New consents** join in a new version only once the
 * newest copy is `consentJoinMs` old (default a day), so a study's data does not change under its
 * researchers on every citizen's click; Findata likewise delivers new data as a new version on a
 * schedule or request, never silently. Either way the new version holds exactly the consents in
 * force when it runs.
 */
import { join } from 'node:path';
import { latestVersion, loadCatalogue, type Dataset } from '../catalog/index.ts';
import { consentRoundDone, personLookup, personLookupKey, recordConsentRequests } from '../citizens/index.ts';
import type { AuditService, Clock, PlatformPaths } from '../platform/index.ts';
import type { Permit } from '../projects/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable, Store } from '../store/index.ts';
import { ident, lit, openDuck, rowsOf } from './duckdb.ts';
import { cohortSql, personConditions, planExtract, scopeFromPermit, type ExtractScope, type SourceFile } from './extract-scope.ts';

/** What asking needs (the copy reconciler's `CopyActDeps`). */
interface ConsentDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  box: SecretBox;
  paths: PlatformPaths;
}

/** Why a copy version is made, for the members' notification (`copy.new_version` `params.reason`). */
export type CopyReason = 'permit_changed' | 'consent_withdrawn' | 'consent_given';

/** The stored source version of each dataset the scope reads (permitted and cohort ones). */
export async function scopeSources(q: Queryable, scope: ExtractScope, dataDir: string): Promise<SourceFile[]> {
  const wanted = new Set([...scope.datasets.map((d) => d.dataset), ...scope.cohort.flatMap((c) => ('dataset' in c ? [c.dataset] : []))]);
  const sources: SourceFile[] = [];
  for (const dataset of wanted) {
    const v = await latestVersion(q, dataset);
    sources.push({ dataset, version: v.version, path: join(dataDir, v.path), sha256: v.sha256 });
  }
  return sources;
}

/** The identity numbers the scope selects (before consent), ascending. Platform-only. */
export async function scopePersons(scope: ExtractScope, catalogue: Dataset[], sources: SourceFile[]): Promise<string[]> {
  const plans = planExtract(scope, catalogue, sources);
  const cohort = cohortSql(scope, catalogue, sources);
  const parts = plans.map((plan) => {
    const person = `s.${ident(plan.dataset.personVariable)}`;
    const conds = [plan.where, ...personConditions(scope, person)];
    if (cohort) conds.push(`${person} IN (SELECT fnr FROM tre_cohort)`);
    return `SELECT ${person} AS fnr FROM read_parquet(${lit(plan.source.path)}) s WHERE ${conds.join(' AND ')}`;
  });
  const duck = await openDuck({ threads: 2 });
  try {
    if (cohort) await duck.conn.run(`CREATE TABLE tre_cohort AS SELECT DISTINCT fnr FROM (${cohort})`);
    const rows = await rowsOf<{ fnr: string }>(duck.conn, `SELECT DISTINCT fnr FROM (${parts.join(' UNION ')}) ORDER BY fnr`);
    return rows.map((r) => String(r.fnr));
  } finally {
    duck.close();
  }
}

export const requiresConsent = (permit: Permit): boolean => scopeFromPermit(permit).legalBasis.requiresConsent;

/**
 * Asks the cohort of the permit version for consent, once (idempotent; two replicas serialise on
 * the project's consent lock). Returns how many persons were newly asked, or null when there was
 * nothing to do.
 */
export async function askConsentCohort(deps: ConsentDeps, permit: Permit): Promise<number | null> {
  if (!requiresConsent(permit) || !permit.consent) return null;
  if (await consentRoundDone(deps.store, permit.projectId, permit.version)) return null;
  const scope = scopeFromPermit(permit);
  const catalogue = await loadCatalogue(deps.store);
  const sources = await scopeSources(deps.store, scope, deps.paths.dataDir);
  const persons = await scopePersons(scope, catalogue.datasets, sources);
  return deps.store.tx(async (q) => {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('consent-requests'), hashtext($1))`, [permit.projectId]);
    if (await consentRoundDone(q, permit.projectId, permit.version)) return null;
    const key = await personLookupKey(q, deps.box);
    const [project] = await q.query<{ title: string }>('SELECT title FROM projects WHERE id = $1', [permit.projectId]);
    const asked = await recordConsentRequests(
      q,
      {
        projectId: permit.projectId,
        title: project?.title ?? permit.projectId,
        permitVersion: permit.version,
        lookups: persons.map((f) => personLookup(key, f)),
      },
      deps.clock.now(),
    );
    await deps.audit.record({
      actor: 'system',
      role: 'system',
      action: 'consent.request',
      object: `project:${permit.projectId}`,
      projectId: permit.projectId,
      outcome: 'success',
      reason: null,
      requestId: null,
      clientAddress: null,
      details: { permitId: permit.id, permitVersion: permit.version, cohort: persons.length, newlyAsked: asked, consentVersion: permit.consent?.version },
    });
    return asked;
  });
}

/**
 * Whether the project's consents in force differ from its newest live copy: a person in the copy
 * no longer consents (`consent_withdrawn`), or a consent in force is not in the copy's basis
 * (`consent_given`, only when the copy is at least `joinMs` old, unless `joinMs` is 0). Null: no
 * copy yet, or nothing to do.
 */
export async function consentChange(q: Queryable, projectId: string, now: Date, joinMs: number): Promise<CopyReason | null> {
  const [row] = await q.query<{ withdrawn: boolean; given: boolean; at: Date | string }>(
    `WITH newest AS (SELECT copy_version, created_at FROM data_copies WHERE project_id = $1 AND deleted_at IS NULL ORDER BY copy_version DESC LIMIT 1)
     SELECT EXISTS (SELECT 1 FROM data_copy_persons p, newest n
                     WHERE p.project_id = $1 AND p.copy_version = n.copy_version
                       AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.project_id = $1 AND c.person_lookup = p.person_lookup)) AS withdrawn,
            EXISTS (SELECT 1 FROM consents c JOIN consent_requests r USING (project_id, person_lookup), newest n
                     WHERE c.project_id = $1
                       AND NOT EXISTS (SELECT 1 FROM data_copy_consents b
                                        WHERE b.project_id = $1 AND b.copy_version = n.copy_version AND b.person_lookup = c.person_lookup)) AS given,
            n.created_at AS at
       FROM newest n`,
    [projectId],
  );
  if (!row) return null;
  if (row.withdrawn) return 'consent_withdrawn';
  if (row.given && now.getTime() - new Date(row.at).getTime() >= joinMs) return 'consent_given';
  return null;
}
