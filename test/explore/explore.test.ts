/**
 * The explorer on a real platform (demo registers, embedded PostgreSQL): protected counts through
 * the API and `tre explore`, the same answer for every user, 400s naming the unknown name, the
 * daily budget's 429, and every query in the audit log.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataCopiesModule } from '../../control-plane/src/data-copies/index.ts';
import { exploreModuleWith } from '../../control-plane/src/explore/index.ts';
import { defaultPolicyDir } from '../../control-plane/src/policies/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runTre } from '../support/tre.ts';

const dir = mkdtempSync(join(tmpdir(), 'tre-explore-'));
const BUDGET = 12;
let p: TestPlatform;
let duck: DuckDBInstance;

beforeAll(async () => {
  // The repository's policies with a small daily budget, so the test can use it up.
  const policies = join(dir, 'policies');
  cpSync(defaultPolicyDir, policies, { recursive: true });
  const file = join(policies, 'default.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/dailyQueries: \d+/, `dailyQueries: ${BUDGET}`));
  p = await startTestPlatform(
    {},
    { modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 5000 }), exploreModuleWith({ policyDir: policies })] },
  );
  await p.modules.dataCopies.demoReady();
  duck = await DuckDBInstance.create(':memory:');
}, 180_000);
afterAll(async () => {
  duck?.closeSync();
  await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const register = async (name: string) => {
  const [row] = await p.deps.store.query<{ path: string }>('SELECT path FROM catalog_dataset_versions WHERE dataset = $1 ORDER BY received_at DESC LIMIT 1', [
    name,
  ]);
  return join(p.dataDir, row!.path);
};
const exact = async (sql: string) => (await (await duck.connect()).runAndReadAll(sql)).getRowObjectsJS();
const count = (body: unknown, as = 'researcher') => p.call('POST', '/api/explore/count', { as, body });

const byDiagnosis = {
  datasets: ['patient_episodes'],
  cohort: { birthYearFrom: 1940, icd10: ['E1'] },
  period: { from: '2012-01-01', to: '2020-12-31' },
  by: ['patient_episodes.main_diagnosis', 'population.sex'],
};

describe('explore API', () => {
  it('answers protected cells: every count under the threshold null, the others perturbed, none of them the figure of a suppressed cell', async () => {
    const r = await count(byDiagnosis);
    expect(r.status).toBe(200);
    expect(r.body.protection).toMatchObject({ method: 'cell-key', threshold: 10, maxNoise: 2, perturbed: true, profile: 'default' });
    expect(r.body.protection.notice).toMatch(/perturbed/);
    const ep = await register('patient_episodes');
    const pop = await register('population');
    const truth = await exact(`
      WITH c AS (SELECT DISTINCT fnr FROM read_parquet('${ep}') WHERE admission_date BETWEEN DATE '2012-01-01' AND DATE '2020-12-31' AND starts_with(main_diagnosis, 'E1'))
      SELECT e.main_diagnosis AS d, p.sex AS s, count(DISTINCT e.fnr) AS n FROM read_parquet('${ep}') e JOIN read_parquet('${pop}') p USING (fnr)
      WHERE e.admission_date BETWEEN DATE '2012-01-01' AND DATE '2020-12-31' AND year(p.birth_date) >= 1940 AND e.fnr IN (SELECT fnr FROM c)
      GROUP BY ALL`);
    expect(r.body.cells.length).toBe(truth.length);
    const names = async (list: string) =>
      new Map(
        ((await p.call('GET', `/api/catalog/code-lists/${list}`, { as: 'researcher' })).body.codes as { code: string; label: string }[]).map((c) => [
          c.code,
          c.label,
        ]),
      );
    const [icd10, sex] = [await names('icd10'), await names('sex')];
    const small = truth.filter((t) => Number(t.n) < 10);
    expect(small.length).toBeGreaterThan(0);
    for (const t of truth) {
      const cell = r.body.cells.find((c: { labels: string[] }) => c.labels[0] === t.d && c.labels[1] === t.s);
      if (Number(t.n) < 10)
        expect(cell).toEqual({ labels: [t.d, t.s], names: [icd10.get(String(t.d)), sex.get(String(t.s))], persons: null, records: null, suppressed: true });
      else expect(Math.abs(cell.persons - Number(t.n))).toBeLessThanOrEqual(2);
    }
  });

  it('gives two users, and one user twice, identical cells', async () => {
    const [a, b, c] = [await count(byDiagnosis), await count(byDiagnosis, 'lead'), await count(byDiagnosis)];
    expect(b.body.cells).toEqual(a.body.cells);
    expect(c.body.cells).toEqual(a.body.cells);
    expect(new Set([a.body.queryId, b.body.queryId, c.body.queryId]).size).toBe(3);
  });

  it('400 naming a dataset or variable not in the catalogue, with the nearest name', async () => {
    const ds = await count({ datasets: ['population', 'cancr'] });
    expect(ds.status).toBe(400);
    expect(ds.body).toMatchObject({ reason: 'unknown_dataset', detail: "datasets[1]: dataset 'cancr' is not in the catalogue; did you mean 'cancer'?" });
    const v = await count({ datasets: ['cancer'], by: ['cancer.stagee'] });
    expect(v.status).toBe(400);
    expect(v.body).toMatchObject({
      reason: 'unknown_variable',
      detail: "by[0]: variable 'cancer.stagee' is not in the catalogue; did you mean 'cancer.stage'?",
    });
  });

  it('403 for a user who is neither researcher nor project lead', async () => {
    expect((await count(byDiagnosis, 'auditor')).status).toBe(403);
  });

  it('puts every query and the protected answer it gave in the audit log', async () => {
    const r = await count({ datasets: ['cancer'], by: ['cancer.stage'] });
    const rows = await p.deps.store.query<{ outcome: string; actor: string; details: { queryId: string; cells: unknown[] } }>(
      `SELECT outcome, actor, details FROM audit_log WHERE action = 'explore.count' AND object = $1 ORDER BY seq`,
      [`explore-query:${r.body.queryId}`],
    );
    expect(rows.map((x) => [x.outcome, x.actor])).toEqual([['success', 'researcher']]);
    expect(rows[0]!.details.cells).toEqual(
      r.body.cells.map((c: { labels: string[]; persons: number | null; records: number | null }) => [c.labels, c.persons, c.records, null]),
    );
  });

  it('tre explore count --json prints the same protected cells; the text shows suppressed cells as <10', async () => {
    const file = join(dir, 'query.json');
    writeFileSync(file, JSON.stringify(byDiagnosis));
    const env = { TRE_URL: p.url, TRE_TOKEN: await p.token('researcher'), TRE_CONFIG_DIR: dir };
    const json = await runTre(['explore', 'count', '--query', file, '--json'], env);
    expect(json.code).toBe(0);
    expect(json.json.cells).toEqual((await count(byDiagnosis)).body.cells);
    expect(Object.keys(json.json)).toEqual(expect.arrayContaining(['cells', 'protection', 'queryId']));
    const text = await runTre(
      [
        'explore',
        'count',
        '--dataset',
        'patient_episodes',
        '--icd10',
        'E1',
        '--birth-years',
        '1940-',
        '--from',
        '2012-01-01',
        '--to',
        '2020-12-31',
        '--by',
        'patient_episodes.main_diagnosis',
        '--by',
        'population.sex',
      ],
      env,
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/<10/);
    expect(text.stdout).toMatch(/Figures are perturbed/);
  });

  it("tre explore dummy --permit writes the copy's exact files, columns and types, labelled synthetic in every file", async () => {
    const [project] = await p.deps.store.query<{ id: string }>('SELECT id FROM projects ORDER BY created_at LIMIT 1');
    const [permit] = await p.deps.store.query<{ id: string }>('SELECT id FROM permits WHERE project_id = $1 ORDER BY version DESC LIMIT 1', [project!.id]);
    // The real copy, made by the reconcile loop, to hold the dummy's layout against.
    for (let i = 0; i < 100 && !(await p.modules.dataCopies.currentCopyDir(project!.id)); i++) {
      await p.modules.dataCopies.reconciler.runOnce(project!.id);
      await new Promise((r) => setTimeout(r, 200));
    }
    const copyDir = (await p.modules.dataCopies.currentCopyDir(project!.id))!;
    const out = join(dir, 'dummy');
    const env = { TRE_URL: p.url, TRE_TOKEN: await p.token('researcher'), TRE_CONFIG_DIR: dir };
    const r = await runTre(['explore', 'dummy', '--permit', permit!.id, '--out', out, '--rows', '200', '--json'], env);
    expect(r.code).toBe(0);
    const copyFiles = readdirSync(copyDir)
      .filter((f) => /\.(parquet|csv)$/.test(f))
      .sort();
    expect(r.json.files.filter((f: string) => f !== 'README_SYNTHETIC.md').sort()).toEqual(copyFiles);
    const describe = async (f: string) => (await exact(`DESCRIBE SELECT * FROM read_parquet('${f}')`)).map((c) => [c.column_name, c.column_type]);
    for (const f of copyFiles.filter((x) => x.endsWith('.parquet'))) {
      expect(await describe(join(out, f))).toEqual(await describe(join(copyDir, f)));
      const kv = await exact(
        `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${join(out, f)}') WHERE decode(key) = 'analyserom.synthetic'`,
      );
      expect(kv).toEqual([{ k: 'analyserom.synthetic', v: 'true' }]);
    }
    for (const f of copyFiles.filter((x) => x.endsWith('.csv'))) {
      const [first, header] = readFileSync(join(out, f), 'utf8').split('\n');
      expect(first).toMatch(/^# SYNTHETIC DATA/);
      expect(header).toBe(readFileSync(join(copyDir, f), 'utf8').split('\n')[0]);
    }
    expect(readFileSync(join(out, 'README_SYNTHETIC.md'), 'utf8')).toMatch(/^# SYNTHETIC DATA/);
  }, 120_000);

  it('429 with explore_budget_exhausted once the day’s budget is used, audited as denied; a new day gives it back', async () => {
    const rules = await p.call('GET', '/api/explore/rules', { as: 'researcher' });
    expect(rules.body.budget.limit).toBe(BUDGET);
    for (let i = rules.body.budget.used; i < BUDGET; i++) expect((await count({ datasets: ['population'] })).status).toBe(200);
    const refused = await count({ datasets: ['population'] });
    expect(refused.status).toBe(429);
    expect(refused.body.reason).toBe('explore_budget_exhausted');
    const [entry] = await p.deps.store.query<{ outcome: string }>(
      `SELECT outcome FROM audit_log WHERE action = 'explore.count' AND actor = 'researcher' ORDER BY seq DESC LIMIT 1`,
    );
    expect(entry!.outcome).toBe('denied');
    expect((await count({ datasets: ['population'] }, 'lead')).status).toBe(200);
    p.clock.advance(24 * 3600 * 1000);
    p.forgetTokens();
    expect((await count({ datasets: ['population'] })).status).toBe(200);
  });
});
