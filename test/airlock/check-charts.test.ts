/**
 * POST /api/projects/:projectId/outputs/check-{survival,histogram,pie}: the registry's routes for
 * the chart checks, on a real platform. Inside the room (its channel) a report comes whole;
 * outside (a member's token) its verdict alone comes back, passing or not: no step, bin, slice or plot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistogramReportSchema, PieReportSchema, SurvivalReportSchema } from '../../control-plane/src/disclosure/index.ts';
import { startAirlock, type AirlockTest } from './support.ts';

let t: AirlockTest;

beforeAll(async () => {
  t = await startAirlock();
  // 600 persons: t = 1 + i % 30 (20 per time), died for even i, arm a/b; x = i % 60, region r0..r2 (200 each) plus 5 in r3.
  await t.copyFile(
    'cohort.parquet',
    `SELECT 1 + i % 30 AS t, CASE WHEN i % 2 = 0 THEN 1 ELSE 0 END AS died, CASE WHEN i < 300 THEN 'a' ELSE 'b' END AS arm,
      (i % 60)::DOUBLE AS x, CASE WHEN i < 600 THEN 'r' || (i % 3) ELSE 'r3' END AS region FROM range(0, 605) r(i)`,
  );
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const body = (spec: object) => ({ source: { copy: 'cohort.parquet' }, spec });
/** From inside the researcher's room: the report whole. */
const call = (kind: string, spec: object) => t.inRoom('researcher', 'POST', `/api/projects/${t.projectId}/outputs/check-${kind}`, body(spec));
/** From outside any room (a bearer token): the verdict only. */
const outside = (kind: string, spec: object, as = 'researcher') =>
  t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-${kind}`, { as, body: body(spec) });

const meta = (spec: object) => ({
  source: { kind: 'copy', version: 1, file: 'cohort.parquet' },
  spec,
  checkedFor: 'researcher',
  policy: { profile: 'default', sources: ['policies/default.yaml'] },
});

const strip = ({ source: _s, spec: _p, checkedAt: _a, checkedFor: _f, policy: _o, ...report }: Record<string, unknown>) => report;

describe('check-survival', () => {
  it('answers the pooled Kaplan-Meier table under the default profile, audited as output.check-survival', async () => {
    const res = await call('survival', { duration: 't', event: 'died' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...meta({ duration: 't', event: 'died', group: null }), status: 'pass', rule: 'pool', pooled: false, nobs: 605 });
    const report = SurvivalReportSchema.parse(strip(res.body));
    // Odd times hold only events (even i), 21 or 20 of them, even times only censorings: no pooling is needed.
    expect(report.table.slice(0, 2).map(({ time, atRisk, events, censored }) => ({ time, atRisk, events, censored }))).toEqual([
      { time: 1, atRisk: 605, events: 21, censored: 21 },
      { time: 3, atRisk: 563, events: 21, censored: 21 },
    ]);
    expect(report.table).toHaveLength(15);
    const audited = await t.p.deps.store.query<{ action: string; outcome: string }>(
      "SELECT action, outcome FROM audit_log WHERE action = 'output.check-survival' ORDER BY seq",
    );
    // Recorded in two steps, the first before anything is read.
    expect(audited).toEqual([
      { action: 'output.check-survival', outcome: 'initiated' },
      { action: 'output.check-survival', outcome: 'success' },
    ]);
  });

  it('withholds a failing table outside the room: its verdict and rule, no steps', async () => {
    // Region r3 holds 5 persons, 3 of them events: fewer than the threshold for any step.
    const res = await outside('survival', { duration: 't', event: 'died', group: 'region' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...meta({ duration: 't', event: 'died', group: 'region' }),
      checkedAt: expect.any(String),
      status: 'fail',
      method: 'kaplan-meier',
      rule: 'pool',
      withheld: { reason: 'check_only_in_room', detail: 'a survival table that did not pass is shown only inside the room; run the check there' },
    });
  });

  it('400 naming the field; 403 for a non-member', async () => {
    const bad = await call('survival', { duration: 't', event: 'region' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ reason: 'invalid_survival_spec', field: 'event' });
    const unknown = await call('survival', { duration: 'time', event: 'died' });
    expect(unknown.body).toMatchObject({ reason: 'unknown_column', field: 'duration', column: 'time' });
    expect((await outside('survival', { duration: 't', event: 'died' }, 'admin1')).status).toBe(403);
  });
});

describe('check-histogram', () => {
  it('answers passing bins with the plot rendered from them in the room, the verdict alone outside', async () => {
    const spec = { column: 'x', bins: [0, 20, 40, 60], group: null };
    expect(strip((await outside('histogram', spec)).body)).toEqual({
      status: 'pass',
      column: 'x',
      withheld: { reason: 'check_only_in_room', detail: expect.any(String) },
    });
    const res = await call('histogram', spec);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...meta(spec), status: 'pass', edgesFromData: false });
    const report = HistogramReportSchema.parse(strip(res.body));
    expect(report.bins).toEqual([
      { lower: 0, upper: 20, count: 205 },
      { lower: 20, upper: 40, count: 200 },
      { lower: 40, upper: 60, count: 200 },
    ]);
    expect(report.plot?.svg).toMatch(/^<svg /);
    expect(Buffer.from(report.plot!.pngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('withholds bins from the data edges outside the room (a reviewer decides under the default profile), no plot', async () => {
    const res = await outside('histogram', { column: 'x', bins: 3 });
    expect(res.status).toBe(200);
    expect(strip(res.body)).toEqual({
      status: 'review',
      column: 'x',
      withheld: { reason: 'check_only_in_room', detail: 'a histogram that did not pass is shown only inside the room; run the check there' },
    });
  });

  it('400 past the policy limit of bins, naming the field', async () => {
    const res = await call('histogram', { column: 'x', bins: 201 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ reason: 'too_many_bins', field: 'bins', limit: 200 });
  });
});

describe('check-pie', () => {
  it('withholds a pie with a slice under the threshold outside the room, answers one without in the room', async () => {
    const failing = await outside('pie', { column: 'region' });
    expect(strip(failing.body)).toMatchObject({ status: 'fail', column: 'region', withheld: { reason: 'check_only_in_room' } });
    const passing = await call('pie', { column: 'arm' });
    expect(passing.status).toBe(200);
    const report = PieReportSchema.parse(strip(passing.body));
    expect(report).toMatchObject({
      status: 'pass',
      slices: [
        { label: 'b', count: 305 },
        { label: 'a', count: 300 },
      ],
    });
    expect(report.plot?.svg).toContain('<path');
  });
});

describe('an exported chart names its check', () => {
  it('matches when the file is the plot rendered from the checked counts; any other image goes to review', async () => {
    const spec = { column: 'x', bins: [0, 20, 40, 60] };
    const checked = HistogramReportSchema.parse(strip((await call('histogram', spec)).body));
    t.output('researcher', 'hist.png', Buffer.from(checked.plot!.pngBase64, 'base64'));
    t.output('researcher', 'hist.svg', checked.plot!.svg);
    t.output('researcher', 'drawn.svg', checked.plot!.svg.replace('height="240"', 'height="250"'));
    const check = { kind: 'histogram', source: { copy: 'cohort.parquet' }, spec };
    const res = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'figure 1',
        files: [
          { path: 'hist.png', description: 'x, checked', check },
          { path: 'hist.svg', description: 'x, checked', check },
          { path: 'drawn.svg', description: 'x, drawn in the room', check },
        ],
      },
    });
    expect(res.status).toBe(201);
    const [png, svg, drawn] = res.body.files;
    expect(png.checks.check).toMatchObject({ kind: 'histogram', report: { status: 'pass' }, match: { matches: true, compared: 1, mismatched: [] } });
    expect(svg.checks.check.match).toEqual({ matches: true, compared: 1, mismatched: [] });
    expect(drawn.checks.check.match).toEqual({ matches: false, compared: 1, mismatched: [] });
    expect(drawn.checkStatus).toBe('review');
    const reviewed = await t.p.call('GET', `/api/exports/${res.body.id}`, { as: 'admin1' });
    expect(reviewed.body.files[2].checks.check.match).toEqual({ matches: false, compared: 1, mismatched: ['plot'] });
  });
});
