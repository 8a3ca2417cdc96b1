/**
 * Consent management (issue 15 item 5). A project on the legal basis `consent` asks the persons of
 * its cohort; each may give or withdraw consent at any time, and every change is kept
 * (`consent_events`, append-only, as opt-outs are). An extract of a consent project includes
 * exactly the asked persons whose consent is in force when it runs (`consentedPersons`).
 *
 * Who is asked: the persons the permit's cohort selects in the registers, computed by the copy
 * reconciler with DuckDB over the same sources and SQL as the extract (`data-copies`), once per
 * permit version, and recorded here by lookup key only (`recordConsentRequests`). Recording the
 * asked persons, rather than letting anyone consent, keeps a person outside the cohort from putting
 * themselves into a project's copy, and lets a citizen see a request on their page before any copy
 * exists — as Findata's and the Danish national consent registers keep the invitation apart from
 * the consent itself.
 */
import { ConflictError, NotFoundError } from '../errors/index.ts';
import { notify } from '../notifications/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { openPerson } from './persons.ts';
import type { ConsentRequest } from './schemas.ts';

type Row = Omit<ConsentRequest, 'history'>;

/** My consent requests, newest first, each with its history. */
export async function consentRequests(q: Queryable, lookup: string, projectId?: string): Promise<ConsentRequest[]> {
  const rows = await q.query<Row>(
    `SELECT r.project_id AS "projectId", p.title, p.purpose, p.data_controllers AS "dataControllers", p.status AS "projectStatus",
            json_build_object('from', pm.period_from, 'to', pm.period_to) AS "dataPeriod",
            json_build_object('text', pm.consent_text, 'version', pm.consent_version) AS terms,
            r.requested_at AS "requestedAt", c.since IS NOT NULL AS "inForce", c.since, c.consent_version AS "givenVersion"
       FROM consent_requests r
       JOIN projects p ON p.id = r.project_id
       JOIN LATERAL (SELECT * FROM permits WHERE project_id = r.project_id ORDER BY version DESC LIMIT 1) pm ON true
       LEFT JOIN consents c ON c.project_id = r.project_id AND c.person_lookup = r.person_lookup
      WHERE r.person_lookup = $1 AND ($2::text IS NULL OR r.project_id = $2)
      ORDER BY r.requested_at DESC, r.project_id`,
    [lookup, projectId ?? null],
  );
  const events = await q.query<{ projectId: string; action: 'give' | 'withdraw'; version: string; at: string }>(
    `SELECT project_id AS "projectId", action, consent_version AS version, at FROM consent_events
      WHERE person_lookup = $1 AND ($2::text IS NULL OR project_id = $2) ORDER BY at, id`,
    [lookup, projectId ?? null],
  );
  const day = (d: string) => new Date(d).toISOString().slice(0, 10);
  return rows.map((r) => ({
    ...r,
    dataPeriod: { from: day(r.dataPeriod.from), to: day(r.dataPeriod.to) },
    history: events.filter((e) => e.projectId === r.projectId).map(({ action, version, at }) => ({ action, version, at })),
  }));
}

/**
 * Gives (`give`) or withdraws my consent to a project that asked me. Setting what already holds
 * changes nothing and records nothing. A closed project takes no new consent; a withdrawal is
 * always possible. Locks the person's consent row so two changes serialise.
 */
export async function setConsent(q: Queryable, userId: string, projectId: string, give: boolean, now: Date): Promise<ConsentRequest> {
  const [user] = await q.query<{ person_lookup: string | null; person_sealed: string | null }>('SELECT person_lookup, person_sealed FROM users WHERE id = $1', [
    userId,
  ]);
  if (!user?.person_lookup || !user.person_sealed)
    throw new ConflictError('this account is not linked to a person in the registers', { reason: 'not_a_linked_citizen' });
  const lookup = user.person_lookup;
  await q.query('SELECT 1 FROM consent_requests WHERE project_id = $1 AND person_lookup = $2 FOR UPDATE', [projectId, lookup]);
  const [before] = await consentRequests(q, lookup, projectId);
  if (!before) throw new NotFoundError('this project has not asked for your consent', { reason: 'no_consent_request', details: { field: 'projectId' } });
  if (before.inForce === give) return before;
  if (give && before.projectStatus !== 'active')
    throw new ConflictError('the project is not active and takes no consent', { reason: 'consent_closed', details: { field: 'projectId' } });
  const version = give ? before.terms.version : (before.givenVersion ?? before.terms.version);
  if (give)
    await q.query('INSERT INTO consents (project_id, person_lookup, person_sealed, consent_version, since) VALUES ($1, $2, $3, $4, $5)', [
      projectId,
      lookup,
      user.person_sealed,
      version,
      now,
    ]);
  else await q.query('DELETE FROM consents WHERE project_id = $1 AND person_lookup = $2', [projectId, lookup]);
  await q.query('INSERT INTO consent_events (project_id, person_lookup, action, consent_version, at, by_user) VALUES ($1, $2, $3, $4, $5, $6)', [
    projectId,
    lookup,
    give ? 'give' : 'withdraw',
    version,
    now,
    userId,
  ]);
  return (await consentRequests(q, lookup, projectId))[0]!;
}

/** Whether the persons of this permit version were already asked. */
export async function consentRoundDone(q: Queryable, projectId: string, permitVersion: number): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM consent_rounds WHERE project_id = $1 AND permit_version = $2', [projectId, permitVersion]);
  return rows.length > 0;
}

/**
 * Records that the persons `lookups` (the cohort of the permit version) are asked; a person asked
 * before keeps their first request. Each newly asked person with an account is notified
 * (`consent.requested`: the project's id and title only). Returns how many were newly asked.
 */
export async function recordConsentRequests(
  q: Queryable,
  input: { projectId: string; title: string; permitVersion: number; lookups: readonly string[] },
  now: Date,
): Promise<number> {
  const fresh = await q.query<{ person_lookup: string }>(
    `INSERT INTO consent_requests (project_id, person_lookup, permit_version, requested_at)
     SELECT $1, l, $2, $3 FROM unnest($4::text[]) AS l ON CONFLICT DO NOTHING RETURNING person_lookup`,
    [input.projectId, input.permitVersion, now, [...new Set(input.lookups)]],
  );
  await q.query('INSERT INTO consent_rounds (project_id, permit_version, persons, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
    input.projectId,
    input.permitVersion,
    input.lookups.length,
    now,
  ]);
  const users = await q.query<{ id: string }>('SELECT id FROM users WHERE person_lookup = ANY($1::text[]) AND NOT disabled ORDER BY id', [
    fresh.map((r) => r.person_lookup),
  ]);
  await notify(
    q,
    users.map((u) => u.id),
    { kind: 'consent.requested', params: { project: input.projectId, title: input.title }, link: '/citizen', projectId: input.projectId },
    now,
  );
  return fresh.length;
}

/**
 * The asked persons of the project whose consent is in force now: lookup key and identity number
 * (opened from its seal). For the extract only; never leaves the control plane.
 */
export async function consentedPersons(q: Queryable, box: SecretBox, projectId: string): Promise<{ lookup: string; nationalId: string }[]> {
  const rows = await q.query<{ person_lookup: string; person_sealed: string }>(
    `SELECT c.person_lookup, c.person_sealed FROM consents c
       JOIN consent_requests r ON r.project_id = c.project_id AND r.person_lookup = c.person_lookup
      WHERE c.project_id = $1 ORDER BY c.person_lookup`,
    [projectId],
  );
  return rows.map((r) => ({ lookup: r.person_lookup, nationalId: openPerson(box, r.person_sealed) }));
}
