import { readdir, rm, writeFile, chmod } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../catalog/index.ts';
import { manualClock } from '../platform/index.ts';
import { ident, lit, openDuck, rowsOf } from './duckdb.ts';
import { verifyCopy } from './extract-manifest.ts';
import type { ExtractScopeInput, SourceFile } from './extract-scope.ts';
import { createExtract, type ExtractInput } from './extract.ts';
import { generateRegisters } from './generator.ts';
import { newPseudonymKey, pseudonymOf, type PseudonymScheme } from './pseudonym.ts';

let root: string;
let sources: SourceFile[];
const clock = manualClock('2026-02-01T08:00:00Z');
const keyA = newPseudonymKey();
const keyB = newPseudonymKey();

const scope = (over: Partial<ExtractScopeInput> = {}): ExtractScopeInput => ({
  projectId: 'proj-a',
  permitId: 'pmt_a',
  permitVersion: 1,
  legalBasis: { code: 'ehds-art-68', honoursOptOut: true },
  period: { from: '2015-01-01', to: '2019-12-31' },
  linkage: true,
  datasets: [
    { dataset: 'patient_episodes', variables: ['fnr', 'admission_date', 'main_diagnosis', 'health_trust'] },
    { dataset: 'prescriptions', variables: ['fnr', 'dispense_date', 'atc_code'] },
  ],
  cohort: [],
  ...over,
});

let version = 0;
function extract(over: Partial<ExtractInput> & { scope: ExtractScopeInput }) {
  return createExtract(
    { clock, copiesDir: join(root, 'copies') },
    { catalogue: DEMO_DATASETS, sources, key: keyA, optedOut: [], copyVersion: ++version, ...over },
  );
}

const src = (d: string) => sources.find((s) => s.dataset === d)!.path;

/** Rows of a copy file, as JSON text per row, sorted: a multiset to compare with. */
async function rowsOfFile(sql: string): Promise<string[]> {
  const duck = await openDuck({ threads: 1 });
  const reader = await duck.conn.runAndReadAll(sql);
  duck.close();
  return reader
    .getRowsJson()
    .map((r) => JSON.stringify(r))
    .sort();
}

/** The expected rows, computed independently: source rows in period, pid from the reference function. */
async function expectedRows(
  dataset: string,
  columns: string[],
  dateCol: string,
  persons: Iterable<string>,
  key: Uint8Array,
  opts: { scheme?: PseudonymScheme; domain?: string } = {},
): Promise<string[]> {
  const duck = await openDuck({ threads: 1 });
  await duck.conn.run('CREATE TABLE m (fnr VARCHAR, person_id BIGINT)');
  const app = await duck.conn.createAppender('m');
  for (const f of persons) {
    app.appendVarchar(f);
    app.appendBigInt(pseudonymOf(key, f, opts));
    app.endRow();
  }
  app.closeSync();
  const reader = await duck.conn.runAndReadAll(
    `SELECT m.person_id, ${columns.map((c) => `s.${ident(c)}`).join(', ')} FROM read_parquet(${lit(src(dataset))}) s JOIN m USING (fnr)
     WHERE s.${ident(dateCol)} BETWEEN DATE '2015-01-01' AND DATE '2019-12-31'`,
  );
  duck.close();
  return reader
    .getRowsJson()
    .map((r) => JSON.stringify(r))
    .sort();
}

async function pidsOf(...paths: string[]): Promise<Set<string>> {
  const duck = await openDuck({ threads: 1 });
  const rows = await rowsOf<{ person_id: bigint }>(duck.conn, `SELECT DISTINCT person_id FROM read_parquet([${paths.map(lit).join(', ')}])`);
  duck.close();
  return new Set(rows.map((r) => String(r.person_id)));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'extract-test-'));
  const gen = await generateRegisters({ rows: 3000, seed: 5, outDir: join(root, 'src') });
  sources = gen.files.map((f) => ({ dataset: f.dataset, version: 'v1', path: f.path, sha256: f.sha256 }));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('per-permit extract', () => {
  it('holds exactly the permitted columns of the rows in the period, with the project pseudonym', async () => {
    const r = await extract({ scope: scope() });
    const ep = join(r.dir, 'patient_episodes.parquet');
    const duck = await openDuck({ threads: 1 });
    const cols = (await rowsOf<{ column_name: string }>(duck.conn, `DESCRIBE SELECT * FROM read_parquet(${lit(ep)})`)).map((c) => c.column_name);
    const csvCols = (await rowsOf<{ column_name: string }>(duck.conn, `DESCRIBE SELECT * FROM read_csv(${lit(join(r.dir, 'prescriptions.csv'))})`)).map(
      (c) => c.column_name,
    );
    duck.close();
    // Catalogue order, whatever order the permit lists them in.
    expect(cols).toEqual(['person_id', 'admission_date', 'health_trust', 'main_diagnosis']);
    expect(csvCols).toEqual(['person_id', 'dispense_date', 'atc_code']);
    expect(await rowsOfFile(`FROM read_parquet(${lit(ep)})`)).toEqual(
      await expectedRows('patient_episodes', ['admission_date', 'health_trust', 'main_diagnosis'], 'admission_date', r.persons, keyA),
    );
    expect(await rowsOfFile(`FROM read_csv(${lit(join(r.dir, 'prescriptions.csv'))}, types = {'person_id': 'BIGINT'})`)).toEqual(
      await expectedRows('prescriptions', ['dispense_date', 'atc_code'], 'dispense_date', r.persons, keyA),
    );
    expect(r.manifest.datasets.map((d) => [d.dataset, d.droppedDirectIdentifiers])).toEqual([
      ['patient_episodes', ['fnr']],
      ['prescriptions', ['fnr']],
    ]);
    expect(r.persons.count).toBeGreaterThan(50);
    expect(await readdir(join(root, 'copies', 'proj-a'))).toEqual([`v${version}`]);
  });

  it('keeps pseudonyms across copy versions of a project and changes them across projects', async () => {
    const v1 = await extract({ scope: scope() });
    const v2 = await extract({ scope: scope({ permitVersion: 2, period: { from: '2017-01-01', to: '2021-12-31' } }) });
    const other = await extract({ scope: scope({ projectId: 'proj-b', permitId: 'pmt_b' }), key: keyB });
    const files = (dir: string) => [join(dir, 'patient_episodes.parquet'), join(dir, 'prescriptions.parquet')];
    const p1 = await pidsOf(...files(v1.dir));
    const p2 = await pidsOf(...files(v2.dir));
    const pb = await pidsOf(...files(other.dir));
    const inV2 = new Set(v2.persons);
    const both = [...v1.persons].filter((f) => inV2.has(f));
    expect(both.length).toBeGreaterThan(20);
    for (const f of both) {
      const pid = String(pseudonymOf(keyA, f));
      expect(p1.has(pid) && p2.has(pid)).toBe(true);
    }
    expect([...v1.persons]).toEqual([...other.persons]);
    expect([...p1].filter((p) => pb.has(p))).toEqual([]);
    expect(v1.manifest.pseudonym.keyFingerprint).toBe(v2.manifest.pseudonym.keyFingerprint);
    expect(v1.manifest.pseudonym.keyFingerprint).not.toBe(other.manifest.pseudonym.keyFingerprint);
  });

  it('computes the same pseudonyms with the HMAC-SHA-256 scheme as its reference', async () => {
    const r = await extract({ scope: scope(), scheme: 'hmac-sha256' });
    expect(await rowsOfFile(`FROM read_parquet(${lit(join(r.dir, 'patient_episodes.parquet'))})`)).toEqual(
      await expectedRows('patient_episodes', ['admission_date', 'health_trust', 'main_diagnosis'], 'admission_date', r.persons, keyA, {
        scheme: 'hmac-sha256',
      }),
    );
  });

  it('uses unlinkable pseudonyms per register when linkage is not allowed', async () => {
    const r = await extract({ scope: scope({ linkage: false }) });
    const a = await pidsOf(join(r.dir, 'patient_episodes.parquet'));
    const b = await pidsOf(join(r.dir, 'prescriptions.parquet'));
    expect([...a].filter((p) => b.has(p))).toEqual([]);
    expect(await rowsOfFile(`FROM read_parquet(${lit(join(r.dir, 'prescriptions.parquet'))})`)).toEqual(
      await expectedRows('prescriptions', ['dispense_date', 'atc_code'], 'dispense_date', r.persons, keyA, { domain: 'prescriptions' }),
    );
  });

  it('keeps only the cohort: persons with a diabetes episode in the period, born 1940-1990', async () => {
    const r = await extract({
      scope: scope({
        cohort: [
          { kind: 'codes', dataset: 'patient_episodes', variable: 'main_diagnosis', codes: ['E10', 'E11', 'I2'] },
          { kind: 'birth_year', from: 1940, to: 1990 },
        ],
      }),
    });
    const duck = await openDuck({ threads: 1 });
    const cohort = await rowsOf<{ fnr: string }>(
      duck.conn,
      `SELECT DISTINCT e.fnr FROM read_parquet(${lit(src('patient_episodes'))}) e JOIN read_parquet(${lit(src('population'))}) p USING (fnr)
       WHERE (main_diagnosis IN ('E10', 'E11') OR main_diagnosis LIKE 'I2%') AND admission_date BETWEEN DATE '2015-01-01' AND DATE '2019-12-31'
         AND year(p.birth_date) BETWEEN 1940 AND 1990 ORDER BY 1`,
    );
    duck.close();
    expect(cohort.length).toBeGreaterThan(5);
    expect([...r.persons]).toEqual(cohort.map((c) => c.fnr));
    expect(await rowsOfFile(`FROM read_parquet(${lit(join(r.dir, 'patient_episodes.parquet'))})`)).toEqual(
      await expectedRows('patient_episodes', ['admission_date', 'health_trust', 'main_diagnosis'], 'admission_date', r.persons, keyA),
    );
  });

  it('leaves opted-out persons out, and has them again after they withdraw the opt-out', async () => {
    const first = await extract({ scope: scope() });
    const out = [...first.persons].slice(0, 7);
    const without = await extract({ scope: scope({ permitVersion: 2 }), optedOut: out });
    expect([...without.persons].filter((f) => out.includes(f))).toEqual([]);
    const pids = await pidsOf(join(without.dir, 'patient_episodes.parquet'), join(without.dir, 'prescriptions.parquet'));
    for (const f of out) expect(pids.has(String(pseudonymOf(keyA, f)))).toBe(false);
    expect(without.persons.count).toBe(first.persons.count - 7);
    const withdrawn = await extract({ scope: scope({ permitVersion: 3 }), optedOut: [] });
    expect([...withdrawn.persons]).toEqual([...first.persons]);
    // A legal basis that does not honour opt-out (Health Register Act § 19) keeps them.
    const hrl = await extract({ scope: scope({ permitVersion: 4, legalBasis: { code: 'hrl-19', honoursOptOut: false } }), optedOut: out });
    expect([...hrl.persons]).toEqual([...first.persons]);
  });

  it('under consent includes exactly the consenting persons, whatever their opt-out, and refuses to run without the consent set', async () => {
    const all = [...(await extract({ scope: scope() })).persons];
    const consenting = [all[0]!, all[3]!, all[8]!, '01019912345'];
    const legalBasis = { code: 'consent', honoursOptOut: false, requiresConsent: true };
    const r = await extract({ scope: scope({ legalBasis }), optedOut: [all[3]!], consent: { version: '2.1', nationalIds: consenting } });
    expect([...r.persons]).toEqual([all[0], all[3], all[8]]);
    const pids = await pidsOf(join(r.dir, 'patient_episodes.parquet'), join(r.dir, 'prescriptions.parquet'));
    expect([...pids].sort()).toEqual([all[0]!, all[3]!, all[8]!].map((f) => String(pseudonymOf(keyA, f))).sort());
    expect(r.manifest.consent).toEqual({ version: '2.1', inForce: 4, included: 3 });
    await expect(extract({ scope: scope({ legalBasis }) })).rejects.toMatchObject({ reason: 'consent_set_missing' });
  });

  it('writes a manifest that matches its read-only files, and notices tampering', async () => {
    const r = await extract({ scope: scope() });
    expect(await verifyCopy(r.dir)).toEqual({ ok: true, problems: [] });
    expect(r.manifest).toMatchObject({
      kind: 'analyserom.data-copy',
      projectId: 'proj-a',
      permitId: 'pmt_a',
      permitVersion: 1,
      copyVersion: version,
      createdAt: '2026-02-01T08:00:00.000Z',
      pseudonym: { scheme: 'aes-256-prf', column: 'person_id' },
    });
    expect(r.manifest.files.map((f) => f.name).sort()).toEqual([
      'patient_episodes.csv',
      'patient_episodes.parquet',
      'prescriptions.csv',
      'prescriptions.parquet',
    ]);
    expect(r.manifest.datasets[0]?.sourceVersion).toBe('v1');
    const csv = join(r.dir, 'prescriptions.csv');
    await chmod(r.dir, 0o755);
    await chmod(csv, 0o644);
    await writeFile(csv, 'person_id,dispense_date,atc_code\n1,2016-01-01,N02BE01\n');
    const check = await verifyCopy(r.dir);
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toMatch(/prescriptions\.csv: sha256 /);
  });

  it('refuses unknown variables and leaves nothing behind; an existing version is a conflict', async () => {
    const before = await readdir(join(root, 'copies', 'proj-a'));
    await expect(extract({ scope: scope({ datasets: [{ dataset: 'prescriptions', variables: ['fnr', 'salary'] }] }) })).rejects.toMatchObject({
      reason: 'unknown_variable',
    });
    const ctl = new AbortController();
    ctl.abort();
    await expect(extract({ scope: scope(), signal: ctl.signal })).rejects.toThrow();
    expect(await readdir(join(root, 'copies', 'proj-a'))).toEqual(before);
    await expect(
      createExtract({ clock, copiesDir: join(root, 'copies') }, { scope: scope(), catalogue: DEMO_DATASETS, sources, key: keyA, optedOut: [], copyVersion: 1 }),
    ).rejects.toMatchObject({ reason: 'copy_exists' });
  });
});

describe('scope from a permit', () => {
  it('maps the permit fields and cohort onto the extract scope', async () => {
    const { scopeFromPermit } = await import('./extract-scope.ts');
    expect(
      scopeFromPermit({
        id: 'pmt_x',
        version: 3,
        projectId: 'proj-x',
        datasets: [{ dataset: 'prescriptions', variables: ['atc_code'] }],
        period: { from: '2016-01-01T00:00:00.000Z', to: '2018-12-31T00:00:00.000Z' },
        cohort: { birthYearFrom: 1950, sex: ['F'], icd10: ['E11'], atc: ['A10'] },
        linkageAllowed: false,
        legalBasis: 'hrl-19',
        optOutHonoured: false,
      }),
    ).toEqual({
      projectId: 'proj-x',
      permitId: 'pmt_x',
      permitVersion: 3,
      legalBasis: { code: 'hrl-19', honoursOptOut: false, requiresConsent: false },
      period: { from: '2016-01-01', to: '2018-12-31' },
      linkage: false,
      datasets: [{ dataset: 'prescriptions', variables: ['atc_code'] }],
      cohort: [
        { kind: 'birth_year', from: 1950, to: undefined },
        { kind: 'sex', values: ['2'] },
        { kind: 'codes', dataset: 'patient_episodes', variable: 'main_diagnosis', codes: ['E11'] },
        { kind: 'codes', dataset: 'prescriptions', variable: 'atc_code', codes: ['A10'] },
      ],
    });
  });

  it('requires consent for a permit on the legal basis consent, or one naming consent terms', async () => {
    const { scopeFromPermit } = await import('./extract-scope.ts');
    const permit = {
      id: 'pmt_x',
      version: 1,
      projectId: 'proj-x',
      datasets: [{ dataset: 'prescriptions', variables: ['atc_code'] }],
      period: { from: '2016-01-01', to: '2018-12-31' },
      cohort: {},
      linkageAllowed: false,
      optOutHonoured: false,
    };
    expect(scopeFromPermit({ ...permit, legalBasis: 'consent' }).legalBasis).toEqual({ code: 'consent', honoursOptOut: false, requiresConsent: true });
    expect(scopeFromPermit({ ...permit, legalBasis: 'hrl-19', consent: { text: 'x', version: '1' } }).legalBasis.requiresConsent).toBe(true);
  });
});
