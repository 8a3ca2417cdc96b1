/**
 * The plain constants of projects that the web UI shows as choices. No imports: the UI bundles
 * this file as it is, while the zod schemas built from it (`schemas.ts`) stay on the server.
 */

/**
 * Legal bases a decision can rest on, whether each honours a citizen's opt-out (reservasjon),
 * and whether it needs each person's consent. Central registers under the health register act
 * have no opt-out; health research act exemptions and EHDS secondary use honour it. Under
 * `consent` neither the opt-out nor its absence decides anything: a copy holds exactly the persons
 * whose consent to the project is in force (an opted-out person may still consent to one study).
 */
export const LEGAL_BASES = {
  consent: { label: 'Consent (GDPR art. 6(1)(a), 9(2)(a))', optOut: false, consent: true },
  'hforsk-35': { label: 'Health Research Act § 35, exemption from confidentiality (REK)', optOut: true, consent: false },
  'hrl-19': { label: 'Health Register Act § 19 a-e, disclosure from central registers', optOut: false, consent: false },
  'ehds-art-68': { label: 'EHDS (EU 2025/327) art. 68, data permit for secondary use', optOut: true, consent: false },
} as const;

type LegalBasis = keyof typeof LEGAL_BASES;

export const LEGAL_BASIS_NAMES = Object.keys(LEGAL_BASES) as [LegalBasis, ...LegalBasis[]];

/** What an application or a permit version is: a first grant, a standing one, or a change of one. */
export const CASE_TYPES = ['one_off', 'rolling', 'new_period', 'extra_order', 'project_change'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

/**
 * Where an application is: `submitted` waits for pre-screening (is it complete), `in_assessment` is
 * the substantive assessment (TEHDAS2 keeps the two apart), `awaiting_applicant` is paused on a
 * request for information, then a decision or the applicant's withdrawal ends it.
 */
export const APPLICATION_STATUSES = ['submitted', 'in_assessment', 'awaiting_applicant', 'approved', 'rejected', 'withdrawn'] as const;
/** The statuses of a case still open: it may be withdrawn, written on, attached to. */
export const OPEN_APPLICATION_STATUSES = ['submitted', 'in_assessment', 'awaiting_applicant'] as const;
export const PROJECT_STATUSES = ['applied', 'active', 'rejected', 'closed'] as const;
