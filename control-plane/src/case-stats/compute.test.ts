import { describe, expect, it } from 'vitest';
import { computeCaseStats, pausesOf, type CaseRecord } from './compute.ts';

const T0 = Date.parse('2026-01-05T00:00:00Z');
const day = (n: number) => new Date(T0 + n * 86_400_000);
const NOW = day(100);

function rec(id: string, o: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id,
    caseType: 'one_off',
    registers: ['population'],
    submittedAt: day(0),
    decidedAt: null,
    decision: null,
    withdrawn: false,
    permitIssuedAt: null,
    firstCopyAt: null,
    dueAt: null,
    pauses: [],
    ...o,
  };
}
const done = (id: string, sub: number, dec: number, permit: number, copy: number, o: Partial<CaseRecord> = {}) =>
  rec(id, { submittedAt: day(sub), decidedAt: day(dec), decision: 'approved', permitIssuedAt: day(permit), firstCopyAt: day(copy), ...o });

describe('pausesOf', () => {
  it('pairs each request with the next answer, ignores a second request while waiting and an answer without a request', () => {
    const ev = (kind: string, n: number) => ({ kind, at: day(n) });
    expect(
      pausesOf([ev('info_provided', 1), ev('info_requested', 2), ev('message', 3), ev('info_requested', 4), ev('info_provided', 6), ev('info_requested', 9)]),
    ).toEqual([
      { from: day(2), to: day(6) },
      { from: day(9), to: null },
    ]);
  });
});

describe('computeCaseStats', () => {
  it('measures every step gross, net of the pause and the pause itself, by linear quantiles', () => {
    const cases = [
      // decision 10 days, 4 of them paused; permit 2; copy 1; total 13
      done('a', 0, 10, 12, 13, { pauses: [{ from: day(2), to: day(6) }] }),
      // decision 20, paused 0; permit 4; copy 3; total 27
      done('b', 1, 21, 25, 28),
      // decided (rejected) after 6 with a pause of 1
      rec('c', { submittedAt: day(3), decidedAt: day(9), decision: 'rejected', pauses: [{ from: day(4), to: day(5) }] }),
      // open and waiting since day 90: 10 days paused up to now, no step reached
      rec('d', { submittedAt: day(80), pauses: [{ from: day(90), to: null }] }),
    ];
    const s = computeCaseStats(cases, { now: NOW, threshold: 3, dueDates: false });
    expect(s.totals).toEqual({
      applications: 4,
      open: 1,
      awaitingApplicant: 1,
      overdue: null,
      approved: 2,
      rejected: 1,
      withdrawn: 0,
      permitted: 2,
      copied: 2,
      paused: 3,
      leadTimes: {
        // gross 10, 20, 6 → median 10, p90 = 10 + 0.8·10 = 18; net 6, 20, 5 → 6 and 6 + 0.8·14 = 17.2; paused 4, 0, 1 → 1 and 1 + 0.8·3 = 3.4
        decision: { n: 3, gross: { median: 10, p90: 18 }, net: { median: 6, p90: 17.2 }, paused: { median: 1, p90: 3.4 } },
        // 2 and 4: median 3, p90 2 + 0.9·2 = 3.8
        permit: { n: 2, gross: { median: 3, p90: 3.8 }, net: { median: 3, p90: 3.8 }, paused: { median: 0, p90: 0 } },
        copy: { n: 2, gross: { median: 2, p90: 2.8 }, net: { median: 2, p90: 2.8 }, paused: { median: 0, p90: 0 } },
        // 13 and 27 gross; 9 and 27 net; 4 and 0 paused
        total: { n: 2, gross: { median: 20, p90: 25.6 }, net: { median: 18, p90: 25.2 }, paused: { median: 2, p90: 3.6 } },
        // d, open for 20 days, 10 of them waiting for the applicant
        open: { n: 1, gross: { median: 20, p90: 20 }, net: { median: 10, p90: 10 }, paused: { median: 10, p90: 10 } },
      },
    });
  });

  it('counts a pause still open up to now, and only its part inside a step', () => {
    // Decided on day 10 while a request made on day 8 is still unanswered: 2 of the 10 days were paused.
    const s = computeCaseStats([rec('a', { decidedAt: day(10), decision: 'approved', pauses: [{ from: day(8), to: null }] })], {
      now: NOW,
      threshold: 1,
      dueDates: false,
    });
    expect(s.totals.leadTimes.decision).toEqual({ n: 1, gross: { median: 10, p90: 10 }, net: { median: 8, p90: 8 }, paused: { median: 2, p90: 2 } });
  });

  it('withholds a breakdown cell below the threshold whole, and in a shown cell each figure from too few cases; totals stay', () => {
    const march = [done('a', 60, 70, 71, 72), done('b', 61, 65, 66, 67), rec('c', { submittedAt: day(62) })];
    const april = rec('d', { submittedAt: day(90), caseType: 'rolling' });
    const s = computeCaseStats([...march, april], { now: NOW, threshold: 3, dueDates: false });
    const none = { n: null, gross: null, net: null, paused: null };
    expect(s.byMonth.map((c) => [c.key, c.suppressed, c.applications])).toEqual([
      ['2026-03', false, 3],
      ['2026-04', true, null],
    ]);
    expect(s.byMonth[1]).toMatchObject({ open: null, approved: null, leadTimes: { decision: none, permit: none, copy: none, total: none, open: none } });
    // March: 3 cases, 2 approved (withheld), 1 open (withheld), 0 rejected (shown), lead times from 2 cases (withheld).
    expect(s.byMonth[0]).toMatchObject({ applications: 3, open: null, approved: null, rejected: 0, withdrawn: 0, leadTimes: { decision: none } });
    expect(s.byCaseType.map((c) => [c.key, c.applications])).toEqual([
      ['one_off', 3],
      ['rolling', null],
    ]);
    expect(s.totals).toMatchObject({ applications: 4, open: 2, approved: 2 });
    expect(s.totals.leadTimes.decision).toEqual({ n: 2, gross: { median: 7, p90: 9.4 }, net: { median: 7, p90: 9.4 }, paused: { median: 0, p90: 0 } });
  });

  it('counts an application once per register it names, and per register and month', () => {
    const cases = [
      rec('a', { registers: ['prescriptions', 'population'], submittedAt: day(0) }),
      rec('b', { registers: ['population'], submittedAt: day(30) }),
      rec('c', { registers: ['population', 'prescriptions'], submittedAt: day(31) }),
    ];
    const s = computeCaseStats(cases, { now: NOW, threshold: 1, dueDates: false });
    expect(s.byRegister.map((c) => [c.key, c.applications])).toEqual([
      ['population', 3],
      ['prescriptions', 2],
    ]);
    expect(s.byRegisterMonth.map((c) => [c.key, c.month, c.applications])).toEqual([
      ['population', '2026-01', 1],
      ['population', '2026-02', 2],
      ['prescriptions', '2026-01', 1],
      ['prescriptions', '2026-02', 1],
    ]);
  });

  it('counts as overdue an open case past its due date that is not waiting for the applicant, only when there are due dates', () => {
    const cases = [
      rec('late', { dueAt: day(60) }),
      rec('waiting', { dueAt: day(60), pauses: [{ from: day(50), to: null }] }),
      rec('in-time', { dueAt: day(120) }),
      rec('decided-late', { dueAt: day(60), decidedAt: day(70), decision: 'rejected' }),
      rec('withdrawn-late', { dueAt: day(60), withdrawn: true }),
    ];
    expect(computeCaseStats(cases, { now: NOW, threshold: 1, dueDates: true }).totals).toMatchObject({
      overdue: 1,
      open: 3,
      awaitingApplicant: 1,
      withdrawn: 1,
    });
    expect(computeCaseStats(cases, { now: NOW, threshold: 1, dueDates: false }).totals.overdue).toBeNull();
  });
});
