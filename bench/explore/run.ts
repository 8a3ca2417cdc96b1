/**
 * Benchmark of the explorer (issue 14): 20 fixed queries over registers of 10 million rows
 * (patient episodes and prescriptions of BENCH_ROWS rows each, a population of a tenth of that),
 * generated once with the demo generator into a cache folder (BENCH_CACHE, default
 * ~/.cache/analyserom/bench-explore). Each query is timed through the explorer's engine (the
 * protected answer: record keys, suppression, perturbation, magnitudes) and as DuckDB's bare count
 * of the same query (count(DISTINCT person), count(*), same files, same instance), interleaved,
 * BENCH_REPEATS times. The explore files (record keys beside each register version) are built
 * before timing, as the platform builds them once per version.
 * Last line: {"bench":"explore","rows":…,"p50_ms":…,"p95_ms":…,"bare_p50_ms":…,"ratio":…}; target ratio ≤ 1.5.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { DEMO_DATASETS, type Dataset } from '../../control-plane/src/catalog/index.ts';
import { generateRegisters, type GenerateResult } from '../../control-plane/src/data-copies/index.ts';
import { createExploreEngine, ExploreQuerySchema, type ExploreQueryInput } from '../../control-plane/src/explore/index.ts';
import { ExploreRulesSchema } from '../../control-plane/src/policies/index.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const cache = join(process.env.BENCH_CACHE ?? join(homedir(), '.cache', 'analyserom', 'bench-explore'), String(ROWS));

const generatedFile = join(cache, 'registers', 'generated.json');
let generated: GenerateResult;
if (existsSync(generatedFile)) generated = JSON.parse(readFileSync(generatedFile, 'utf8')) as GenerateResult;
else {
  const t = performance.now();
  generated = await generateRegisters({ rows: ROWS, seed: 14, outDir: join(cache, 'registers') });
  console.error(`generated ${ROWS} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const catalogue: Dataset[] = DEMO_DATASETS.map((d) => {
  const f = generated.files.find((x) => x.dataset === d.name)!;
  return { ...d, versions: [{ version: 'bench', receivedAt: '2026-01-01T00:00:00.000Z', rowCount: f.rows, sha256: f.sha256, path: relative(cache, f.path) }] };
});
const rules = ExploreRulesSchema.parse({ maxCells: 100_000, queryBudgetMs: 600_000 });
const engine = createExploreEngine({ dataDir: cache, recordKeySecret: async () => '5e'.repeat(32) });

const P = { from: '2012-01-01', to: '2020-12-31' };
const QUERIES: ExploreQueryInput[] = [
  { datasets: ['patient_episodes'] },
  { datasets: ['prescriptions'] },
  { datasets: ['population'], by: ['population.sex'] },
  { datasets: ['patient_episodes'], by: ['patient_episodes.main_diagnosis'] },
  { datasets: ['patient_episodes'], by: ['patient_episodes.health_trust', 'patient_episodes.care_level'] },
  { datasets: ['patient_episodes'], period: P, by: ['patient_episodes.admission_date'] },
  { datasets: ['prescriptions'], by: ['prescriptions.atc_code'] },
  { datasets: ['prescriptions'], cohort: { sex: ['F'] }, by: ['prescriptions.atc_code'] },
  { datasets: ['prescriptions'], cohort: { birthYearFrom: 1950, birthYearTo: 1970 }, by: ['prescriptions.dispense_date'] },
  { datasets: ['patient_episodes'], cohort: { icd10: ['E11'] }, period: P },
  { datasets: ['patient_episodes'], cohort: { icd10: ['E11'] }, period: P, by: ['patient_episodes.care_level'] },
  { datasets: ['prescriptions'], cohort: { atc: ['A10'] }, by: ['prescriptions.atc_code'] },
  { datasets: ['patient_episodes'], cohort: { birthYearFrom: 1960, sex: ['M'] }, by: ['patient_episodes.main_diagnosis', 'patient_episodes.care_level'] },
  { datasets: ['patient_episodes'], by: ['patient_episodes.main_diagnosis', 'patient_episodes.health_trust', 'patient_episodes.care_level'] },
  { datasets: ['cancer'], by: ['cancer.site', 'cancer.stage'] },
  { datasets: ['cause_of_death'], by: ['cause_of_death.underlying_cause'] },
  { datasets: ['patient_episodes'], cohort: { atc: ['C10'] }, period: P, by: ['patient_episodes.main_diagnosis'] },
  { datasets: ['prescriptions'], cohort: { icd10: ['I2'], birthYearTo: 1960 }, period: P, by: ['prescriptions.atc_code'] },
  { datasets: ['patient_episodes'], by: ['patient_episodes.care_level'], measure: 'patient_episodes.length_of_stay' },
  { datasets: ['prescriptions'], cohort: { sex: ['M'] }, by: ['prescriptions.atc_code'], measure: 'prescriptions.ddd' },
];

const queries = QUERIES.map((q) => ExploreQuerySchema.parse(q));
const plans = queries.map((q) => engine.plan(q, catalogue));
// Builds the explore files (once per register version, as the platform does) and warms the caches.
for (let i = 0; i < queries.length; i++) {
  await engine.run(plans[i]!, queries[i]!, catalogue, rules);
  await engine.bare(plans[i]!, queries[i]!, catalogue);
}
const ours: number[] = [];
const bare: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  for (let i = 0; i < queries.length; i++) {
    let t = performance.now();
    await engine.bare(plans[i]!, queries[i]!, catalogue);
    bare.push(performance.now() - t);
    t = performance.now();
    await engine.run(plans[i]!, queries[i]!, catalogue, rules);
    ours.push(performance.now() - t);
  }
}
engine.close();
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
// Per query (stderr): the median of ours and of the bare count, to see where a ratio comes from.
for (let i = 0; i < queries.length; i++) {
  const mine = ours.filter((_, k) => k % queries.length === i);
  const theirs = bare.filter((_, k) => k % queries.length === i);
  console.error(`query ${i + 1}: ${r1(pct(mine, 0.5))} ms, bare ${r1(pct(theirs, 0.5))} ms`);
}
const p50 = pct(ours, 0.5);
const bareP50 = pct(bare, 0.5);
console.log(
  JSON.stringify({
    bench: 'explore',
    rows: ROWS,
    p50_ms: r1(p50),
    p95_ms: r1(pct(ours, 0.95)),
    bare_p50_ms: r1(bareP50),
    ratio: Math.round((p50 / bareP50) * 100) / 100,
  }),
);
