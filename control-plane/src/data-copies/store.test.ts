import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../catalog/index.ts';
import { manualClock } from '../platform/index.ts';
import { migrate, openStore, type Store } from '../store/index.ts';
import { createExtract } from './extract.ts';
import { generateRegisters } from './generator.ts';
import { newPseudonymKey } from './pseudonym.ts';
import { copiesOfPerson, listCopies, recordCopiesDeleted, recordCopy } from './store.ts';

let dir: string;
let pgDir: string;
let store: Store;
const platformKey = Buffer.alloc(32, 7);
const lookup = (fnr: string) => createHmac('sha256', platformKey).update(fnr).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'copies-store-'));
  pgDir = mkdtempSync(join(tmpdir(), 'copies-store-pg-'));
  store = await openStore({ dataDir: pgDir });
  await migrate(store);
  await store.query(`INSERT INTO users (id, display_name) VALUES ('lead.one', 'Lead One')`);
  await store.query(
    `INSERT INTO projects (id, title, purpose, data_controllers, legal_basis, period_from, period_to, status, created_by)
     VALUES ('p-store', 'Diabetes drugs', 'Study of drug use', ARRAY['FHI'], 'ehds-art-68', '2015-01-01', '2019-12-31', 'active', 'lead.one')`,
  );
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(pgDir, { recursive: true, force: true });
});

describe('copy register', () => {
  it('records a copy with its persons as lookups, answers which projects used a person, and records deletion', async () => {
    const gen = await generateRegisters({ rows: 1000, seed: 8, outDir: join(dir, 'src'), datasets: ['prescriptions'] });
    const r = await createExtract(
      { clock: manualClock('2026-03-01T00:00:00Z'), copiesDir: join(dir, 'copies') },
      {
        scope: {
          projectId: 'p-store',
          permitId: 'pmt_s',
          permitVersion: 1,
          legalBasis: { code: 'ehds-art-68', honoursOptOut: true },
          period: { from: '2015-01-01', to: '2019-12-31' },
          linkage: true,
          datasets: [{ dataset: 'prescriptions', variables: ['atc_code'] }],
        },
        catalogue: DEMO_DATASETS,
        sources: gen.files.map((f) => ({ dataset: f.dataset, version: 'v1', path: f.path, sha256: f.sha256 })),
        key: newPseudonymKey(),
        optedOut: [],
        copyVersion: 1,
      },
    );
    const { personCount } = await store.tx((q) => recordCopy(q, { manifest: r.manifest, createdBy: 'system', persons: r.persons, personLookup: lookup }));
    expect(personCount).toBe(r.persons.count);
    await expect(recordCopy(store, { manifest: r.manifest, createdBy: 'system', persons: [], personLookup: lookup })).rejects.toMatchObject({
      reason: 'copy_exists',
    });
    const [copy] = await listCopies(store, 'p-store');
    expect(copy).toMatchObject({ projectId: 'p-store', copyVersion: 1, permitId: 'pmt_s', permitVersion: 1, personCount: r.persons.count, deletedAt: null });
    expect(copy!.manifest).toEqual(r.manifest);
    const someone = r.persons.toArray()[3]!;
    expect(await copiesOfPerson(store, lookup(someone))).toEqual([
      { projectId: 'p-store', copyVersions: [1], firstCopyAt: '2026-03-01T00:00:00.000Z', deleted: false },
    ]);
    expect(await copiesOfPerson(store, lookup('01010750160'))).toEqual([]);
    const rawIds = await store.query(`SELECT 1 FROM data_copy_persons WHERE person_lookup = $1`, [someone]);
    expect(rawIds).toEqual([]);
    await recordCopiesDeleted(store, {
      kind: 'analyserom.proof-of-deletion',
      projectId: 'p-store',
      deletedAt: '2026-09-01T00:00:00.000Z',
      deletedBy: { actor: 'system', role: 'system' },
      reason: 'project closed',
      copies: [],
      pseudonymKey: null,
      sha256: 'f'.repeat(64),
    });
    expect((await listCopies(store, 'p-store'))[0]!.deletedAt).toBe('2026-09-01T00:00:00.000Z');
    expect((await copiesOfPerson(store, lookup(someone)))[0]!.deleted).toBe(true);
  });
});
