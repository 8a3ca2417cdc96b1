/**
 * The Kaplan–Meier estimate and the two survival rules, pure of DuckDB: from the records
 * per (group, time) to the report.
 *
 * The estimate is statsmodels' `SurvfuncRight` (0.13): the product-limit survival at each
 * event time and Greenwood's standard error. statsmodels gives no pointwise bounds, so the
 * bounds are the usual pointwise 95% ones on the log(-log) scale from that same Greenwood
 * variance (R survival's `conf.type = "log-log"`, lifelines' exponential Greenwood):
 * `S^exp(±z σ)` with `σ² = Σ d/(n(n−d)) / (log S)²`, `null` where undefined (S = 0, or
 * n = d, where statsmodels' standard error is NaN).
 *
 * Rules (`tables.survival.rule`):
 * - `pool` (default profile): consecutive event times are pooled until each pool holds at
 *   least `threshold` events, as ACRO's suppression (`_rounded_survival_table`) pools, and
 *   the pooled steps are the table: each a step of the curve at the pool's last event time,
 *   with the number at risk at its start, its events and censorings. The survival and its
 *   bounds are recomputed from the pooled counts (a life table over the pools), so nothing
 *   in the table says more than the counts it shows. Events left after the last full pool
 *   join it. A group with fewer than `threshold` events in all has no step and fails.
 *   ACRO pools on removals (events and censorings, from the change in the number at risk);
 *   the issue asks for events, which is the stricter of the two for the events a step shows.
 * - `acro-1.0` (acro profile): ACRO 1.0.1's `surv_func` checks, as ACRO computes them:
 *   StatbarnDataCheck (always "review: a manual check may be needed if related plots have
 *   been produced") and MinimumDoFCheck with ACRO's table "dof", the number of steps sharing
 *   each number at risk minus one (`TableModelDetails.get_count_table() - 1` over the column
 *   "num at risk"), against `tables.dof`. The number at risk falls at every event time, so
 *   that dof is 0 and ACRO 1.0.1 fails every survival table; the table is the unpooled one.
 */
import quantile from '@stdlib/stats-base-dists-normal-quantile';
import type { SurvivalRules } from '../policies/index.ts';
import { renderSurvival } from './plot-render.ts';
import type { SurvivalReport, SurvivalStep } from './survival-report.ts';
import type { Label } from './table-stats.ts';
import { worst, type Status } from './table-rules.ts';

/** Records at one observed time of one group, and how many of them had the event. */
export interface TimeCount {
  time: number;
  events: number;
  records: number;
}

interface Step {
  time: number;
  atRisk: number;
  events: number;
  censored: number;
}

const Z = quantile(0.975, 0, 1);

/** The event times of one group (ascending `times`), with the number at risk before each. */
export function eventSteps(times: readonly TimeCount[]): Step[] {
  let remaining = times.reduce((a, t) => a + t.records, 0);
  const steps: Step[] = [];
  for (const t of times) {
    if (t.events > 0) steps.push({ time: t.time, atRisk: remaining, events: t.events, censored: 0 });
    remaining -= t.records;
  }
  return withCensored(steps);
}

function withCensored(steps: Step[]): Step[] {
  return steps.map((s, i) => ({ ...s, censored: s.atRisk - s.events - (steps[i + 1]?.atRisk ?? 0) }));
}

/** Pools consecutive steps until each holds `threshold` events; the rest joins the last pool. */
export function poolSteps(steps: readonly Step[], threshold: number): Step[] {
  const pools: Step[] = [];
  let open: Step | null = null;
  for (const s of steps) {
    open ??= { time: s.time, atRisk: s.atRisk, events: 0, censored: 0 };
    open.events += s.events;
    open.time = s.time;
    if (open.events >= threshold) {
      pools.push(open);
      open = null;
    }
  }
  const last = pools.at(-1);
  if (open && last) {
    last.events += open.events;
    last.time = open.time;
  }
  return withCensored(pools);
}

/** Survival, lower and upper bound at each step, as statsmodels computes them (see above). */
export function estimate(steps: readonly Step[]): Array<Pick<SurvivalStep, 'survival' | 'lower' | 'upper'>> {
  let logS = 0;
  let zero = false;
  let greenwood = 0;
  return steps.map(({ atRisk: n, events: d }) => {
    const ratio = 1 - d / n;
    if (ratio < 1e-16) zero = true;
    else logS += Math.log(ratio);
    greenwood += n === d || n === 0 ? Number.NaN : d / Math.max(n * (n - d), 1e-12);
    const survival = zero ? 0 : Math.exp(logS);
    if (!(survival > 0 && survival < 1) || !Number.isFinite(greenwood)) return { survival, lower: null, upper: null };
    const sigma = Math.sqrt(greenwood) / Math.abs(Math.log(survival));
    return { survival, lower: survival ** Math.exp(Z * sigma), upper: survival ** Math.exp(-Z * sigma) };
  });
}

export interface JudgeOptions {
  grouped: boolean;
  rules: SurvivalRules;
  /** `tables.dof`: ACRO's `safe_dof_threshold`, for the `acro-1.0` rule. */
  dofThreshold: number;
}

/** The report for the curves of every group (in group order; one group `null` when ungrouped). */
export function judgeSurvival(groups: ReadonlyArray<readonly [Label, readonly TimeCount[]]>, opts: JudgeOptions): SurvivalReport {
  const { rules, grouped } = opts;
  const nobs = groups.reduce((a, [, times]) => a + times.reduce((b, t) => b + t.records, 0), 0);
  const table: SurvivalStep[] = [];
  const failedGroups: Label[] = [];
  let pooled = false;
  for (const [group, times] of groups) {
    const raw = eventSteps(times);
    const steps = rules.rule === 'pool' ? poolSteps(raw, rules.threshold) : raw;
    if (steps.length < raw.length) pooled = true;
    if (steps.length === 0) failedGroups.push(group);
    const est = estimate(steps);
    steps.forEach((s, i) => table.push({ ...s, ...est[i]!, ...(grouped ? { group } : {}) }));
  }
  const notes = ["pointwise 95% confidence bounds on the log(-log) scale from Greenwood's variance"];
  if (rules.rule === 'pool') {
    const fewest = table.length === 0 ? null : Math.min(...table.map((s) => s.events));
    const passed = failedGroups.length === 0 && table.length > 0;
    if (pooled)
      notes.push(`event times pooled until every step has at least ${rules.threshold} events; survival and bounds are computed from the pooled steps`);
    const report: SurvivalReport = {
      status: passed ? 'pass' : 'fail',
      method: 'kaplan-meier',
      rule: 'pool',
      nobs,
      table,
      pooled,
      rules: { threshold: { value: fewest, threshold: rules.threshold, passed } },
      ...(grouped ? { failedGroups } : {}),
      notes,
    };
    if (passed) report.plot = renderSurvival(table, grouped);
    return report;
  }
  const dof = acroDof(table);
  const dofPassed = dof >= opts.dofThreshold;
  const statuses: Status[] = [dofPassed ? 'pass' : 'fail', 'review'];
  notes.push('ACRO 1.0.1 rule: its table dof is 0 whenever no two steps share a number at risk, so it fails');
  return {
    status: worst(statuses),
    method: 'kaplan-meier',
    rule: 'acro-1.0',
    nobs,
    table,
    pooled: false,
    rules: {
      dof: { value: dof, threshold: opts.dofThreshold, passed: dofPassed },
      manual: { status: 'review', message: 'a manual check may be needed if related plots have been produced' },
    },
    notes,
  };
}

/** ACRO's MinimumDoFCheck evidence: per distinct number at risk, its steps minus one; the smallest (0 for an empty table). */
function acroDof(table: readonly SurvivalStep[]): number {
  const counts = new Map<number, number>();
  for (const s of table) counts.set(s.atRisk, (counts.get(s.atRisk) ?? 0) + 1);
  return counts.size === 0 ? 0 : Math.min(...[...counts.values()].map((c) => c - 1));
}
