/**
 * Data permits. A version is immutable once issued (the store refuses updates); an amendment
 * (new period, extra order, project change) inserts the next version of the same permit.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../errors/index.ts';
import type { Principal } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';
import { requireCheckedScope } from './application-checks.ts';
import { requireIndependent } from './independence.ts';
import { LEGAL_BASES, type Permit, type PermitAmendment } from './schemas.ts';

const SELECT = `SELECT id, version, project_id AS "projectId", application_id AS "applicationId", case_type AS "caseType", datasets,
  json_build_object('from', period_from, 'to', period_to) AS period, cohort, linkage_allowed AS "linkageAllowed",
  authorised_persons AS "authorisedPersons", legal_basis AS "legalBasis", opt_out_honoured AS "optOutHonoured",
  CASE WHEN consent_text IS NULL THEN NULL ELSE json_build_object('text', consent_text, 'version', consent_version) END AS consent, expires_at AS "expiresAt", issued_by AS "issuedBy", issued_at AS "issuedAt", reason FROM permits`;

export async function currentPermit(q: Queryable, projectId: string): Promise<Permit | undefined> {
  return (await q.query<Permit>(`${SELECT} WHERE project_id = $1 ORDER BY version DESC LIMIT 1`, [projectId]))[0];
}

export async function permitVersions(q: Queryable, projectId: string): Promise<Permit[]> {
  return q.query<Permit>(`${SELECT} WHERE project_id = $1 ORDER BY version`, [projectId]);
}

export async function getPermit(q: Queryable, permitId: string, version?: number): Promise<Permit> {
  const rows = version
    ? await q.query<Permit>(`${SELECT} WHERE id = $1 AND version = $2`, [permitId, version])
    : await q.query<Permit>(`${SELECT} WHERE id = $1 ORDER BY version DESC LIMIT 1`, [permitId]);
  if (!rows[0]) throw new NotFoundError(`no permit '${permitId}'${version ? ` version ${version}` : ''}`, { reason: 'no_such_permit' });
  return rows[0];
}

/** What a new version states; opt-out and consent follow from the legal basis and the project. */
export type PermitTerms = Omit<Permit, 'id' | 'version' | 'issuedAt' | 'optOutHonoured' | 'consent'>;

export async function insertPermitVersion(q: Queryable, terms: PermitTerms, now: Date): Promise<Permit> {
  const prev = await currentPermit(q, terms.projectId);
  const id = prev?.id ?? `pmt_${randomBytes(5).toString('hex')}`;
  const version = (prev?.version ?? 0) + 1;
  const optOut = LEGAL_BASES[terms.legalBasis].optOut;
  // The consent participants give is the project's; a consent permit without one is refused (fail closed).
  const [project] = await q.query<{ text: string | null; version: string | null }>(
    'SELECT consent_text AS text, consent_version AS version FROM projects WHERE id = $1',
    [terms.projectId],
  );
  const consent = LEGAL_BASES[terms.legalBasis].consent ? project : undefined;
  if (consent && (!consent.text || !consent.version))
    throw new ConflictError('a permit on the legal basis consent needs the consent text of its project', { reason: 'consent_terms_missing' });
  try {
    await q.query(
      `INSERT INTO permits (id, version, project_id, application_id, case_type, datasets, period_from, period_to, cohort, linkage_allowed,
         authorised_persons, legal_basis, opt_out_honoured, expires_at, issued_by, issued_at, reason, consent_text, consent_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        id,
        version,
        terms.projectId,
        terms.applicationId,
        terms.caseType,
        JSON.stringify(terms.datasets),
        terms.period.from,
        terms.period.to,
        JSON.stringify(terms.cohort),
        terms.linkageAllowed,
        terms.authorisedPersons,
        terms.legalBasis,
        optOut,
        terms.expiresAt,
        terms.issuedBy,
        now,
        terms.reason,
        consent?.text ?? null,
        consent?.version ?? null,
      ],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new ConflictError('the permit was amended concurrently; retry', { reason: 'concurrent_amendment' });
    throw err;
  }
  return getPermit(q, id, version);
}

/** Amends the permit by an access administrator independent of the project and of the change (no self-authorisation). */
export async function amendPermit(q: Queryable, p: Principal, projectId: string, change: PermitAmendment, now: Date): Promise<Permit> {
  const prev = await currentPermit(q, projectId);
  if (!prev) throw new NotFoundError('the project has no permit to amend', { reason: 'no_permit' });
  await requireIndependent(q, p, { projectId, what: 'permit amendment', body: change });
  const by = p.userId;
  const scope = {
    datasets: change.datasets ?? prev.datasets,
    period: change.period ?? { from: prev.period.from.slice(0, 10), to: prev.period.to.slice(0, 10) },
    cohort: change.cohort ?? prev.cohort,
    linkage: change.linkageAllowed ?? prev.linkageAllowed,
  };
  // The version made is checked whole, the terms kept from the previous version too: the catalogue may have changed since.
  await requireCheckedScope(q, scope, { step: 'permit amendment', linkageField: 'linkageAllowed' });
  return insertPermitVersion(
    q,
    {
      ...prev,
      applicationId: null,
      caseType: change.caseType,
      datasets: scope.datasets,
      period: change.period ?? prev.period,
      cohort: scope.cohort,
      linkageAllowed: scope.linkage,
      authorisedPersons: change.authorisedPersons ?? prev.authorisedPersons,
      expiresAt: change.expiresAt ?? prev.expiresAt,
      issuedBy: by,
      reason: change.reason,
    },
    now,
  );
}
