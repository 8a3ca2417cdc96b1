import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { checkRegression, type RegressionRules } from './regression.ts';
import type { RegressionReport } from './regression-schemas.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/statsmodels/', import.meta.url));
const RULES: RegressionRules = { dof: 10, maxModelParams: 100, maxModelIterations: 35, maxModelCells: 5_000_000, modelLevelThreshold: null };

interface Fixture {
  spec: Record<string, unknown>;
  expected:
    | { nobs: number; dof: number; order: string[]; params: Record<string, Record<string, number>>; converged?: boolean }
    | { error: string; message: string };
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  dir = await mkdtemp(join(tmpdir(), 'regression-test-'));
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const check = (name: string, spec?: unknown, rules = RULES) =>
  checkRegression(conn, { source: { file: join(FIXTURES, `${name}.csv`) }, spec: spec ?? fixture(name).spec, rules });

async function refusal(promise: Promise<unknown>): Promise<{ reason: string | undefined; message: string; details: unknown }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  const e = err as InputError;
  return { reason: e.reason, message: e.message, details: e.details };
}

function expectAgreement(report: RegressionReport, name: string) {
  const { expected } = fixture(name);
  if ('error' in expected) throw new Error(`${name} is an error fixture`);
  expect(report.nobs).toBe(expected.nobs);
  expect(report.dof).toBe(expected.dof);
  expect(Object.keys(report.params)).toEqual(expected.order);
  for (const [param, want] of Object.entries(expected.params)) {
    const got = report.params[param] as Record<string, number>;
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const [key, value] of Object.entries(want)) {
      // 1e-6 relative; p-values near 0 compared absolutely.
      const tolerance = key === 'p' ? Math.max(1e-6 * Math.abs(value), 1e-12) : 1e-6 * Math.abs(value);
      expect(Math.abs(got[key]! - value), `${name} ${param}.${key}: ${got[key]} vs statsmodels ${value}`).toBeLessThanOrEqual(tolerance);
    }
  }
}

describe('regression check against statsmodels', () => {
  for (const name of ['ols_numeric', 'ols_categorical', 'ols_no_constant', 'ols_scaled', 'logit_categorical', 'probit_categorical', 'logit_scaled']) {
    it(`${name}: coefficients, standard errors, statistics and p-values agree to 1e-6 relative`, async () => {
      const report = await check(name);
      expectAgreement(report, name);
      expect(report.status).toBe('pass');
    });
  }

  it('drops the records with a missing value in any model column, and counts them', async () => {
    const report = await check('ols_numeric');
    // 400 records, 25 blanks written into x1, x2, y, yb or g; the model reads x1, x2, x3 and y.
    expect(report.nobs + report.dropped).toBe(400);
    expect(report.dropped).toBeGreaterThan(0);
    const withG = await check('ols_categorical');
    expect(withG.nobs).toBeLessThan(report.nobs + 1);
  });

  it('codes categorical columns against their first sorted level, as patsy names them', async () => {
    const report = await check('ols_categorical');
    expect(Object.keys(report.params)).toEqual(['const', 'C(g)[T.b]', 'C(g)[T.c]', 'C(h)[T.2]', 'C(h)[T.3]', 'x1', 'x2']);
    const full = await check('ols_no_constant');
    expect(Object.keys(full.params)).toEqual(['C(g)[a]', 'C(g)[b]', 'C(g)[c]', 'x1']);
  });
});

describe('the dof rule (ACRO: residual dof at least safe_dof_threshold)', () => {
  for (const method of ['ols', 'logit', 'probit']) {
    for (const [dof, status] of [
      [9, 'fail'],
      [10, 'pass'],
      [11, 'pass'],
    ] as const) {
      it(`${method} with dof ${dof} ${status}s, and agrees with statsmodels`, async () => {
        const name = `${method}_dof${dof}`;
        const report = await check(name);
        expect({ status: report.status, dof: report.dof, rules: report.rules, summary: report.summary }).toEqual({
          status,
          dof,
          rules: { dof: { value: dof, threshold: 10, passed: status === 'pass' } },
          summary: status === 'pass' ? `pass; dof=${dof} >= 10` : `fail; dof=${dof} < 10`,
        });
        expectAgreement(report, name);
      });
    }
  }
});

describe('refusals', () => {
  it('perfect separation is an error for logit and probit, not a number', async () => {
    // statsmodels 0.13: probit raises PerfectSeparationError; logit runs out of iterations (ConvergenceWarning).
    expect(fixture('probit_separation').expected).toMatchObject({ error: 'PerfectSeparationError' });
    expect(fixture('logit_separation').expected).toMatchObject({ converged: false });
    for (const name of ['logit_separation', 'probit_separation']) {
      expect(await refusal(check(name))).toMatchObject({ reason: 'perfect_separation' });
    }
  });

  it('a singular design names the collinear column', async () => {
    const file = join(dir, 'collinear.csv');
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 7},${i},${2 * i + 1},${(i * 37) % 11}`);
    await writeFile(file, `y,a,b,c\n${rows.join('\n')}\n`);
    const spec = { method: 'ols', dependent: 'y', independent: ['a', 'c', 'b'], constant: true };
    const err = await refusal(checkRegression(conn, { source: { file }, spec, rules: RULES }));
    expect(err).toMatchObject({ reason: 'singular_design', details: { column: 'b' } });
  });

  it('an unknown column, a text column outside categorical and a bad spec are 400s naming the field', async () => {
    expect(await refusal(check('ols_numeric', { method: 'ols', dependent: 'y', independent: ['x9'] }))).toMatchObject({
      reason: 'unknown_column',
      details: { column: 'x9', field: 'independent[0]' },
    });
    expect(await refusal(check('ols_numeric', { method: 'ols', dependent: 'y', independent: ['g'] }))).toMatchObject({
      reason: 'non_numeric_values',
      details: { column: 'g' },
    });
    expect(await refusal(check('ols_numeric', { method: 'ridge', dependent: 'y', independent: ['x1'] }))).toMatchObject({
      reason: 'invalid_regression_spec',
      details: { field: 'method' },
    });
    expect(await refusal(check('ols_numeric', { method: 'ols', dependent: 'y', independent: ['x1'], categorical: ['g'] }))).toMatchObject({
      reason: 'invalid_regression_spec',
      details: { field: 'categorical.0' },
    });
    expect(await refusal(check('ols_numeric', { method: 'logit', dependent: 'y', independent: ['x1'] }))).toMatchObject({
      reason: 'not_binary_outcome',
    });
  });

  it('the policy bounds parameters, in-memory cells and iterations', async () => {
    expect(await refusal(check('ols_categorical', undefined, { ...RULES, maxModelParams: 6 }))).toMatchObject({
      reason: 'model_too_large',
      details: { limit: 6, params: 7 },
    });
    expect(await refusal(check('logit_categorical', undefined, { ...RULES, maxModelCells: 1000 }))).toMatchObject({
      reason: 'model_too_large',
      details: { limit: 1000 },
    });
    expect(await refusal(check('logit_categorical', undefined, { ...RULES, maxModelIterations: 2 }))).toMatchObject({
      reason: 'model_not_converged',
      details: { limit: 2 },
    });
  });

  it("stops a logit past the policy's time budget: Newton's passes run in this process, out of DuckDB's interrupt", async () => {
    const file = join(dir, 'large-logit.parquet');
    await conn.run(
      `COPY (SELECT (hash(i) % 1000) / 100.0 AS x, CASE WHEN hash(i + 1) % 1000 < 300 + (hash(i) % 1000) / 3 THEN 1 ELSE 0 END AS y FROM range(200000) r(i)) TO '${file}' (FORMAT parquet)`,
    );
    const spec = { method: 'logit', dependent: 'y', independent: ['x'] };
    const slow = await refusal(checkRegression(conn, { source: { file }, spec, rules: { ...RULES, checkBudgetMs: 1 } }));
    expect(slow).toMatchObject({ reason: 'table_check_over_budget', details: { limit: 1 } });
    const report = await checkRegression(conn, { source: { file }, spec, rules: RULES });
    expect({ status: report.status, nobs: report.nobs }).toEqual({ status: 'pass', nobs: 200000 });
  });
});

describe('missing values on either pass', () => {
  it('a record missing only a categorical value is dropped, NaN included, as statsmodels drops it', async () => {
    const file = join(dir, 'missing-level.csv');
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${(i * 0.37 + ((i * 7) % 5)).toFixed(3)},${i % 4},${i === 5 ? '' : i % 2 === 0 ? 'a' : 'b'},${i === 9 ? 'nan' : (i % 3) + 0.5}`,
    );
    await writeFile(file, `y,x,g,h\n${rows.join('\n')}\n`);
    const spec = { method: 'ols', dependent: 'y', independent: ['x', 'g', 'h'], categorical: ['g', 'h'] };
    const report = await checkRegression(conn, { source: { file }, spec, rules: RULES });
    expect({ nobs: report.nobs, dropped: report.dropped, names: Object.keys(report.params) }).toEqual({
      nobs: 38,
      dropped: 2,
      names: ['const', 'C(g)[T.b]', 'C(h)[T.1.5]', 'C(h)[T.2.5]', 'x'],
    });
  });
});

describe('the levels rule (not ACRO; the default profile)', () => {
  it('fails a model with a categorical level of fewer records than the threshold, and passes it when off', async () => {
    const file = join(dir, 'rare-level.csv');
    // Level 'c' has 3 records; 'a' (the reference) and 'b' 20 each.
    const rows = Array.from({ length: 43 }, (_, i) => `${((i * 7) % 11) + i / 10},${i % 5},${i < 3 ? 'c' : i % 2 === 0 ? 'a' : 'b'}`);
    await writeFile(file, `y,x,g\n${rows.join('\n')}\n`);
    const spec = { method: 'ols', dependent: 'y', independent: ['x', 'g'], categorical: ['g'] };
    const strict = await checkRegression(conn, { source: { file }, spec, rules: { ...RULES, modelLevelThreshold: 10 } });
    expect({ status: strict.status, rules: strict.rules, summary: strict.summary }).toEqual({
      status: 'fail',
      rules: { dof: { value: 39, threshold: 10, passed: true }, levels: { threshold: 10, passed: false, below: 1 } },
      summary: 'pass; dof=39 >= 10; 1 categorical level(s) with fewer than 10 records',
    });
    const reference = await checkRegression(conn, { source: { file }, spec, rules: { ...RULES, modelLevelThreshold: 21 } });
    expect(reference.rules.levels).toEqual({ threshold: 21, passed: false, below: 3 });
    const acro = await checkRegression(conn, { source: { file }, spec, rules: RULES });
    expect({ status: acro.status, rules: acro.rules }).toEqual({ status: 'pass', rules: { dof: { value: 39, threshold: 10, passed: true } } });
  });

  it('a singular design names the variable, not the level (a value of the data)', async () => {
    const file = join(dir, 'level-collinear.csv');
    // h's level 'zsecret' holds exactly the records of g's level 'b': its indicator is g's.
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 7},${i % 3 === 0 ? 'b' : 'a'},${i % 3 === 0 ? 'zsecret' : 'other'}`);
    await writeFile(file, `y,g,h\n${rows.join('\n')}\n`);
    const spec = { method: 'ols', dependent: 'y', independent: ['g', 'h'], categorical: ['g', 'h'] };
    const err = await refusal(checkRegression(conn, { source: { file }, spec, rules: RULES }));
    expect(err).toMatchObject({ reason: 'singular_design', details: { column: 'h' } });
    expect(err.message).not.toContain('secret');
  });
});
