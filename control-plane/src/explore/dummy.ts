/**
 * Synthetic dummy data shaped like a permit's data copy (OpenSAFELY's dummy data): the copy's exact
 * files (`<dataset>.parquet` and `<dataset>.csv`), columns (`person_id` for the person, then the
 * permitted variables in catalogue order, direct identifiers dropped, as `data-copies/extract.ts`
 * writes them) and types. No real person is in it: person ids are 1..P, every value is drawn with a
 * seeded generator from the catalogue's code lists, weighted by the explorer's *protected* marginals
 * of the permit's cohort and period (suppressed cells get half the threshold as weight), numbers from
 * the protected quartiles. A script written against it runs unchanged on the copy.
 *
 * Labelled synthetic in every file: Parquet in its key-value metadata (`analyserom.synthetic`,
 * `analyserom.notice`); CSV by a first line `# SYNTHETIC …`. That line is not CSV; we chose it over an
 * extra column because the columns must be the copy's: readers skip it with `comment='#'` (pandas,
 * R's `comment.char`, DuckDB's `read_csv(comment = '#')`), and a script that does also reads the real
 * copy's CSV, which has no such line. A README beside the files says the same.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUCKDB_TYPE, type CodeList, type Dataset, type Variable } from '../catalog/index.ts';
import { lit, openDuck } from '../data-copies/index.ts';
import type { ExploreRules } from '../policies/index.ts';
import type { ExploreEngine } from './engine.ts';
import { ExploreQuerySchema, type ExploreQuery } from './schemas.ts';

export const SYNTHETIC_NOTICE = 'SYNTHETIC DATA made by Analyserom from protected marginals: no real person is in this file.';

export interface DummyScope {
  datasets: { dataset: string; variables: string[] }[];
  period: { from: string; to: string };
  cohort: ExploreQuery['cohort'];
}

export interface DummyFile {
  name: string;
  rows: number;
  sha256: string;
  contentBase64: string;
}

/** mulberry32: a small seeded generator, so the same seed gives the same dummy data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Draw = () => string | number | boolean | null;
type Marginal = { values: string[]; weights: number[] } | { quartiles: [number, number, number] | null; mean: number | null };

function weighted(rand: () => number, values: string[], weights: number[]): string {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rand() * total;
  for (let i = 0; i < values.length; i++) if ((u -= weights[i]!) < 0) return values[i]!;
  return values.at(-1)!;
}

/** The protected marginal of one variable, from the explorer (one query each). */
async function marginal(engine: ExploreEngine, catalogue: Dataset[], rules: ExploreRules, d: Dataset, v: Variable, scope: DummyScope): Promise<Marginal> {
  const numeric = v.type === 'integer' || v.type === 'decimal';
  const q = ExploreQuerySchema.parse({
    datasets: [d.name],
    cohort: scope.cohort,
    period: scope.period,
    ...(numeric ? { measure: `${d.name}.${v.name}` } : { by: [`${d.name}.${v.name}`] }),
  });
  const r = await engine.run(engine.plan(q, catalogue), q, catalogue, rules);
  if (numeric) {
    const s = r.cells[0]?.stats;
    const quartiles = s && s.q1 !== null && s.median !== null && s.q3 !== null ? ([s.q1, s.median, s.q3] as [number, number, number]) : null;
    return { quartiles, mean: s?.mean ?? null };
  }
  const cells = r.cells.filter((c) => c.labels[0] !== null);
  return { values: cells.map((c) => c.labels[0]!), weights: cells.map((c) => c.persons ?? rules.threshold / 2) };
}

function drawFor(v: Variable, m: Marginal, list: CodeList | undefined, rand: () => number, period: DummyScope['period']): Draw {
  const missing = v.required ? 0 : 0.05;
  const maybe =
    (f: Draw): Draw =>
    () =>
      rand() < missing ? null : f();
  if ('values' in m) {
    let values = m.values;
    let weights = m.weights;
    if (list) {
      // Only codes of the catalogue's list; when the marginal says nothing, the list uniformly.
      const codes = new Set(list.codes.map((c) => c.code));
      const keep = values.map((x) => codes.has(x));
      values = values.filter((_, i) => keep[i]);
      weights = weights.filter((_, i) => keep[i]);
      if (!values.length) [values, weights] = [list.codes.map((c) => c.code), list.codes.map(() => 1)];
    }
    if (!values.length) values = v.type === 'date' ? [period.from.slice(0, 4)] : v.type === 'boolean' ? ['true', 'false'] : ['synthetic'];
    if (!weights.length) weights = values.map(() => 1);
    if (v.type === 'boolean') return maybe(() => weighted(rand, values, weights) === 'true');
    if (v.type === 'date') {
      return maybe(() => {
        const y = Number(weighted(rand, values, weights));
        const day = new Date(Date.UTC(y, 0, 1) + Math.floor(rand() * 365) * 86_400_000).toISOString().slice(0, 10);
        // The middle of the three ISO dates: the day clamped into the period.
        return [period.from, day, period.to].sort()[1]!;
      });
    }
    return maybe(() => weighted(rand, values, weights));
  }
  const [q1, med, q3] = m.quartiles ?? [0, m.mean ?? 10, 2 * (m.mean ?? 10)];
  const iqr = Math.max(q3 - q1, 1e-9);
  const edges = [Math.max(med >= 0 ? 0 : -Infinity, q1 - iqr), q1, med, q3, q3 + iqr];
  return maybe(() => {
    const k = Math.min(3, Math.floor(rand() * 4));
    const x = edges[k]! + rand() * (edges[k + 1]! - edges[k]!);
    return v.type === 'integer' ? Math.round(x) : Math.round(x * 100) / 100;
  });
}

const csvCell = (x: string | number | boolean | null) =>
  x === null ? '' : typeof x === 'string' && /[",\n]/.test(x) ? `"${x.replaceAll('"', '""')}"` : String(x);

/** Makes the dummy data set of `scope`: `rows` rows per event register, a fifth as many persons. */
export async function makeDummy(input: {
  engine: ExploreEngine;
  catalogue: Dataset[];
  codeLists: CodeList[];
  rules: ExploreRules;
  scope: DummyScope;
  rows: number;
  seed: number;
}): Promise<{ files: DummyFile[]; readme: string; marginals: Record<string, Marginal> }> {
  const rand = prng(input.seed);
  const persons = Math.max(20, Math.floor(input.rows / 5));
  const dir = await mkdtemp(join(tmpdir(), 'tre-dummy-'));
  const duck = await openDuck({ threads: 1 });
  const files: DummyFile[] = [];
  const marginals: Record<string, Marginal> = {};
  try {
    for (const { dataset, variables } of input.scope.datasets) {
      const d = input.catalogue.find((x) => x.name === dataset)!;
      const wanted = new Set(variables);
      const cols = d.variables.filter((v) => wanted.has(v.name) && v.class !== 'direct_identifier');
      const draws: Draw[] = [];
      for (const v of cols) {
        const m = await marginal(input.engine, input.catalogue, input.rules, d, v, input.scope);
        marginals[`${d.name}.${v.name}`] = m;
        draws.push(
          drawFor(
            v,
            m,
            input.codeLists.find((l) => l.id === v.codeList),
            rand,
            input.scope.period,
          ),
        );
      }
      const n = d.periodVariable ? input.rows : persons;
      const lines = Array.from({ length: n }, (_, i) =>
        [d.periodVariable ? 1 + Math.floor(rand() * persons) : i + 1, ...draws.map((f) => f())].map(csvCell).join(','),
      );
      const raw = join(dir, `${d.name}.raw.csv`);
      await writeFile(raw, `${['person_id', ...cols.map((c) => c.name)].join(',')}\n${lines.join('\n')}\n`);
      const types = `{'person_id': 'BIGINT'${cols.map((c) => `, ${lit(c.name)}: ${lit(DUCKDB_TYPE[c.type])}`).join('')}}`;
      const parquet = join(dir, `${d.name}.parquet`);
      await duck.conn.run(
        `COPY (SELECT * FROM read_csv(${lit(raw)}, header = true, columns = ${types})) TO ${lit(parquet)}
         (FORMAT parquet, KV_METADATA {'analyserom.synthetic': 'true', 'analyserom.notice': ${lit(SYNTHETIC_NOTICE)}})`,
      );
      const csv = Buffer.concat([Buffer.from(`# ${SYNTHETIC_NOTICE}\n`), await readFile(raw)]);
      for (const [name, bytes] of [
        [`${d.name}.parquet`, await readFile(parquet)],
        [`${d.name}.csv`, csv],
      ] as const) {
        files.push({ name, rows: n, sha256: createHash('sha256').update(bytes).digest('hex'), contentBase64: bytes.toString('base64') });
      }
    }
  } finally {
    duck.close();
    await rm(dir, { recursive: true, force: true });
  }
  const readme = [
    '# SYNTHETIC DATA',
    '',
    SYNTHETIC_NOTICE,
    '',
    'The files, columns and types are those of the data copy the permit gives; the values are drawn from the',
    "catalogue's code lists, weighted by the explorer's protected (suppressed and perturbed) marginal counts of the",
    "permit's cohort and period, and numbers from protected quartiles. Relations between columns are not kept.",
    'Parquet files say `analyserom.synthetic = true` in their key-value metadata; CSV files start with one `#` line:',
    "read them with `comment='#'` (pandas), `comment.char = '#'` (R) or `read_csv(..., comment = '#')` (DuckDB).",
    '',
    ...files.map((f) => `- ${f.name}: ${f.rows} rows, sha256 ${f.sha256}`),
    '',
  ].join('\n');
  return { files, readme, marginals };
}
