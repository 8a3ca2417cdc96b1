/**
 * From a query document to the SQL that counts it, checked against the catalogue first: a dataset
 * or variable that is not there is a 400 naming the field (`datasets[1]`, `by[0]`, `measure`) and
 * the nearest name the catalogue has.
 *
 * The cohort is the permit's cohort turned into the extract's criteria (`cohortFromPermit`) and its
 * register criteria into the extract's own SQL (`cohortSql`), run over the explore files; birth
 * year and sex are read from the columns the explore file carries (`record-keys.ts`).
 */
import type { Dataset, Variable } from '../catalog/index.ts';
import { cohortFromPermit, cohortSql, lit, type ExtractScope } from '../data-copies/index.ts';
import { InputError } from '../errors/index.ts';
import { KEY_MODULUS } from './ptable.ts';
import type { ExploreQuery } from './schemas.ts';

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Levenshtein distance, for the "did you mean" of an unknown name. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function nearest(name: string, names: string[]): string | null {
  let best: string | null = null;
  let d = Infinity;
  for (const n of names) {
    const x = distance(name, n);
    if (x < d) [best, d] = [n, x];
  }
  return best;
}

function unknown(field: string, what: string, name: string, names: string[], reason: 'unknown_dataset' | 'unknown_variable'): InputError {
  const near = nearest(name, names);
  return new InputError(`${field}: ${what} '${name}' is not in the catalogue${near ? `; did you mean '${near}'?` : ''}`, {
    reason,
    details: { field, suggestion: near },
  });
}

export interface PlannedVariable {
  dataset: Dataset;
  variable: Variable;
  /** `dataset.variable`. */
  name: string;
}

export interface QueryPlan {
  /** The linked datasets, the first being the records' dataset. */
  datasets: Dataset[];
  by: PlannedVariable[];
  measure: PlannedVariable | null;
  /** Registers the cohort's code criteria read (they need an explore file but are not linked). */
  cohortDatasets: Dataset[];
}

function resolveVariable(q: string, field: string, catalogue: Dataset[]): PlannedVariable {
  const [ds, v] = q.split('.') as [string, string];
  const dataset = catalogue.find((d) => d.name === ds);
  if (!dataset)
    throw unknown(
      field,
      'dataset',
      ds,
      catalogue.map((d) => d.name),
      'unknown_dataset',
    );
  const variable = dataset.variables.find((x) => x.name === v);
  if (!variable)
    throw unknown(
      field,
      'variable',
      q,
      dataset.variables.map((x) => `${ds}.${x.name}`),
      'unknown_variable',
    );
  if (variable.class === 'direct_identifier') {
    throw new InputError(`${field}: ${q} is a direct identifier`, { reason: 'direct_identifier', details: { field } });
  }
  return { dataset, variable, name: q };
}

/** Checks the query against the catalogue. */
export function planQuery(query: ExploreQuery, catalogue: Dataset[]): QueryPlan {
  const datasets = query.datasets.map((name, i) => {
    const d = catalogue.find((x) => x.name === name);
    if (!d)
      throw unknown(
        `datasets[${i}]`,
        'dataset',
        name,
        catalogue.map((x) => x.name),
        'unknown_dataset',
      );
    return d;
  });
  const by = query.by.map((q, i) => {
    const p = resolveVariable(q, `by[${i}]`, catalogue);
    if (p.variable.type === 'decimal') {
      throw new InputError(`by[${i}]: ${q} is a decimal; break down by codes, dates, integers or strings, or give it as measure`, {
        reason: 'invalid_input',
        details: { field: `by[${i}]` },
      });
    }
    return p;
  });
  let measure: PlannedVariable | null = null;
  if (query.measure) {
    measure = resolveVariable(query.measure, 'measure', catalogue);
    if (measure.variable.type !== 'integer' && measure.variable.type !== 'decimal') {
      throw new InputError(`measure: ${query.measure} is not numeric`, { reason: 'explore_not_numeric', details: { field: 'measure' } });
    }
    if (measure.dataset.name !== datasets[0]!.name) {
      throw new InputError(`measure: ${query.measure} must be a variable of the first dataset, ${datasets[0]!.name}`, {
        reason: 'invalid_input',
        details: { field: 'measure' },
      });
    }
  }
  for (const p of by) if (!datasets.includes(p.dataset)) datasets.push(p.dataset);
  const cohortNames = cohortFromPermit(query.cohort).flatMap((c) => ('dataset' in c ? [c.dataset] : []));
  const cohortDatasets = catalogue.filter((d) => cohortNames.includes(d.name));
  return { datasets, by, measure, cohortDatasets };
}

const ALL_TIME = { from: '0001-01-01', to: '9999-12-31' };

/** SQL pieces for one plan over `files` (explore file per dataset name). */
export function planSql(plan: QueryPlan, query: ExploreQuery, catalogue: Dataset[], files: Map<string, string>, nkN: number) {
  const period = query.period ?? ALL_TIME;
  // The extract's scope shape, for its cohort SQL; only `cohort` and `period` are read.
  const scope = { cohort: cohortFromPermit(query.cohort), period } as unknown as ExtractScope;
  // Over the explore files the person variable is `tre_person` (identity number and record key, `record-keys.ts`).
  const keyed = catalogue.map((d) => ({ ...d, personVariable: 'tre_person' }));
  const sources = [...files].map(([dataset, path]) => ({ dataset, version: '', sha256: '', path }));
  const cohort = cohortSql(scope, keyed, sources);
  const personConds: string[] = [];
  if (query.cohort.birthYearFrom !== undefined) personConds.push(`s.tre_birth_year >= ${query.cohort.birthYearFrom}`);
  if (query.cohort.birthYearTo !== undefined) personConds.push(`s.tre_birth_year <= ${query.cohort.birthYearTo}`);
  if (query.cohort.sex) personConds.push(`s.tre_sex IN (${query.cohort.sex.map((x) => lit(x === 'M' ? '1' : '2')).join(', ')})`);
  if (cohort) personConds.push(`s.tre_person IN (SELECT fnr FROM cohort)`);

  const where = (d: Dataset, withPersons: boolean) => {
    const conds = d.periodVariable ? [`s.${ident(d.periodVariable)} BETWEEN DATE ${lit(period.from)} AND DATE ${lit(period.to)}`] : [];
    if (withPersons) conds.push(...personConds);
    return conds.length ? conds.join(' AND ') : 'TRUE';
  };
  const label = (p: PlannedVariable) =>
    p.variable.type === 'date' ? `CAST(year(s.${ident(p.variable.name)}) AS VARCHAR)` : `CAST(s.${ident(p.variable.name)} AS VARCHAR)`;
  const byCol = (i: number) => `b${i}`;
  const from = (d: Dataset) => `read_parquet(${lit(files.get(d.name)!)}) s`;
  const ownBy = (d: Dataset) => plan.by.map((p, i) => ({ p, i })).filter(({ p }) => p.dataset.name === d.name);
  const [first, ...rest] = plan.datasets as [Dataset, ...Dataset[]];
  const cte = cohort ? `cohort AS (${cohort}),\n` : '';
  const linked = rest.map(
    (d, j) =>
      `l${j} AS (SELECT DISTINCT s.tre_person${ownBy(d)
        .map(({ p, i }) => `, ${label(p)} AS ${byCol(i)}`)
        .join('')} FROM ${from(d)} WHERE ${where(d, false)})`,
  );
  const joins = rest.map((_, j) => ` JOIN l${j} USING (tre_person)`).join('');
  const cells = plan.by.map((_, i) => byCol(i));
  const group = cells.length ? `GROUP BY ${cells.join(', ')}` : '';
  const firstBy = ownBy(first)
    .map(({ p, i }) => `, ${label(p)} AS ${byCol(i)}`)
    .join('');
  const head = `WITH ${cte}${linked.map((l) => `${l},\n`).join('')}`;
  const M = KEY_MODULUS;
  /**
   * Per cell: persons, records, and the sums of the persons' and of the records' keys mod 2^27
   * (a record's key is its person's: rows have no identity that lasts across versions).
   */
  const count = `${head}r AS (SELECT s.tre_person, count(*) AS n${firstBy}
      FROM ${from(first)} WHERE ${where(first, true)} GROUP BY ALL)
    SELECT ${cells.map((c) => `${c}, `).join('')}count(*) AS persons, sum(n) AS records,
      CAST(sum(tre_person % ${M}) % ${M} AS BIGINT) AS pkey, CAST(sum(n * (tre_person % ${M})) % ${M} AS BIGINT) AS rkey
    FROM r${joins} ${group}${cells.length ? ` ORDER BY ${cells.join(', ')}` : ''}`;
  /** DuckDB's own count of the same query, without keys: the bench's yardstick. */
  const bare = `${head}r AS (SELECT s.tre_person${firstBy} FROM ${from(first)} WHERE ${where(first, true)})
    SELECT ${cells.map((c) => `${c}, `).join('')}count(DISTINCT tre_person) AS persons, count(*) AS records FROM r${joins} ${group}`;
  let stats: string | null = null;
  if (plan.measure) {
    const m = `s.${ident(plan.measure.variable.name)}`;
    stats = `${head}r AS (SELECT s.tre_person, CAST(${m} AS DOUBLE) AS v${firstBy} FROM ${from(first)} WHERE ${where(first, true)})
      SELECT ${cells.map((c) => `${c}, `).join('')}count(v) AS nn, sum(abs(v)) AS total, avg(v) AS mean,
        quantile_cont(v, [0.25, 0.5, 0.75]) AS q, max(abs(v), ${nkN}) AS top
      FROM r${joins} ${group}`;
  }
  return { count, bare, stats, cells };
}
