/**
 * The explorer's suppressed cells said "fewer than 10" but kept their labels. For a variable
 * without a code list (`patient_episodes.episode_id`, an integer "unique within the register";
 * `length_of_stay`), the labels are the data's own values: a query by episode id over a cohort of
 * one birth year listed the real episode ids of that cohort, one suppressed cell each, to any
 * logged-in researcher without a permit. A suppressed cell now shows only a label anyone could
 * name (a code of its list, a year); others are left out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataCopiesModule } from '../../control-plane/src/data-copies/index.ts';
import { exploreModuleWith } from '../../control-plane/src/explore/index.ts';
import { defaultPolicyDir } from '../../control-plane/src/policies/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const dir = mkdtempSync(join(tmpdir(), 'tre-explore-labels-'));
let p: TestPlatform;
let duck: DuckDBInstance;

beforeAll(async () => {
  p = await startTestPlatform(
    {},
    { modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 5000 }), exploreModuleWith({ policyDir: defaultPolicyDir })] },
  );
  await p.modules.dataCopies.demoReady();
  duck = await DuckDBInstance.create(':memory:');
}, 180_000);
afterAll(async () => {
  duck?.closeSync();
  await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const count = (body: unknown) => p.call('POST', '/api/explore/count', { as: 'researcher', body });
const register = async (name: string) => {
  const [row] = await p.deps.store.query<{ path: string }>('SELECT path FROM catalog_dataset_versions WHERE dataset = $1 ORDER BY received_at DESC LIMIT 1', [
    name,
  ]);
  return join(p.dataDir, row!.path);
};

describe("the explorer's suppressed cells name no value of the data", () => {
  it('by episode id over one birth year: no episode id of the register in the answer', async () => {
    const res = await count({ datasets: ['patient_episodes'], cohort: { birthYearFrom: 1950, birthYearTo: 1950 }, by: ['patient_episodes.episode_id'] });
    expect(res.status).toBe(200);
    const ids = (
      await (await duck.connect()).runAndReadAll(`SELECT DISTINCT CAST(episode_id AS VARCHAR) AS id FROM read_parquet('${await register('patient_episodes')}')`)
    )
      .getRowObjectsJS()
      .map((r) => String(r.id));
    expect(ids.length).toBeGreaterThan(0);
    const shown = (res.body.cells as { labels: (string | null)[]; suppressed: boolean }[]).flatMap((c) => c.labels);
    expect(shown.filter((l) => l !== null && ids.includes(l))).toEqual([]);
    for (const c of res.body.cells) expect(c.suppressed).toBe(false);
  });

  it('suppressed cells of a code list keep their codes', async () => {
    const res = await count({ datasets: ['patient_episodes'], cohort: { birthYearFrom: 1950, birthYearTo: 1950 }, by: ['patient_episodes.main_diagnosis'] });
    expect(res.status).toBe(200);
    const suppressed = (res.body.cells as { labels: string[]; suppressed: boolean }[]).filter((c) => c.suppressed);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const c of suppressed) expect(c.labels[0]).toMatch(/^[A-Z]\d/);
  });
});
