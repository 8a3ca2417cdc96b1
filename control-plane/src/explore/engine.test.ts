/** The engine over generated registers: suppression, the cell key's determinism, differencing, magnitudes, names. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS, type Dataset } from '../catalog/index.ts';
import { generateRegisters } from '../data-copies/index.ts';
import { ExploreRulesSchema } from '../policies/index.ts';
import { createExploreEngine, type ExploreEngine } from './engine.ts';
import { buildPerturbationTable } from './ptable.ts';
import { ExploreQuerySchema, type ExploreQueryInput } from './schemas.ts';

const dir = mkdtempSync(join(tmpdir(), 'tre-explore-engine-'));
const rules = ExploreRulesSchema.parse({});
const SECRET = 'ab'.repeat(32);
let catalogue: Dataset[];
let engine: ExploreEngine;
let other: ExploreEngine;
let duck: DuckDBInstance;

const ask = async (e: ExploreEngine, input: ExploreQueryInput) => {
  const q = ExploreQuerySchema.parse(input);
  return e.run(e.plan(q, catalogue), q, catalogue, rules);
};
const exact = async (sql: string) => (await (await duck.connect()).runAndReadAll(sql)).getRowObjectsJS();

beforeAll(async () => {
  const g = await generateRegisters({ rows: 20_000, seed: 5, outDir: join(dir, 'registers') });
  catalogue = DEMO_DATASETS.map((d) => {
    const f = g.files.find((x) => x.dataset === d.name)!;
    return { ...d, versions: [{ version: 'v1', receivedAt: '2026-01-01T00:00:00.000Z', rowCount: f.rows, sha256: f.sha256, path: relative(dir, f.path) }] };
  });
  engine = createExploreEngine({ dataDir: dir, recordKeySecret: async () => SECRET, threads: 1 });
  other = createExploreEngine({ dataDir: dir, recordKeySecret: async () => SECRET, threads: 1 });
  duck = await DuckDBInstance.create(':memory:');
}, 120_000);
afterAll(() => {
  engine?.close();
  other?.close();
  duck?.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const file = (d: string) => join(dir, 'registers', `${d}.parquet`);

describe('explore engine', () => {
  it('suppresses every cell under the threshold and perturbs the others by at most D', async () => {
    const a = await ask(engine, { datasets: ['patient_episodes'], by: ['patient_episodes.main_diagnosis', 'population.sex', 'patient_episodes.care_level'] });
    const truth = await exact(
      `SELECT e.main_diagnosis AS d, p.sex AS s, e.care_level AS c, count(DISTINCT e.fnr) AS n, count(*) AS r FROM read_parquet('${file('patient_episodes')}') e
       JOIN read_parquet('${file('population')}') p USING (fnr) GROUP BY ALL`,
    );
    expect(a.cells.length).toBe(truth.length);
    let suppressed = 0;
    for (const c of a.cells) {
      const t = truth.find((x) => x.d === c.labels[0] && x.s === c.labels[1] && x.c === c.labels[2])!;
      const n = Number(t.n);
      if (n < 10) {
        expect(c).toEqual({ labels: c.labels, names: [null, null, null], persons: null, records: null, suppressed: true });
        suppressed++;
      } else {
        expect(Math.abs(c.persons! - n)).toBeLessThanOrEqual(2);
        expect(Math.abs(c.records! - Number(t.r))).toBeLessThanOrEqual(2);
        expect(c.suppressed).toBe(false);
      }
    }
    expect(suppressed).toBeGreaterThan(0);
    expect(a.versions.map((v) => v.dataset)).toEqual(['patient_episodes', 'population']);
  });

  it('gives identical cells twice and from another engine (another user, another replica)', async () => {
    const q = { datasets: ['prescriptions'], cohort: { birthYearFrom: 1950, sex: ['F' as const] }, by: ['prescriptions.atc_code'] };
    const a = await ask(engine, q);
    expect(await ask(engine, q)).toEqual(a);
    expect(await ask(other, q)).toEqual(a);
  });

  it('does not give away the one person two periods differ by', async () => {
    // The last day of a period on which exactly one person has their first episode: the two
    // periods' cohorts differ by that person alone.
    const [day] = await exact(
      `WITH f AS (SELECT fnr, min(admission_date) AS first FROM read_parquet('${file('patient_episodes')}') GROUP BY fnr)
       SELECT CAST(first AS VARCHAR) AS d FROM f WHERE first > DATE '2012-01-01' GROUP BY first HAVING count(*) = 1 ORDER BY first LIMIT 1`,
    );
    const to = String(day!.d);
    const prev = new Date(Date.parse(to) - 86_400_000).toISOString().slice(0, 10);
    const q = (end: string) => ({ datasets: ['population', 'patient_episodes'], period: { from: '2010-01-01', to: end } });
    const [a, b] = [await ask(engine, q(prev)), await ask(engine, q(to))];
    const truth = await Promise.all(
      [prev, to].map(async (end) => {
        const [r] = await exact(
          `SELECT count(DISTINCT fnr) AS n FROM read_parquet('${file('patient_episodes')}') WHERE admission_date BETWEEN DATE '2010-01-01' AND DATE '${end}'`,
        );
        return Number(r!.n);
      }),
    );
    expect(truth[1]! - truth[0]!).toBe(1);
    expect(b.cells[0]!.persons! - a.cells[0]!.persons!).not.toBe(1);
  });

  it('over many one-person differences, answers differ by exactly the person about as often as two noises agree, so no difference can be trusted', async () => {
    const days = await exact(
      `WITH f AS (SELECT fnr, min(admission_date) AS first FROM read_parquet('${file('patient_episodes')}') GROUP BY fnr)
       SELECT CAST(first AS VARCHAR) AS d FROM f WHERE first > DATE '2011-01-01' GROUP BY first HAVING count(*) = 1 ORDER BY first LIMIT 60`,
    );
    let exactDiffs = 0;
    for (const { d } of days) {
      const to = String(d);
      const prev = new Date(Date.parse(to) - 86_400_000).toISOString().slice(0, 10);
      const q = (end: string) => ({ datasets: ['patient_episodes'], period: { from: '2010-01-01', to: end } });
      const [a, b] = [await ask(engine, q(prev)), await ask(engine, q(to))];
      if (b.cells[0]!.persons! - a.cells[0]!.persons! === 1) exactDiffs++;
    }
    // Two independent noises agree with probability Σ p(v)² (about 0.27 for D = 2, V = 1).
    const agree = buildPerturbationTable(2, 1).probabilities.reduce((s, p) => s + p * p, 0);
    expect(days.length).toBe(60);
    expect(exactDiffs / days.length).toBeGreaterThan(agree / 3);
    expect(exactDiffs / days.length).toBeLessThan(Math.min(0.6, agree * 2));
  }, 60_000);

  it('perturbs the mean, so two means of cohorts one person apart do not give that person’s value', async () => {
    const [day] = await exact(
      `WITH f AS (SELECT fnr, min(admission_date) AS first FROM read_parquet('${file('patient_episodes')}') GROUP BY fnr)
       SELECT CAST(first AS VARCHAR) AS d FROM f WHERE first > DATE '2012-01-01' GROUP BY first HAVING count(*) = 1 ORDER BY first LIMIT 1`,
    );
    const to = String(day!.d);
    const prev = new Date(Date.parse(to) - 86_400_000).toISOString().slice(0, 10);
    const q = (end: string) => ({ datasets: ['patient_episodes'], period: { from: '2010-01-01', to: end }, measure: 'patient_episodes.length_of_stay' });
    const sums = async (end: string) => {
      const [r] = await exact(
        `SELECT count(*) AS n, sum(length_of_stay) AS s FROM read_parquet('${file('patient_episodes')}') WHERE admission_date BETWEEN DATE '2010-01-01' AND DATE '${end}'`,
      );
      return { n: Number(r!.n), s: Number(r!.s) };
    };
    const [t1, t2] = [await sums(prev), await sums(to)];
    const [a, b] = [await ask(engine, q(prev)), await ask(engine, q(to))];
    // Even knowing the exact record counts, the means' sums differ from the person's total.
    const recovered = t2.n * b.cells[0]!.stats!.mean! - t1.n * a.cells[0]!.stats!.mean!;
    expect(Math.abs(recovered - (t2.s - t1.s))).toBeGreaterThan(1);
    expect(await ask(other, q(to))).toEqual(b);
  });

  it('withholds magnitudes that fail nk or p% and quartiles of small cells', async () => {
    const a = await ask(engine, { datasets: ['patient_episodes'], by: ['patient_episodes.care_level'], measure: 'patient_episodes.length_of_stay' });
    for (const c of a.cells) {
      expect(c.stats).toBeDefined();
      if (c.suppressed) expect(c.stats).toEqual({ mean: null, median: null, q1: null, q3: null, withheld: 'threshold' });
    }
    const shown = a.cells.find((c) => c.stats?.withheld === null)!;
    expect(shown.stats!.q1! <= shown.stats!.median! && shown.stats!.median! <= shown.stats!.q3!).toBe(true);
  });

  it('names the unknown dataset or variable and the nearest one', async () => {
    const bad = (input: ExploreQueryInput) => {
      const q = ExploreQuerySchema.parse(input);
      try {
        engine.plan(q, catalogue);
      } catch (err) {
        return { message: (err as Error).message, details: (err as { details?: unknown }).details };
      }
      return null;
    };
    expect(bad({ datasets: ['population', 'prescription'] })).toEqual({
      message: "datasets[1]: dataset 'prescription' is not in the catalogue; did you mean 'prescriptions'?",
      details: { field: 'datasets[1]', suggestion: 'prescriptions' },
    });
    expect(bad({ datasets: ['population'], by: ['population.sexx'] })).toEqual({
      message: "by[0]: variable 'population.sexx' is not in the catalogue; did you mean 'population.sex'?",
      details: { field: 'by[0]', suggestion: 'population.sex' },
    });
  });
});

describe('perturbation table', () => {
  it('has mean 0, the policy variance and support [-D, D]', () => {
    const t = buildPerturbationTable(2, 1);
    const mean = t.probabilities.reduce((s, p, i) => s + p * t.values[i]!, 0);
    const variance = t.probabilities.reduce((s, p, i) => s + p * t.values[i]! ** 2, 0);
    expect(t.values).toEqual([-2, -1, 0, 1, 2]);
    expect(Math.abs(mean)).toBeLessThan(1e-12);
    expect(variance).toBeCloseTo(1, 9);
    expect(t.upper.at(-1)).toBe(1);
  });
});
