/**
 * Demo mode: the people of every role, and one active project with an issued permit over the
 * demo registers, `lead` and `researcher` as members. Idempotent: seeding a seeded store
 * changes nothing. All passwords are `demoPassword`; second factors are waived in demo mode.
 */
import type { Queryable } from '../store/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import { createUser } from '../identity/index.ts';
import type { Principal, Role } from '../platform/index.ts';
import { demoCatalogue, loadCatalogue, saveCatalogue } from '../catalog/index.ts';
import { decideApplication, issuePermit, submitApplication } from '../projects/index.ts';

export const DEMO_USERS: { id: string; displayName: string; roles: Role[] }[] = [
  { id: 'researcher', displayName: 'Rita Researcher', roles: ['researcher'] },
  { id: 'lead', displayName: 'Lars Lead', roles: ['project_lead', 'researcher'] },
  { id: 'admin1', displayName: 'Anne Admin', roles: ['access_admin'] },
  { id: 'admin2', displayName: 'Arne Admin', roles: ['access_admin'] },
  { id: 'auditor', displayName: 'Aud Auditor', roles: ['auditor'] },
  { id: 'citizen', displayName: 'Kari Nordmann', roles: ['citizen'] },
  { id: 'operator', displayName: 'Ola Operator', roles: ['platform_admin'] },
];

export const DEMO_PROJECT_TITLE = 'Diabetes medication and cardiovascular outcomes';

const principal = (id: string, roles: Role[]): Principal => ({ userId: id, displayName: id, roles, via: 'token' });

/** Why the demo project asks for the identity number: the extract makes it the project pseudonym that links the registers. */
const LINK_REASON = 'Links the three registers per person; the copy holds the project pseudonym in its place.';

export async function seedDemo(q: Queryable, box: SecretBox, opts: { password: string; now: Date }): Promise<{ projectId: string; created: boolean }> {
  const existing = await q.query<{ id: string }>('SELECT id FROM projects WHERE title = $1', [DEMO_PROJECT_TITLE]);
  for (const u of DEMO_USERS) {
    const has = await q.query('SELECT 1 FROM users WHERE id = $1', [u.id]);
    if (!has[0]) await createUser(q, box, { ...u, password: opts.password }, 'demo-seed');
  }
  if (existing[0]) return { projectId: existing[0].id, created: false };
  // The application is held to the catalogue (`projects/application-checks.ts`), which at first
  // start is not there yet: the data-copies module would save the same demo catalogue when it starts.
  if ((await loadCatalogue(q)).datasets.length === 0) await saveCatalogue(q, demoCatalogue(), opts.now);
  const year = opts.now.getUTCFullYear();
  const lead = principal('lead', ['project_lead', 'researcher']);
  const app = await submitApplication(
    q,
    lead,
    {
      kind: 'new',
      caseType: 'one_off',
      project: {
        title: DEMO_PROJECT_TITLE,
        purpose: 'Does the choice of second-line diabetes medication change the risk of heart attack and stroke? A registry cohort study.',
        dataControllers: ['Norwegian Institute of Public Health', 'Norwegian Directorate of Health'],
        legalBasis: 'hforsk-35',
        ethicsRef: 'REK 2026/12345',
        period: { from: '2015-01-01', to: `${year}-12-31` },
      },
      datasets: [
        { dataset: 'population', variables: ['fnr', 'sex', 'birth_date', 'municipality'], reasons: { fnr: LINK_REASON } },
        { dataset: 'patient_episodes', variables: ['fnr', 'admission_date', 'main_diagnosis', 'care_level'], reasons: { fnr: LINK_REASON } },
        { dataset: 'prescriptions', variables: ['fnr', 'dispense_date', 'atc_code', 'ddd'], reasons: { fnr: LINK_REASON } },
      ],
      period: { from: '2015-01-01', to: `${year - 1}-12-31` },
      cohort: { birthYearFrom: 1930, birthYearTo: 1990 },
      linkage: true,
      members: [{ userId: 'researcher', role: 'researcher' }],
    },
    opts.now,
  );
  const admin = principal('admin1', ['access_admin']);
  await decideApplication(q, admin, app.id, 'approve', 'Purpose, legal basis and REK approval in order; data minimised to the variables needed.', opts.now);
  const expires = new Date(Date.UTC(year + 2, 11, 31, 23, 59, 59)).toISOString();
  await issuePermit(q, admin, app.id, expires, 'Issued as applied for (demo).', opts.now);
  return { projectId: app.projectId, created: true };
}
