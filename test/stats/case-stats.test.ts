/**
 * Case metrics against a count made by hand: fifteen cases seeded on a real platform with the
 * injected clock over the real API (submissions, decisions, permits; amendments of two projects),
 * copies made by the real reconciler, and requests for information answered after N days written
 * to the case history through the store (the dialogue's API is another part of issue 15). Every
 * figure below was counted by hand from the timeline in `CASES`; the default policy's threshold
 * of 10 withholds the small cells.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataCopiesModule } from '../../control-plane/src/data-copies/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runTre } from '../support/tre.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (d: number) => new Date(T0 + d * 86_400_000);
const NOW_DAY = 45;

type Registers = 'pop' | 'pop+rx' | 'pop+pe';
interface Case {
  name: string;
  /** Day of submission; an amendment names the case whose project it amends. */
  sub: number;
  caseType?: string;
  amends?: string;
  registers?: Registers;
  pauses?: [number, number | null][];
  decided?: [number, 'approve' | 'reject'];
  permit?: number;
  copy?: number;
}

// The demo project (case D) was submitted, decided, issued and copied at day 0 by the demo seed.
const CASES: Case[] = [
  { name: 'A1', sub: 1, registers: 'pop+rx', pauses: [[2, 5]], decided: [10, 'approve'], permit: 12, copy: 13 },
  { name: 'A2', sub: 1, registers: 'pop+rx', decided: [6, 'approve'], permit: 7, copy: 9 },
  { name: 'A3', sub: 2, registers: 'pop+rx', pauses: [[3, 10]], decided: [14, 'approve'], permit: 15, copy: 16 },
  { name: 'A4', sub: 3, registers: 'pop+rx', decided: [8, 'approve'], permit: 20 },
  {
    name: 'A5',
    sub: 4,
    registers: 'pop+rx',
    pauses: [
      [5, 6],
      [7, 9],
    ],
    decided: [12, 'reject'],
  },
  { name: 'A6', sub: 5, registers: 'pop+pe', decided: [9, 'approve'], permit: 10, copy: 11 },
  { name: 'A7', sub: 6, decided: [20, 'approve'] },
  { name: 'A8', sub: 8, decided: [15, 'reject'] },
  { name: 'A9', sub: 10 },
  { name: 'A10', sub: 12, pauses: [[20, null]] },
  { name: 'A11', sub: 13, decided: [18, 'approve'] },
  { name: 'R1', sub: 31, caseType: 'rolling', registers: 'pop+rx', decided: [35, 'approve'], permit: 36, copy: 37 },
  { name: 'M1', sub: 32, caseType: 'extra_order', amends: 'A1', decided: [40, 'approve'], permit: 41, copy: 42 },
  { name: 'M2', sub: 33, caseType: 'new_period', amends: 'A2' },
];

const DATASETS: Record<Registers, { dataset: string; variables: string[] }[]> = {
  pop: [{ dataset: 'population', variables: ['sex', 'birth_date'] }],
  'pop+rx': [
    { dataset: 'population', variables: ['sex', 'birth_date'] },
    { dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] },
  ],
  'pop+pe': [
    { dataset: 'population', variables: ['sex', 'birth_date'] },
    { dataset: 'patient_episodes', variables: ['admission_date', 'main_diagnosis'] },
  ],
};

let p: TestPlatform;
let dueDates = false;
const ids = new Map<string, { app: string; project: string }>();

function scope(c: Case) {
  const datasets = DATASETS[c.registers ?? 'pop'];
  return { datasets, period: { from: '2018-01-01', to: '2024-12-31' }, cohort: { birthYearFrom: 1940, birthYearTo: 1990 }, linkage: datasets.length > 1 };
}

async function ok(r: Promise<{ status: number; body: any }>, status: number): Promise<any> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

async function copyFor(projectId: string, n: number): Promise<void> {
  const copies = p.modules.dataCopies;
  for (let i = 0; i < 100; i++) {
    await copies.reconciler.runOnce(projectId);
    const [row] = await p.deps.store.query<{ n: number }>('SELECT count(*)::int AS n FROM data_copies WHERE project_id = $1', [projectId]);
    if ((row?.n ?? 0) >= n) return;
    const progress = copies.reconciler.progress(projectId);
    if (progress?.state === 'failed') throw new Error(`copy failed: ${progress.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no copy ${n} of ${projectId}`);
}

/** Every step of every case, in time order (a step's own order breaks ties within a day). */
function timeline(): { day: number; run: () => Promise<void> }[] {
  const steps: { day: number; order: number; run: () => Promise<void> }[] = [];
  const add = (day: number, order: number, run: () => Promise<void>) => steps.push({ day, order, run });
  for (const c of CASES) {
    add(c.sub, 0, async () => {
      const body = c.amends
        ? { kind: 'amendment', caseType: c.caseType, projectId: ids.get(c.amends)!.project, justification: `More data for ${c.name}`, ...scope(c) }
        : {
            kind: 'new',
            caseType: c.caseType ?? 'one_off',
            project: {
              title: `Case ${c.name}`,
              purpose: `Registry study ${c.name} of medication and outcomes.`,
              dataControllers: ['Norwegian Institute of Public Health'],
              legalBasis: 'hrl-19',
              period: { from: '2026-01-01', to: '2029-12-31' },
            },
            ...scope(c),
          };
      const app = await ok(p.call('POST', '/api/applications', { as: 'lead', body }), 201);
      ids.set(c.name, { app: app.id, project: app.projectId });
    });
    for (const [from, to] of c.pauses ?? []) {
      const event = (kind: string, actor: string) => () =>
        p.deps.store
          .query(`INSERT INTO case_events (application_id, kind, actor, at, details) VALUES ($1, $2, $3, $4, '{}')`, [
            ids.get(c.name)!.app,
            kind,
            actor,
            p.clock.now(),
          ])
          .then(() => undefined);
      add(from, 1, event('info_requested', 'admin1'));
      if (to !== null) add(to, 1, event('info_provided', 'lead'));
    }
    if (c.decided) {
      const [day, decision] = c.decided;
      add(day, 2, async () => {
        await ok(p.call('POST', `/api/applications/${ids.get(c.name)!.app}/decision`, { as: 'admin1', body: { decision, reason: 'assessed' } }), 200);
      });
    }
    if (c.permit !== undefined)
      add(c.permit, 3, async () => {
        await ok(p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: ids.get(c.name)!.app, expiresAt: '2028-12-31T00:00:00Z' } }), 201);
      });
    if (c.copy !== undefined) add(c.copy, 4, () => copyFor(ids.get(c.name)!.project, c.amends ? 2 : 1));
  }
  return steps.sort((a, b) => a.day - b.day || a.order - b.order);
}

beforeAll(async () => {
  p = await startTestPlatform({}, { now: at(0).toISOString(), modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 1000 })] });
  await p.modules.dataCopies.demoReady();
  const [demo] = await p.deps.store.query<{ id: string }>('SELECT id FROM projects ORDER BY created_at LIMIT 1');
  await copyFor(demo!.id, 1);
  let loggedIn = 0;
  for (const step of timeline()) {
    p.clock.set(at(step.day));
    // API tokens live 30 days of the platform's clock.
    if (step.day - loggedIn >= 20) {
      p.forgetTokens();
      loggedIn = step.day;
    }
    await step.run();
  }
  p.clock.set(at(NOW_DAY));
  p.forgetTokens();
  // With the case flow's due dates: A9 is late, A10 is late but waiting for the applicant, M2 is in time.
  const [col] = await p.deps.store.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'applications' AND column_name = 'due_at'`);
  dueDates = col !== undefined;
  if (dueDates)
    for (const [name, day] of [
      ['A9', 40],
      ['A10', 40],
      ['M2', 60],
    ] as const)
      await p.deps.store.query('UPDATE applications SET due_at = $2 WHERE id = $1', [ids.get(name)!.app, at(day)]);
}, 300_000);

afterAll(async () => {
  await p?.stop();
});

const q = (median: number, p90: number) => ({ median, p90 });
const none = { n: null, gross: null, net: null, paused: null };
// Submitted → decided over D, A1-A8, A11 (days 0 9 5 12 5 8 4 14 7 5), paused 3 (A1), 7 (A3), 3 (A5).
const oneOffDecision = { n: 10, gross: q(6, 12.2), net: q(5, 7.7), paused: q(0, 3.4) };
// The twelve March cases (D, A1-A11): all one-off, all naming the population register.
const march = {
  applications: 12,
  open: null, // A9, A10
  awaitingApplicant: null, // A10
  overdue: null, // A9, or no due dates
  approved: null, // 8
  rejected: null, // A5, A8
  withdrawn: 0,
  permitted: null, // 6
  copied: null, // 5
  paused: null, // A1, A3, A5, A10
  leadTimes: { decision: oneOffDecision, permit: none, copy: none, total: none, open: none },
  suppressed: false,
};
const withheld = {
  ...march,
  applications: null,
  withdrawn: null,
  leadTimes: { decision: none, permit: none, copy: none, total: none, open: none },
  suppressed: true,
};
// All fifteen: the decisions of R1 (4 days) and M1 (8) besides the twelve above.
const allDecision = { n: 12, gross: q(6, 11.7), net: q(5, 7.9), paused: q(0, 3) };

describe('case metrics', () => {
  it('equal the count made by hand: totals whole, with paused time apart', async () => {
    const s = await ok(p.call('GET', '/api/stats/cases', { as: 'admin2' }), 200);
    expect(s).toMatchObject({ generatedAt: at(NOW_DAY).toISOString(), from: null, to: null, dueDates, smallCount: { threshold: 10, profile: 'default' } });
    expect(s.totals).toEqual({
      applications: 15,
      open: 3,
      awaitingApplicant: 1,
      overdue: dueDates ? 1 : null,
      approved: 10,
      rejected: 2,
      withdrawn: 0,
      permitted: 8,
      copied: 7,
      paused: 4,
      leadTimes: {
        decision: allDecision,
        // D 0, A1 2, A2 1, A3 1, A4 12, A6 1, R1 1, M1 1
        permit: { n: 8, gross: q(1, 5), net: q(1, 5), paused: q(0, 0) },
        // D 0, A1 1, A2 2, A3 1, A6 1, R1 1, M1 1
        copy: { n: 7, gross: q(1, 1.4), net: q(1, 1.4), paused: q(0, 0) },
        // D 0, A1 12, A2 8, A3 14, A6 6, R1 6, M1 10; net of A1's 3 and A3's 7 paused days
        total: { n: 7, gross: q(8, 12.8), net: q(7, 9.4), paused: q(0, 4.6) },
        // Open on day 45: A9 for 35 days, A10 for 33 (25 of them waiting for the applicant, still), M2 for 12
        open: { n: 3, gross: q(33, 34.6), net: q(12, 30.4), paused: q(0, 20) },
      },
    });
  });

  it('break down by case type, register and month, withholding every figure from fewer than 10 cases', async () => {
    const s = await ok(p.call('GET', '/api/stats/cases', { as: 'auditor' }), 200);
    expect(s.byCaseType).toEqual([
      { key: 'one_off', ...march },
      { key: 'rolling', ...withheld },
      { key: 'new_period', ...withheld },
      { key: 'extra_order', ...withheld },
    ]);
    expect(s.byMonth).toEqual([
      { key: '2026-03', ...march },
      { key: '2026-04', ...withheld },
    ]);
    // Every case names the population register; an application counts once per register.
    expect(s.byRegister).toEqual([
      { key: 'patient_episodes', ...withheld },
      {
        key: 'population',
        ...march,
        applications: 15,
        approved: 10,
        leadTimes: { decision: allDecision, permit: none, copy: none, total: none, open: none },
      },
      { key: 'prescriptions', ...withheld },
    ]);
    expect(s.byRegisterMonth.map((c: { key: string; month: string; applications: number | null }) => [c.key, c.month, c.applications])).toEqual([
      ['patient_episodes', '2026-03', null],
      ['population', '2026-03', 12],
      ['population', '2026-04', null],
      ['prescriptions', '2026-03', null],
      ['prescriptions', '2026-04', null],
    ]);
  });

  it('count only the months asked for', async () => {
    const s = await ok(p.call('GET', '/api/stats/cases?from=2026-04&to=2026-04', { as: 'admin1' }), 200);
    expect(s.totals).toMatchObject({ applications: 3, open: 1, approved: 2, permitted: 2, copied: 2 });
    // R1 4 days, M1 8
    expect(s.totals.leadTimes.decision).toEqual({ n: 2, gross: q(6, 7.6), net: q(6, 7.6), paused: q(0, 0) });
    expect(s.byMonth).toEqual([{ key: '2026-04', ...withheld }]);
  });

  it('400 naming the field when the months are reversed or malformed', async () => {
    const reversed = await p.call('GET', '/api/stats/cases?from=2026-05&to=2026-04', { as: 'admin1' });
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({ reason: 'invalid_input', field: 'to' });
    const malformed = await p.call('GET', '/api/stats/cases?from=2026-13', { as: 'admin1' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ reason: 'invalid_input', field: 'from' });
  });

  it('403 for a project lead and a researcher, and every read audited with its months', async () => {
    for (const user of ['lead', 'researcher']) expect((await p.call('GET', '/api/stats/cases', { as: user })).status).toBe(403);
    await ok(p.call('GET', '/api/stats/cases?from=2026-03', { as: 'auditor' }), 200);
    const rows = await p.deps.store.query<{ actor: string; outcome: string; details: unknown }>(
      `SELECT actor, outcome, details FROM audit_log WHERE action = 'stats.cases.read' ORDER BY seq`,
    );
    expect(rows.filter((r) => r.outcome === 'denied').map((r) => r.actor)).toEqual(['lead', 'researcher']);
    expect(rows.at(-1)).toMatchObject({ actor: 'auditor', outcome: 'success', details: { from: '2026-03', to: null } });
  });

  it('tre stats cases --json prints the API’s answer', async () => {
    const env = { TRE_URL: p.url, TRE_TOKEN: await p.token('admin1') };
    const r = await runTre(['stats', 'cases', '--from', '2026-03', '--to', '2026-04', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual(await ok(p.call('GET', '/api/stats/cases?from=2026-03&to=2026-04', { as: 'admin1' }), 200));
    const text = await runTre(['stats', 'cases'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^all\s+15\s+3\s+6\/11\.7 \(net 5\/7\.9\)/m);
    expect(text.stdout).toMatch(/^rolling\s+<10\s+<10/m);
    const bad = await runTre(['stats', 'cases', '--from', 'March'], env);
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toMatch(/--from must be a month YYYY-MM/);
  });
});
