/**
 * The regression check: OLS, logit or probit of a CSV/Parquet file, fitted here (never trusted
 * from the room) and judged by ACRO 1.0's rule, residual degrees of freedom at least the policy's
 * `tables.dof` (ACRO `safe_dof_threshold`, `__check_model_dof` in `acro/acro_regression.py`;
 * ACRO records nothing else for a model: its status, `dof` and the summary text).
 *
 * OLS is one DuckDB aggregate pass gathering X'X, X'y and y'y (categoricals as indicator sums)
 * over every record, with the count of records that have every value: when that is all of them
 * and every sum is finite (no NaN), those are the complete cases' sums; otherwise a second pass
 * gathers them over the complete cases only. Solved with ml-matrix; one more pass, over the
 * residuals, only when y'y − b'X'y has cancelled.
 * Logit and probit hold the design in memory, at most `tables.maxModelCells` doubles, and iterate
 * there (probit's normal CDF has no DuckDB function). Errors name the field, the column or the limit.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { Matrix } from 'ml-matrix';
import { InputError } from '../errors/index.ts';
import { DEFAULT_CHECK_BUDGET_MS, type TableRules } from '../policies/index.ts';
import { buildDesign, type Design } from './regression-design.ts';
import { fitBinary, fitOls, pacer, paramsOf, type Fit } from './regression-fit.ts';
import { indicatorCounts } from './regression-indicators.ts';
import { RegressionSpecSchema, type RegressionReport, type RegressionSpec } from './regression-schemas.ts';
import type { TableSource } from './table-source.ts';

export type RegressionRules = Pick<TableRules, 'dof' | 'maxModelParams' | 'maxModelIterations' | 'maxModelCells' | 'modelLevelThreshold'> &
  Partial<Pick<TableRules, 'checkBudgetMs'>>;

export interface RegressionCheckRequest {
  source: TableSource;
  /** Validated here, so that errors name the field. */
  spec: unknown;
  rules: RegressionRules;
  /** Whether a reading error may repeat DuckDB's message (not for a room's file: it can quote its lines). */
  quoteSource?: boolean;
}

/** A spec as the check reads it, or a 400 naming the first wrong field. */
export function parseRegressionSpec(input: unknown): RegressionSpec {
  const parsed = RegressionSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new InputError(`invalid regression spec: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, {
      reason: 'invalid_regression_spec',
      details: { field },
    });
  }
  return parsed.data;
}

export async function checkRegression(conn: DuckDBConnection, req: RegressionCheckRequest): Promise<RegressionReport> {
  const spec = parseRegressionSpec(req.spec);
  const { rules } = req;
  const design = await buildDesign(conn, req.source, spec, { maxParams: rules.maxModelParams }, req.quoteSource ?? true);
  const names = design.columns.map((c) => c.name);
  // Errors name a design column by its variable: a level's name is a value of the data.
  const blame = design.columns.map((c) => c.group ?? c.name);
  const { fit, nobs, total, sums, twoValued } =
    spec.method === 'ols' ? await olsFit(conn, design, blame) : await binaryFit(conn, spec.method, design, blame, rules);
  const dof = nobs - names.length;
  const dofPassed = dof >= rules.dof;
  // Two-valued numeric covariates are indicators too (`regression-indicators.ts`).
  const indicators = rules.modelLevelThreshold === null ? [] : await indicatorCounts(conn, design, twoValued);
  const levels =
    rules.modelLevelThreshold === null || (spec.categorical.length === 0 && indicators.length === 0)
      ? null
      : levelRule(design.columns, sums, nobs, rules.modelLevelThreshold, indicators);
  const passed = dofPassed && (levels?.passed ?? true);
  const summary = [dofPassed ? `pass; dof=${dof} >= ${rules.dof}` : `fail; dof=${dof} < ${rules.dof}`];
  if (levels && !levels.passed) summary.push(`${levels.below} categorical level(s) with fewer than ${levels.threshold} records`);
  return {
    status: passed ? 'pass' : 'fail',
    method: spec.method,
    nobs,
    dof,
    params: paramsOf(spec.method, names, fit, dof),
    rules: { dof: { value: dof, threshold: rules.dof, passed: dofPassed }, ...(levels ? { levels } : {}) },
    summary: summary.join('; '),
    dropped: total - nobs,
    ...(fit.iterations === undefined ? {} : { iterations: fit.iterations, llf: fit.llf }),
  };
}

/**
 * Not ACRO's (its regression rule is dof alone): every level of a categorical variable has at
 * least `threshold` records among those used, when the policy sets `tables.modelLevelThreshold`.
 * A level of one record has its own indicator, which the fit makes pass through that record: its
 * coefficient is that person's outcome less the rest of the model. The counts are the indicators'
 * sums (the reference level: the records less the other levels); a two-valued numeric column's
 * are the counts of its two values (`indicators`).
 */
function levelRule(
  columns: Design['columns'],
  sums: number[],
  nobs: number,
  threshold: number,
  indicators: number[][],
): { threshold: number; passed: boolean; below: number } {
  const groups = new Map<string, { counts: number[]; reference: boolean }>();
  columns.forEach((c, j) => {
    if (c.group === undefined) return;
    const g = groups.get(c.group) ?? { counts: [], reference: c.name.startsWith(`C(${c.group})[T.`) };
    g.counts.push(sums[j]!);
    groups.set(c.group, g);
  });
  let below = 0;
  for (const { counts, reference } of groups.values()) {
    const all = reference ? [...counts, nobs - counts.reduce((a, b) => a + b, 0)] : counts;
    below += all.filter((n) => n < threshold).length;
  }
  for (const counts of indicators) below += counts.filter((n) => n < threshold).length;
  return { threshold, passed: below === 0, below };
}

/**
 * The SQL of one pass over `rows` gathering n, Σy², Σcⱼy and Σcⱼcₖ (k ≤ j; Σcⱼ and n for the
 * constant), and the number of records with every model value (`present`), and how to read its row.
 * For each numeric covariate it gathers min, max and Σcⱼ too, so that two-valued columns are found
 * in the same pass (`twoValued`).
 */
export function crossProductQuery(
  columns: Design['columns'],
  rows: string,
): {
  sql: string;
  read: (row: unknown[]) => { n: number; complete: number; xtx: Matrix; xty: number[]; yty: number; ranges: Range[] };
} {
  const p = columns.length;
  const terms: string[] = ['count(*)', 'sum(y * y)', 'count(present)'];
  const numeric = columns.map((c, j) => ({ c, j })).filter(({ c }) => c.group === undefined && c.expr !== '1.0');
  const rangeAt = numeric.map(({ j }) => ({ j, at: terms.push(`min(c${j})`, `max(c${j})`, `sum(c${j})`) - 3 }));
  const at: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(-1));
  const xyAt: number[] = [];
  const product = (j: number, k: number) => {
    const a = columns[j]!;
    const b = columns[k]!;
    if (a.expr === '1.0') return b.expr === '1.0' ? 'count(*)' : `sum(c${k})`;
    if (b.expr === '1.0') return `sum(c${j})`;
    // An indicator squared is itself; two levels of one variable never meet.
    if (a.group !== undefined && a.group === b.group) return j === k ? `sum(c${j})` : null;
    return `sum(c${j} * c${k})`;
  };
  for (let j = 0; j < p; j++) {
    xyAt.push(terms.push(columns[j]!.expr === '1.0' ? 'sum(y)' : `sum(c${j} * y)`) - 1);
    for (let k = 0; k <= j; k++) {
      const term = product(j, k);
      if (term !== null) at[j]![k] = terms.push(term) - 1;
    }
  }
  const sql = `SELECT ${terms.map((t) => `CAST(${t} AS DOUBLE)`).join(', ')} FROM ${rows}`;
  return {
    sql,
    read(row) {
      const v = (i: number) => (i < 0 ? 0 : Number(row[i] ?? 0));
      const xtx = new Matrix(p, p);
      for (let j = 0; j < p; j++) {
        for (let k = 0; k <= j; k++) {
          xtx.set(j, k, v(at[j]![k]!));
          xtx.set(k, j, v(at[j]![k]!));
        }
      }
      const ranges = rangeAt.map(({ j, at: i }) => ({ column: j, min: v(i), max: v(i + 1), sum: v(i + 2), sumSquares: xtx.get(j, j) }));
      return { n: v(0), complete: v(2), xtx, xty: xyAt.map(v), yty: v(1), ranges };
    },
  };
}

/** A numeric covariate's min, max, Σc and Σc² over the pass's records. */
type Range = { column: number; min: number; max: number; sum: number; sumSquares: number };

/**
 * The design columns that may take exactly two values: every value is min or max exactly when
 * Σ(c − min)(c − max) = Σc² − (min + max)Σc + n·min·max is 0 (each term is ≤ 0). Within rounding
 * of the sums, so a candidate is then counted exactly (`indicatorCounts`); a column found not to
 * be one costs nothing more.
 */
function twoValued(ranges: Range[], n: number): number[] {
  return ranges
    .filter(({ min, max, sum, sumSquares }) => {
      if (!(max > min)) return false;
      const q = sumSquares - (min + max) * sum + n * min * max;
      const scale = Math.abs(sumSquares) + Math.abs(min + max) * Math.abs(sum) + Math.abs(n * min * max);
      return Math.abs(q) <= 1e-9 * scale;
    })
    .map((r) => r.column);
}

function noRecords() {
  return new InputError('no record has a value in every model column', { reason: 'singular_design', details: { column: null } });
}

/**
 * A fit, its records (used, all), each design column's Σcⱼ² (for an indicator: its level's records)
 * and, when the fit's own pass found them, the numeric columns that may be two-valued.
 */
type Fitted = { fit: Fit; nobs: number; total: number; sums: number[]; twoValued?: number[] };

async function olsFit(conn: DuckDBConnection, design: Design, names: string[]): Promise<Fitted> {
  const gather = async (rows: string) => {
    const query = crossProductQuery(design.columns, rows);
    return query.read((await conn.runAndReadAll(query.sql)).getRowsJS()[0]!);
  };
  const finite = (s: Awaited<ReturnType<typeof gather>>) => [s.yty, ...s.xty, ...s.xtx.to1DArray()].every(Number.isFinite);
  const first = await gather(design.all);
  const total = first.n;
  // Every record complete and no NaN: the sums over all records are the complete cases' sums.
  const sums = first.complete === total && finite(first) ? first : await gather(design.rows);
  if (sums.n === 0) throw noRecords();
  if (!finite(sums)) throw infinite();
  const fit = await fitOls(sums.xtx, sums.xty, sums.yty, sums.n, names, async (coef) => {
    const fitted = coef.map((b, j) => `${b} * c${j}`).join(' + ');
    const row = (await conn.runAndReadAll(`SELECT CAST(sum((y - (${fitted})) ** 2) AS DOUBLE) FROM ${design.rows}`)).getRowsJS()[0]!;
    return Number(row[0]);
  });
  return { fit, nobs: sums.n, total, sums: names.map((_, j) => sums.xtx.get(j, j)), twoValued: twoValued(sums.ranges, sums.n) };
}

async function binaryFit(conn: DuckDBConnection, method: 'logit' | 'probit', design: Design, names: string[], rules: RegressionRules): Promise<Fitted> {
  const started = Date.now();
  const p = names.length;
  const counts = (await conn.runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE y <> 0 AND y <> 1) FROM ${design.rows}`)).getRowsJS()[0]!;
  const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${design.all}`)).getRowsJS()[0]![0]);
  const complete = Number(counts[0]);
  if (complete === 0) throw noRecords();
  if (complete * p > rules.maxModelCells) {
    throw new InputError(
      `a ${method} check holds at most ${rules.maxModelCells} design cells (records × parameters, tables.maxModelCells); this model has ${complete * p}`,
      { reason: 'model_too_large', details: { limit: rules.maxModelCells, cells: complete * p } },
    );
  }
  if (Number(counts[1]) > 0) {
    throw new InputError(`a ${method} model's dependent variable must be 0 or 1 in every record used`, {
      reason: 'not_binary_outcome',
      details: { field: 'dependent' },
    });
  }
  const reader = await conn.runAndReadAll(`SELECT y, ${names.map((_, j) => `c${j}`).join(', ')} FROM ${design.rows}`);
  const cols = reader.getColumnsJS();
  const nobs = reader.currentRowCount;
  const y = Float64Array.from(cols[0]!, Number);
  const x = new Float64Array(nobs * p);
  for (let j = 0; j < p; j++) {
    const col = cols[j + 1]!;
    for (let i = 0; i < nobs; i++) x[i * p + j] = Number(col[i]);
  }
  if (!x.every(Number.isFinite)) throw infinite();
  const sums = new Array<number>(p).fill(0);
  for (let i = 0; i < x.length; i++) sums[i % p]! += x[i]! * x[i]!;
  const pace = pacer(rules.checkBudgetMs ?? DEFAULT_CHECK_BUDGET_MS, started);
  return { fit: await fitBinary(method, { y, x, nobs, p }, names, rules.maxModelIterations, pace), nobs, total, sums };
}

function infinite() {
  return new InputError('a model column holds an infinite value (statsmodels refuses exog or endog with inf)', {
    reason: 'non_numeric_values',
    details: { column: null },
  });
}
