import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { loadPolicySet, resolvePolicy, type TableRules } from '../policies/index.ts';
import { checkSurvival } from './survival.ts';
import { SurvivalReportSchema, type SurvivalReport } from './survival-report.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/survhist/', import.meta.url));
let conn: DuckDBConnection;
let dir: string;
let acro: TableRules;
let strict: TableRules;
let fileNo = 0;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await mkdtemp(join(tmpdir(), 'survival-'));
  const set = await loadPolicySet();
  acro = resolvePolicy(set, { profile: 'acro' }).tables;
  strict = resolvePolicy(set).tables;
});

/** A CSV of `t,died[,g]` rows. */
async function csv(rows: Array<[number | string, number | string, string?]>): Promise<string> {
  const grouped = rows.some((r) => r[2] !== undefined);
  const text = [grouped ? 't,died,g' : 't,died', ...rows.map((r) => r.filter((v) => v !== undefined).join(','))].join('\n');
  const path = join(dir, `s${++fileNo}.csv`);
  await writeFile(path, `${text}\n`);
  return path;
}

const rep = <T>(n: number, row: T): T[] => Array.from({ length: n }, () => row);
const spec = { duration: 't', event: 'died', group: null };

async function check(file: string, rules: TableRules, s: object = spec): Promise<SurvivalReport> {
  const report = await checkSurvival(conn, { source: { file }, spec: s, rules });
  return SurvivalReportSchema.parse(report);
}

async function refusal(file: string, s: object, rules = strict): Promise<InputError> {
  const err = await checkSurvival(conn, { source: { file }, spec: s, rules }).catch((e: unknown) => e);
  if (!(err instanceof InputError)) throw new Error(`expected an InputError, got ${String(err)}`);
  return err;
}

interface Expected {
  time: number;
  atRisk: number;
  events: number;
  survival: number;
  lower: number | null;
  upper: number | null;
}

function expectClose(actual: SurvivalReport['table'], expected: Expected[]) {
  expect(actual.map((s) => [s.time, s.atRisk, s.events])).toEqual(expected.map((s) => [s.time, s.atRisk, s.events]));
  actual.forEach((s, i) => {
    const e = expected[i]!;
    expect(Math.abs(s.survival - e.survival)).toBeLessThan(1e-6);
    for (const k of ['lower', 'upper'] as const) {
      if (e[k] === null) expect(s[k]).toBeNull();
      else expect(Math.abs((s[k] as number) - e[k])).toBeLessThan(1e-6);
    }
  });
}

describe('the Kaplan-Meier estimate against statsmodels', () => {
  it('agrees with SurvfuncRight step by step, bounds included, to 1e-6 (no pooling: threshold 1)', async () => {
    const expected = JSON.parse(await readFile(join(fixtures, 'km.json'), 'utf8')) as { all: Expected[]; byArm: Record<string, Expected[]> };
    const rules = { ...strict, survival: { ...strict.survival!, threshold: 1 } };
    const report = await check(join(fixtures, 'km.csv'), rules);
    expect(report.nobs).toBe(399);
    expect(report.pooled).toBe(false);
    expectClose(report.table, expected.all);
    const grouped = await check(join(fixtures, 'km.csv'), rules, { ...spec, group: 'arm' });
    for (const arm of ['a', 'b'])
      expectClose(
        grouped.table.filter((s) => s.group === arm),
        expected.byArm[arm]!,
      );
    expect(grouped.table.map((s) => s.group)).toEqual([...rep(expected.byArm.a!.length, 'a'), ...rep(expected.byArm.b!.length, 'b')]);
  });

  it('counts the censored from a step until the next event time', async () => {
    // times: 1 (2 events, 1 censored), 2 (censored), 3 (1 event), 4 (censored)
    const file = await csv([
      [1, 1],
      [1, 1],
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 0],
    ]);
    const report = await check(file, { ...strict, survival: { ...strict.survival!, threshold: 1 } });
    expect(report.table.map(({ time, atRisk, events, censored }) => ({ time, atRisk, events, censored }))).toEqual([
      { time: 1, atRisk: 6, events: 2, censored: 2 },
      { time: 3, atRisk: 2, events: 1, censored: 1 },
    ]);
    expect(report.table[0]!.survival).toBeCloseTo(4 / 6, 12);
    expect(report.table[1]!.survival).toBeCloseTo((4 / 6) * 0.5, 12);
  });
});

describe('event columns', () => {
  it('takes a boolean event column (Parquet, tables) as 1/0', async () => {
    await conn.run('CREATE TABLE flags AS SELECT (1 + i % 2)::BIGINT AS t, i % 3 <> 0 AS died FROM range(0, 30) r(i)');
    const report = SurvivalReportSchema.parse(await checkSurvival(conn, { source: { table: 'flags' }, spec, rules: strict }));
    expect(report.table.map(({ time, atRisk, events, censored }) => ({ time, atRisk, events, censored }))).toEqual([
      { time: 1, atRisk: 30, events: 10, censored: 5 },
      { time: 2, atRisk: 15, events: 10, censored: 5 },
    ]);
  });
});

describe('the default profile pools event times to the threshold of events', () => {
  it('releases a step of exactly the threshold of events as it is, and passes', async () => {
    const file = await csv([...rep(10, [1, 1] as [number, number]), ...rep(10, [2, 1] as [number, number]), ...rep(5, [3, 0] as [number, number])]);
    const report = await check(file, strict);
    expect(report).toMatchObject({ status: 'pass', rule: 'pool', pooled: false, rules: { threshold: { value: 10, threshold: 10, passed: true } } });
    expect(report.table.map(({ time, atRisk, events, censored }) => ({ time, atRisk, events, censored }))).toEqual([
      { time: 1, atRisk: 25, events: 10, censored: 0 },
      { time: 2, atRisk: 15, events: 10, censored: 5 },
    ]);
    // A passing table carries its curve, drawn from the released steps: two drops, each a horizontal and a vertical line.
    expect(report.plot?.svg.match(/stroke="#1f77b4"/g)).toHaveLength(4);
  });

  it('pools a step of threshold - 1 events with the next one; the pooled table is the one released', async () => {
    const file = await csv([
      ...rep(9, [1, 1] as [number, number]),
      ...rep(3, [2, 1] as [number, number]),
      ...rep(10, [4, 1] as [number, number]),
      ...rep(8, [5, 0] as [number, number]),
    ]);
    const report = await check(file, strict);
    expect(report.status).toBe('pass');
    expect(report.pooled).toBe(true);
    expect(report.table.map(({ time, atRisk, events, censored }) => ({ time, atRisk, events, censored }))).toEqual([
      { time: 2, atRisk: 30, events: 12, censored: 0 },
      { time: 4, atRisk: 18, events: 10, censored: 8 },
    ]);
    // A life table over the pools: nothing finer than the counts shown.
    expect(report.table[0]!.survival).toBeCloseTo(1 - 12 / 30, 12);
    expect(report.table[1]!.survival).toBeCloseTo((1 - 12 / 30) * (1 - 10 / 18), 12);
    expect(report.rules.threshold).toEqual({ value: 10, threshold: 10, passed: true });
  });

  it('joins the events left after the last full pool to it', async () => {
    const file = await csv([...rep(10, [1, 1] as [number, number]), ...rep(4, [2, 1] as [number, number]), [3, 0]]);
    const report = await check(file, strict);
    expect(report.table.map(({ time, atRisk, events, censored }) => ({ time, atRisk, events, censored }))).toEqual([
      { time: 2, atRisk: 15, events: 14, censored: 1 },
    ]);
  });

  it('fails a curve with fewer than the threshold of events in all, and names the group', async () => {
    const file = await csv([
      ...rep(12, [1, 1, 'x'] as [number, number, string]),
      ...rep(9, [2, 1, 'y'] as [number, number, string]),
      ...rep(5, [3, 0, 'y'] as [number, number, string]),
    ]);
    const report = await check(file, strict, { ...spec, group: 'g' });
    expect(report).toMatchObject({ status: 'fail', failedGroups: ['y'], rules: { threshold: { value: 12, threshold: 10, passed: false } } });
    expect(report.table).toEqual([expect.objectContaining({ group: 'x', time: 1, atRisk: 12, events: 12, survival: 0, lower: null, upper: null })]);
    expect(report.plot).toBeUndefined();
  });
});

describe('the acro profile applies ACRO 1.0.1 surv_func checks', () => {
  it('fails on MinimumDoFCheck (dof 0 < 10) and asks for a manual check, with the unpooled table', async () => {
    const file = await csv([...rep(9, [1, 1] as [number, number]), ...rep(30, [2, 1] as [number, number]), ...rep(30, [3, 0] as [number, number])]);
    const report = await check(file, acro);
    expect(report).toMatchObject({
      status: 'fail',
      rule: 'acro-1.0',
      pooled: false,
      rules: {
        dof: { value: 0, threshold: 10, passed: false },
        manual: { status: 'review', message: 'a manual check may be needed if related plots have been produced' },
      },
    });
    expect(report.table.map((s) => [s.time, s.atRisk, s.events])).toEqual([
      [1, 69, 9],
      [2, 60, 30],
    ]);
  });
});

describe('bad specs and data are refused naming the field', () => {
  it('400 for an unknown column, a non-numeric duration, events other than 0/1, a repeated column', async () => {
    const file = await csv([
      [1, 2],
      [2, 0],
    ]);
    expect((await refusal(file, { ...spec, duration: 'time' })).details).toEqual({ field: 'duration', column: 'time' });
    expect((await refusal(file, spec)).details).toEqual({ field: 'event' });
    expect((await refusal(file, { ...spec, event: 't' })).details).toEqual({ field: 'event' });
    const text = await csv([
      ['a', 1],
      ['b', 0],
    ]);
    expect((await refusal(text, spec)).details).toEqual({ field: 'duration' });
    const err = await refusal(file, { duration: 't', event: 'died', groups: 'g' });
    expect(err.reason).toBe('invalid_survival_spec');
    expect(err.details).toEqual({ field: '' });
  });

  it('400 past the policy limits of groups and of steps', async () => {
    const file = await csv(Array.from({ length: 30 }, (_, i) => [i, 1, `g${i % 3}`] as [number, number, string]));
    const few = { ...strict, survival: { ...strict.survival!, maxGroups: 2 } };
    expect(await refusal(file, { ...spec, group: 'g' }, few)).toMatchObject({ reason: 'too_many_groups', details: { field: 'group', groups: 3, limit: 2 } });
    const short = { ...strict, survival: { ...strict.survival!, maxSteps: 29 } };
    expect(await refusal(file, spec, short)).toMatchObject({ reason: 'too_many_steps', details: { field: 'duration', limit: 29 } });
    expect((await check(file, { ...strict, survival: { ...strict.survival!, maxSteps: 30 } })).nobs).toBe(30);
  });
});
