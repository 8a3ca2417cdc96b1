import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../store/index.ts';
import {
  DEMO_CODE_LISTS,
  demoCatalogue,
  fairScore,
  latestVersion,
  loadCatalogue,
  recordDatasetVersion,
  saveCatalogue,
  searchVariables,
  suppress,
  valueDistribution,
} from './index.ts';

describe('FAIR score', () => {
  it('scores the demo registers from what the catalogue holds, and says what is missing', () => {
    const cat = demoCatalogue();
    const scores = cat.datasets.map((d) => fairScore(d, cat.codeLists));
    expect(scores.map((s) => [s.dataset, s.score])).toEqual(
      scores.map((s) => [s.dataset, Math.round(s.findable + s.accessible + s.interoperable + s.reusable)]),
    );
    const pop = scores.find((s) => s.dataset === 'population')!;
    // No stored version yet: 5 (accessible) + 10 (reusable) missing.
    expect(pop.missing).toContain('a stored version');
    expect(pop.missing).toContain('a version with row count and checksum');
    const withVersion = fairScore(
      { ...cat.datasets[0]!, versions: [{ version: 'v1', receivedAt: '2026-01-01T00:00:00.000Z', rowCount: 10, sha256: 'a'.repeat(64), path: 'x' }] },
      cat.codeLists,
    );
    expect(withVersion.score).toBe(pop.score + 15);
    const bare = fairScore({ ...cat.datasets[1]!, identifier: null, keywords: [], accessConditions: null }, cat.codeLists);
    expect(bare.findable).toBeCloseTo(scores[1]!.findable - 15, 5);
    expect(bare.accessible).toBeCloseTo(scores[1]!.accessible - 10, 5);
  });
});

describe('variable explorer', () => {
  const cat = demoCatalogue();
  it('finds diagnosis variables across registers through ICD-10 code labels', () => {
    const hits = searchVariables(cat, { text: 'diabetes' });
    expect(hits.map((h) => `${h.dataset}.${h.name}`).sort()).toEqual([
      'cancer.site',
      'cause_of_death.underlying_cause',
      'patient_episodes.main_diagnosis',
      'patient_episodes.secondary_diagnosis',
    ]);
    expect(hits[0]!.matchingCodes.map((c) => c.code)).toEqual(['E10', 'E11']);
  });
  it('ranks an exact name first and filters by dataset, type and class', () => {
    expect(searchVariables(cat, { text: 'death_date' })[0]).toMatchObject({ name: 'death_date', score: 100 });
    // Name match first, then a code label (methylphenidate), then a description (date of birth).
    expect(searchVariables(cat, { text: 'date', dataset: 'prescriptions' }).map((h) => [h.name, h.score])).toEqual([
      ['dispense_date', 50],
      ['atc_code', 20],
      ['fnr', 10],
    ]);
    expect(searchVariables(cat, { class: 'direct_identifier' }).map((h) => h.dataset)).toHaveLength(5);
    expect(searchVariables(cat, { text: 'ddd', type: 'decimal' }).map((h) => h.name)).toEqual(['ddd']);
    expect(searchVariables(cat, { text: 'diabetes salary' })).toEqual([]);
  });
});

describe('value distributions', () => {
  it('suppresses counts under the threshold, and more until the hidden sum reaches it', () => {
    expect(suppress([50, 30, 12, 4], 10)).toEqual([50, 30, null, null]);
    expect(suppress([50, 30, 12, 11], 10)).toEqual([50, 30, 12, 11]);
    expect(suppress([50, 6, 5], 10)).toEqual([50, null, null]);
    expect(suppress([100, 0], 10)).toEqual([100, 0]);
  });

  it('counts codes with labels from a Parquet version, never showing a count under 10', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dist-'));
    const path = join(dir, 'e.parquet');
    const inst = await DuckDBInstance.create();
    const c = await inst.connect();
    await c.run(`COPY (SELECT CASE WHEN i < 60 THEN 'E11' WHEN i < 90 THEN 'I21' WHEN i < 97 THEN 'C50' ELSE 'J45' END AS main_diagnosis,
      DATE '2015-01-01' + CAST(i * 20 AS INTEGER) AS admission_date, CAST(i AS BIGINT) AS length_of_stay, '01010750160' AS fnr FROM range(100) t(i)) TO '${path}' (FORMAT parquet)`);
    c.closeSync();
    inst.closeSync();
    const cat = demoCatalogue();
    const ds = cat.datasets.find((d) => d.name === 'patient_episodes')!;
    const d = await valueDistribution({ path, dataset: ds, variable: 'main_diagnosis', codeLists: DEMO_CODE_LISTS });
    expect(d).toEqual({
      dataset: 'patient_episodes',
      variable: 'main_diagnosis',
      kind: 'values',
      threshold: 10,
      total: 100,
      missing: 0,
      suppressedCells: 2,
      cells: [
        { value: 'E11', label: 'Type 2 diabetes mellitus', count: 60 },
        { value: 'I21', label: 'Acute myocardial infarction', count: 30 },
        { value: 'C50', label: 'Malignant neoplasm of breast', count: null },
        { value: 'J45', label: 'Asthma', count: null },
      ],
    });
    const years = await valueDistribution({ path, dataset: ds, variable: 'admission_date', codeLists: DEMO_CODE_LISTS });
    expect(years.kind).toBe('years');
    expect(years.cells.every((x) => x.count === null || x.count >= 10)).toBe(true);
    const bins = await valueDistribution({ path, dataset: ds, variable: 'length_of_stay', codeLists: DEMO_CODE_LISTS });
    expect(bins.kind).toBe('bins');
    expect(bins.cells.every((x) => x.count === null || x.count >= 10)).toBe(true);
    await expect(valueDistribution({ path, dataset: ds, variable: 'fnr', codeLists: DEMO_CODE_LISTS })).rejects.toMatchObject({ reason: 'direct_identifier' });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('catalogue in the store', () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-store-'));
    store = await openStore({ dataDir: dir });
    await migrate(store);
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves the demo catalogue, reads it back whole, and keeps versions immutable', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    await saveCatalogue(store, demoCatalogue(), now);
    await saveCatalogue(store, demoCatalogue(), now);
    const back = await loadCatalogue(store);
    expect(back.datasets.map((d) => d.name)).toEqual(['cancer', 'cause_of_death', 'patient_episodes', 'population', 'prescriptions']);
    expect(back.datasets.find((d) => d.name === 'population')).toEqual(demoCatalogue().datasets.find((d) => d.name === 'population'));
    expect(back.codeLists.map((l) => l.id).sort()).toEqual(DEMO_CODE_LISTS.map((l) => l.id).sort());
    const v = {
      dataset: 'prescriptions',
      version: '2026-01',
      receivedAt: '2026-01-02T00:00:00.000Z',
      receivedBy: 'fhi',
      rowCount: 1000,
      sha256: 'b'.repeat(64),
      deliveredSha256: 'c'.repeat(64),
      path: 'registers/prescriptions/2026-01.parquet',
      period: { from: '2010-01-03', to: '2024-12-30' },
    };
    await recordDatasetVersion(store, v);
    await expect(recordDatasetVersion(store, v)).rejects.toMatchObject({ reason: 'version_exists' });
    await expect(store.query(`UPDATE catalog_dataset_versions SET row_count = 1`)).rejects.toThrow(/immutable/);
    expect(await latestVersion(store, 'prescriptions')).toEqual({
      version: '2026-01',
      receivedAt: v.receivedAt,
      rowCount: 1000,
      sha256: v.sha256,
      path: v.path,
      period: v.period,
    });
    await expect(latestVersion(store, 'cancer')).rejects.toMatchObject({ reason: 'no_version' });
    expect((await loadCatalogue(store)).datasets.find((d) => d.name === 'prescriptions')!.versions).toHaveLength(1);
  });
});
