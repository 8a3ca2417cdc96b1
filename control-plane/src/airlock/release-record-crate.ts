/**
 * The release record's RO-Crate metadata (`data/ro-crate-metadata.json`): RO-Crate 1.2 under the
 * Five Safes RO-Crate profile (https://w3id.org/5s-crate/0.4), its entity types as the profile's
 * result crate uses them:
 *
 *   - `CreateAction` `#run`: the researcher's work in the room that made the outputs, from the
 *     data copy versions (`object`) to the released files (`result`), ended when the request was made;
 *   - `AssessAction` + `shp:DisclosureCheck`, one per automated check of each file (content scan,
 *     and the table check cell by cell when there is one), agent the airlock, instrument the policy,
 *     the verdict in `name` and `result`;
 *   - `AssessAction` + `shp:DisclosureCheck`, one per reviewer's decision, with its reason;
 *   - `AssessAction` + `shp:SignOff`, the release: agents the reviewers, instrument the permit version;
 *   - the permit (`CreativeWork`, identifier and version) and each data copy version (`Dataset`).
 *
 * Everything comes from rows that no longer change once the export is approved (the request, its
 * files and checks, the reviews, the permit version), and key order is fixed by construction, so
 * the same export always gives the same bytes: the record's digest is reproducible.
 */
import type { AirlockFile, AirlockRequest, Review } from './schemas.ts';

export const FIVE_SAFES_PROFILE = 'https://w3id.org/5s-crate/0.4';
const RO_CRATE = 'https://w3id.org/ro/crate/1.2';
const SHP = 'https://w3id.org/shp#';
const COMPLETED = 'http://schema.org/CompletedActionStatus';

export interface CratePermit {
  id: string;
  version: number;
  issuedAt: string;
  expiresAt: string;
  legalBasis: string;
}

export interface CrateCopy {
  version: number;
  createdAt: string | null;
  /** The permit version the copy was extracted under. */
  permit: { id: string; version: number } | null;
  /** The copy the room had mounted at `/data` when the request was made. */
  mounted: boolean;
  /** Files whose checked table was computed from this copy. */
  checkedFiles: readonly string[];
}

export interface CrateInput {
  request: AirlockRequest;
  files: readonly AirlockFile[];
  reviews: readonly Review[];
  /** The permit version in force when the request was made. */
  permit: CratePermit | null;
  /** The data copy versions the outputs came from. */
  copies: readonly CrateCopy[];
  /** Where each file sits in the payload, relative to the metadata file. */
  payloadName(f: AirlockFile): string;
  resultsName: string;
}

type Entity = Record<string, unknown> & { '@id': string; '@type': string | string[] };
const ref = (id: string) => ({ '@id': id });
const person = (userId: string) => `#person-${encodeURIComponent(userId)}`;

function fileChecks(f: AirlockFile, target: string): Entity[] {
  const out: Entity[] = [
    {
      '@id': `#check-${f.id}-content`,
      '@type': 'AssessAction',
      additionalType: ref(`${SHP}DisclosureCheck`),
      name: `Automated content check of ${f.name}: ${f.checks.fileStatus}`,
      endTime: f.stagedAt,
      object: ref(target),
      agent: ref('#airlock'),
      instrument: ref('#policy'),
      result: f.checks.fileStatus,
      actionStatus: COMPLETED,
    },
  ];
  const table = f.checks.table;
  if (table) {
    const counts = Object.entries(table.rules)
      .map(([rule, cells]) => [rule, Array.isArray(cells) ? cells.length : 0] as const)
      .filter(([, n]) => n > 0)
      .map(([rule, n]) => `${rule} ${n}`);
    out.push({
      '@id': `#check-${f.id}-table`,
      '@type': 'AssessAction',
      additionalType: ref(`${SHP}DisclosureCheck`),
      name: `Automated table check of ${f.name}, cell by cell: ${table.status}`,
      description: counts.length ? `cells named by each rule: ${counts.join(', ')}` : 'no cell named by any rule',
      endTime: f.stagedAt,
      object: ref(target),
      agent: ref('#airlock'),
      instrument: ref('#policy'),
      result: table.status,
      actionStatus: COMPLETED,
    });
  }
  return out;
}

function copyEntity(c: CrateCopy, projectId: string): Entity {
  const how = [
    ...(c.mounted ? ['mounted read-only at /data in the project room when the export was requested'] : []),
    ...(c.checkedFiles.length ? [`the checked tables of ${c.checkedFiles.join(', ')} were computed from it`] : []),
  ];
  return {
    '@id': `#data-copy-v${c.version}`,
    '@type': 'Dataset',
    name: `Data copy version ${c.version} of project ${projectId}`,
    version: c.version,
    description: how.join('; '),
    ...(c.createdAt ? { dateCreated: c.createdAt } : {}),
    ...(c.permit ? { isBasedOn: ref(`#permit-${c.permit.id}-v${c.permit.version}`) } : {}),
  };
}

/** The metadata document, as bytes (two-space JSON, a final newline). */
export function crateMetadata(input: CrateInput): Buffer {
  const { request: req, files, reviews, permit } = input;
  const decidedAt = req.decidedAt ?? req.submittedAt ?? req.createdAt;
  const copies = input.copies;
  const checks = files.flatMap((f) => fileChecks(f, input.payloadName(f)));
  const reviewActions: Entity[] = reviews.map((r, i) => ({
    '@id': `#review-${i + 1}`,
    '@type': 'AssessAction',
    additionalType: ref(`${SHP}DisclosureCheck`),
    name: `Independent review by ${r.reviewer}: ${r.decision}${r.overFailedCheck ? ' (over a failed check)' : ''}`,
    ...(r.reason ? { description: r.reason } : {}),
    endTime: r.decidedAt,
    object: files.map((f) => ref(input.payloadName(f))),
    agent: ref(person(r.reviewer)),
    result: r.decision,
    actionStatus: COMPLETED,
  }));
  const people = [...new Set([req.requestedBy, ...reviews.map((r) => r.reviewer)])];
  const permitId = permit ? `#permit-${permit.id}-v${permit.version}` : null;
  const graph: Entity[] = [
    { '@id': 'ro-crate-metadata.json', '@type': 'CreativeWork', conformsTo: ref(RO_CRATE), about: ref('./') },
    {
      '@id': './',
      '@type': 'Dataset',
      name: `Release of export ${req.id} from project ${req.projectId}`,
      description: req.purpose,
      identifier: req.id,
      datePublished: decidedAt,
      conformsTo: ref(FIVE_SAFES_PROFILE),
      hasPart: [...files.map((f) => ref(input.payloadName(f))), ref(input.resultsName)],
      mainEntity: ref('#run'),
      mentions: [ref('#run'), ...checks.map((c) => ref(c['@id'])), ...reviewActions.map((r) => ref(r['@id'])), ref('#signoff')],
      sourceOrganization: ref('#project'),
      // RO-Crate 1.2 asks the root for a licence; outputs of registry data have terms, not an open licence.
      license: ref('#release-terms'),
    },
    {
      '@id': '#release-terms',
      '@type': 'CreativeWork',
      name: 'Terms of the release',
      description: `Released from the project room under ${permit ? `data permit ${permit.id}, version ${permit.version}` : "the project's permit"}, whose terms govern its use.`,
    },
    { '@id': FIVE_SAFES_PROFILE, '@type': ['CreativeWork', 'Profile'], name: 'Five Safes RO-Crate profile' },
    { '@id': '#project', '@type': 'Project', name: req.projectId, identifier: req.projectId },
    {
      '@id': '#run',
      '@type': 'CreateAction',
      name: `Outputs made in the project room and requested for export by ${req.requestedBy}`,
      description: req.purpose,
      endTime: req.createdAt,
      agent: ref(person(req.requestedBy)),
      object: copies.map((c) => ref(`#data-copy-v${c.version}`)),
      result: files.map((f) => ref(input.payloadName(f))),
      actionStatus: COMPLETED,
    },
    ...files.map(
      (f): Entity => ({
        '@id': input.payloadName(f),
        '@type': 'File',
        name: f.name,
        description: f.description,
        contentSize: f.sizeBytes,
        encodingFormat: f.contentType,
        identifier: `sha256:${f.sha256}`,
      }),
    ),
    {
      '@id': input.resultsName,
      '@type': 'File',
      name: 'ACRO results.json of the automated checks',
      encodingFormat: 'application/json',
      conformsTo: ref('https://github.com/AI-SDC/ACRO'),
    },
    ...copies.map((c) => copyEntity(c, req.projectId)),
    ...checks,
    ...reviewActions,
    {
      '@id': '#signoff',
      '@type': 'AssessAction',
      additionalType: ref(`${SHP}SignOff`),
      name: `Sign-off of the release: ${req.status}`,
      endTime: decidedAt,
      object: [ref('./'), ref('#project')],
      agent: reviews.map((r) => ref(person(r.reviewer))),
      ...(permitId ? { instrument: ref(permitId) } : {}),
      result: req.status,
      actionStatus: COMPLETED,
    },
    ...copies
      .flatMap((c) => (c.permit ? [c.permit] : []))
      .filter((p, i, all) => `#permit-${p.id}-v${p.version}` !== permitId && all.findIndex((q) => q.id === p.id && q.version === p.version) === i)
      .map(
        (p): Entity => ({
          '@id': `#permit-${p.id}-v${p.version}`,
          '@type': 'CreativeWork',
          name: `Data permit ${p.id}, version ${p.version}`,
          identifier: p.id,
          version: p.version,
        }),
      ),
    ...(permit && permitId
      ? [
          {
            '@id': permitId,
            '@type': 'CreativeWork',
            name: `Data permit ${permit.id}, version ${permit.version}`,
            identifier: permit.id,
            version: permit.version,
            dateCreated: permit.issuedAt,
            expires: permit.expiresAt,
            usageInfo: `legal basis: ${permit.legalBasis}`,
          },
        ]
      : []),
    {
      '@id': '#policy',
      '@type': 'CreativeWork',
      name: `Output-control policy profile '${req.policy.profile}'`,
      description: `applied from ${req.policy.sources.join(', ')}`,
    },
    { '@id': '#airlock', '@type': 'SoftwareApplication', name: 'Analyserom airlock automated disclosure checks' },
    ...people.map((u): Entity => ({ '@id': person(u), '@type': 'Person', name: u, identifier: u })),
  ];
  return Buffer.from(`${JSON.stringify({ '@context': `${RO_CRATE}/context`, '@graph': graph }, null, 2)}\n`);
}
