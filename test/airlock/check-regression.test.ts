/**
 * The regression check through the API: computed on the control plane from the project's copy
 * or a file of the caller's /outputs, audited, and answered whole only when it passes (outside a
 * room); an export that names the regression behind it is recomputed at staging and compared
 * with the coefficients the file holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from './support.ts';

let t: AirlockTest;

beforeAll(async () => {
  t = await startAirlock();
  // y = 2 + 0.5 x + group effect + noise, 300 records; a binary outcome from the same.
  await t.copyFile(
    'cohort.parquet',
    `SELECT i::DOUBLE / 10 AS x, CASE i % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END AS grp,
       2 + 0.05 * i + CASE i % 3 WHEN 1 THEN 1.5 ELSE 0 END + ((hash(i) % 1000) / 250.0 - 2) AS y,
       CASE WHEN hash(i + 7) % 100 < 30 + i / 6 THEN 1 ELSE 0 END AS event, CASE WHEN i < 150 THEN 0 ELSE 1 END AS late
     FROM range(0, 300) r(i)`,
  );
  // Twelve records: a constant and two covariates leave dof 9.
  const rows = ['y,x1,x2'];
  for (let i = 0; i < 12; i++) rows.push(`${(i * 1.7 + ((i * 37) % 5)).toFixed(2)},${i},${(i * 13) % 7}`);
  t.output('researcher', 'small.csv', `${rows.join('\n')}\n`);
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const OLS = { method: 'ols', dependent: 'y', independent: ['x', 'grp'], categorical: ['grp'], constant: true };
const SMALL = { method: 'ols', dependent: 'y', independent: ['x1', 'x2'] };
const path = () => `/api/projects/${t.projectId}/outputs/check-regression`;
/** From outside any room (a bearer token): a report comes as its verdict only. */
const outside = (body: unknown, as = 'researcher') => t.p.call('POST', path(), { as, body });
/** From inside the researcher's room, over its channel: the report whole. */
const check = (body: unknown) => t.inRoom('researcher', 'POST', path(), body);

describe('POST /api/projects/:projectId/outputs/check-regression', () => {
  it("fits the model on the project's copy and answers a passing report whole in the room, its verdict only outside, audited", async () => {
    const out = await outside({ source: { copy: 'cohort.parquet' }, spec: OLS });
    expect([out.status, out.body.status, out.body.params, out.body.withheld?.reason]).toEqual([200, 'pass', undefined, 'check_only_in_room']);
    const res = await check({ source: { copy: 'cohort.parquet' }, spec: OLS });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'pass',
      method: 'ols',
      nobs: 300,
      dof: 296,
      dropped: 0,
      rules: { dof: { value: 296, threshold: 10, passed: true }, levels: { threshold: 10, passed: true, below: 0 } },
      summary: 'pass; dof=296 >= 10',
      source: { kind: 'copy', version: 1, file: 'cohort.parquet' },
      spec: OLS,
      checkedFor: 'researcher',
      policy: { profile: 'default', sources: ['policies/default.yaml'] },
    });
    expect(Object.keys(res.body.params)).toEqual(['const', 'C(grp)[T.b]', 'C(grp)[T.c]', 'x']);
    expect(res.body.params['C(grp)[T.b]'].coef).toBeCloseTo(1.5, 0);
    const audit = await t.p.deps.store.query<{ actor: string; outcome: string; details: Record<string, unknown> }>(
      "SELECT actor, outcome, details FROM audit_log WHERE action = 'output.check-regression' ORDER BY seq",
    );
    expect(audit.at(-1)).toMatchObject({
      actor: 'researcher',
      outcome: 'success',
      details: { status: 'pass', source: { kind: 'copy', file: 'cohort.parquet' } },
    });
  });

  it('outside a room a failing report is withheld: its verdict and rule, no estimate and no count', async () => {
    const res = await outside({ source: { output: 'small.csv' }, spec: SMALL });
    expect(res.status).toBe(200);
    const { checkedAt, source, ...rest } = res.body;
    expect(source).toMatchObject({ kind: 'output', file: 'small.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(typeof checkedAt).toBe('string');
    expect(rest).toEqual({
      status: 'fail',
      method: 'ols',
      rules: { dof: { threshold: 10, passed: false } },
      withheld: { reason: 'check_only_in_room', detail: expect.stringContaining('inside the room') },
      spec: { ...SMALL, categorical: [], constant: true },
      checkedFor: 'researcher',
      policy: { profile: 'default', sources: ['policies/default.yaml'] },
    });
    const audit = await t.p.deps.store.query<{ details: Record<string, unknown> }>(
      "SELECT details FROM audit_log WHERE action = 'output.check-regression' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit[0]!.details).toMatchObject({ status: 'fail', source: { kind: 'output', file: 'small.csv' } });
  });

  it('400 naming the field or column; 403 for a non-member; a logit on a separated outcome is refused', async () => {
    const unknown = await check({ source: { copy: 'cohort.parquet' }, spec: { ...OLS, independent: ['x', 'grp', 'age'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ reason: 'unknown_column', column: 'age', field: 'independent[2]' });
    const badSpec = await check({ source: { copy: 'cohort.parquet' }, spec: { ...OLS, method: 'poisson' } });
    expect(badSpec.status).toBe(400);
    expect(badSpec.body).toMatchObject({ reason: 'invalid_regression_spec', field: 'method' });
    const logit = await check({ source: { copy: 'cohort.parquet' }, spec: { method: 'logit', dependent: 'event', independent: ['x'] } });
    expect(logit.body).toMatchObject({
      status: 'pass',
      method: 'logit',
      nobs: 300,
      params: { const: { z: expect.any(Number) }, x: { z: expect.any(Number) } },
    });
    // `late` is 1 exactly where x >= 15: x separates it.
    const separated = await check({ source: { copy: 'cohort.parquet' }, spec: { method: 'logit', dependent: 'late', independent: ['x'] } });
    expect(separated.status).toBe(400);
    expect(separated.body).toMatchObject({ reason: 'perfect_separation' });
    const outsider = await outside({ source: { copy: 'cohort.parquet' }, spec: OLS }, 'admin1');
    expect(outsider.status).toBe(403);
  });
});

describe('an export that names the regression behind it', () => {
  it('is recomputed at staging; a file with those coefficients passes, a changed one goes to review', async () => {
    const fitted = (await check({ source: { copy: 'cohort.parquet' }, spec: OLS })).body.params as Record<string, { coef: number; se: number }>;
    // statsmodels' summary2 table as CSV, four decimals, patsy's Intercept for the constant.
    const csv = (change: number) =>
      [
        ',Coef.,Std.Err.',
        ...Object.entries(fitted).map(([n, v], i) => `${n === 'const' ? 'Intercept' : n},${(v.coef + (i === 3 ? change : 0)).toFixed(4)},${v.se.toFixed(4)}`),
      ].join('\n');
    t.output('researcher', 'model.csv', `${csv(0)}\n`);
    t.output('researcher', 'model-changed.csv', `${csv(0.01)}\n`);
    const check_ = { kind: 'regression', source: { copy: 'cohort.parquet' }, spec: OLS };
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'model',
        files: [
          { path: 'model.csv', description: 'OLS of y', check: check_ },
          { path: 'model-changed.csv', description: 'OLS of y, edited', check: check_ },
        ],
      },
    });
    expect(res.status).toBe(201);
    const [same, changed] = res.body.files;
    // The requester, outside the room, sees verdicts; the reviewers see the reports whole.
    expect(same.checks.check).toMatchObject({
      kind: 'regression',
      report: { status: 'pass', withheld: { reason: 'check_only_in_room' } },
      match: { matches: true, compared: 4, mismatched: [] },
    });
    expect(same.checks.check.report.nobs).toBeUndefined();
    expect(same.checkStatus).toBe('pass');
    expect(changed.checks.check.match).toEqual({ matches: false, compared: 4, mismatched: [] });
    expect(changed.checkStatus).toBe('review');
    const reviewed = await t.p.call('GET', `/api/exports/${res.body.id}`, { as: 'admin1' });
    expect(reviewed.body.files[0].checks.check.report).toMatchObject({ status: 'pass', nobs: 300 });
    expect(reviewed.body.files[0].checks.check.report.params.x.coef).toBe(fitted.x!.coef);
    expect(reviewed.body.files[1].checks.check.match).toEqual({ matches: false, compared: 4, mismatched: ['x'] });
  });

  it('a failing regression is withheld from its requester outside the room; its reviewers see it whole', async () => {
    t.output('researcher', 'small-model.json', JSON.stringify({ params: { const: 100, x1: 200, x2: 300 } }));
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'small',
        files: [{ path: 'small-model.json', description: 'x', check: { kind: 'regression', source: { output: 'small.csv' }, spec: SMALL } }],
      },
    });
    expect(res.status).toBe(201);
    const mine = res.body.files[0];
    expect(mine.checkStatus).toBe('fail');
    expect(mine.checks.check.report).toEqual({
      status: 'fail',
      method: 'ols',
      rules: { dof: { threshold: 10, passed: false } },
      withheld: { reason: 'check_only_in_room', detail: expect.any(String) },
    });
    expect(mine.checks.check.match).toEqual({ matches: false, compared: 3, mismatched: [] });
    const reviewed = await t.p.call('GET', `/api/exports/${res.body.id}`, { as: 'admin1' });
    expect(reviewed.body.files[0].checks.check.report).toMatchObject({ status: 'fail', nobs: 12, dof: 9, summary: 'fail; dof=9 < 10' });
    expect(reviewed.body.files[0].checks.check.match.mismatched).toEqual(['const', 'x1', 'x2']);
  });

  it('a file is a table or a check, not both (400 naming the field)', async () => {
    t.output('researcher', 'both.csv', 'a,b\n1,2\n');
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'both',
        files: [
          {
            path: 'both.csv',
            description: 'x',
            table: {
              source: { copy: 'cohort.parquet' },
              spec: { method: 'crosstab', index: ['grp'], columns: [], values: null, aggfunc: null, margins: false },
            },
            check: { kind: 'regression', source: { copy: 'cohort.parquet' }, spec: OLS },
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'files.0.check' });
  });
});
