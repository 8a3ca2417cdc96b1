/**
 * The case metrics computed from one record per application (read by `read.ts`): pure, so the
 * rules — what counts as paused, open, overdue, which figures a breakdown withholds — are tested
 * on their own. The small-count rule and its limits are stated in `schemas.ts`.
 */
import { quantile } from './quantile.ts';
import { CASE_TYPE_ORDER, type CaseCell, type CaseFigures, type CaseStage, type CaseType, type StageTimes } from './schemas.ts';

/** One application as the metrics need it. Times are instants; `pauses` are paired already (`pausesOf`). */
export interface CaseRecord {
  id: string;
  caseType: CaseType;
  /** The datasets it names, each once. */
  registers: string[];
  submittedAt: Date;
  decidedAt: Date | null;
  decision: 'approved' | 'rejected' | null;
  withdrawn: boolean;
  /** The first permit version issued from it. */
  permitIssuedAt: Date | null;
  /** The first data copy of its project made under that permit version. */
  firstCopyAt: Date | null;
  /** Null when the platform has no due dates. */
  dueAt: Date | null;
  /** Each from an `info_requested` to the `info_provided` that answers it; `to` null while unanswered. */
  pauses: { from: Date; to: Date | null }[];
}

export interface ComputeOptions {
  now: Date;
  threshold: number;
  dueDates: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Pairs a case's events, in time order, into paused intervals: an `info_requested` opens a pause
 * unless one is open (a second request while waiting adds no time), the next `info_provided` closes
 * it; an answer with no open request is ignored. A pause still open runs up to now.
 */
export function pausesOf(events: readonly { kind: string; at: Date }[]): CaseRecord['pauses'] {
  const out: CaseRecord['pauses'] = [];
  let open: Date | null = null;
  for (const e of events) {
    if (e.kind === 'info_requested' && open === null) open = e.at;
    else if (e.kind === 'info_provided' && open !== null) {
      out.push({ from: open, to: e.at });
      open = null;
    }
  }
  if (open !== null) out.push({ from: open, to: null });
  return out;
}

const isOpen = (c: CaseRecord) => c.decidedAt === null && !c.withdrawn;

/** The step's two ends for one case, or null when it has not reached the second (`open`: is not open). */
function stageEnds(c: CaseRecord, stage: CaseStage, now: Date): [Date, Date] | null {
  const ends: Record<CaseStage, [Date | null, Date | null]> = {
    decision: [c.submittedAt, c.decidedAt],
    permit: [c.decidedAt, c.permitIssuedAt],
    copy: [c.permitIssuedAt, c.firstCopyAt],
    total: [c.submittedAt, c.firstCopyAt],
    open: [c.submittedAt, isOpen(c) ? now : null],
  };
  const [a, b] = ends[stage];
  return a && b ? [a, b] : null;
}

function pausedWithin(c: CaseRecord, a: Date, b: Date, now: Date): number {
  let ms = 0;
  for (const p of c.pauses) {
    const from = Math.max(p.from.getTime(), a.getTime());
    const to = Math.min((p.to ?? now).getTime(), b.getTime());
    if (to > from) ms += to - from;
  }
  return ms;
}

const days = (ms: number) => Math.round((ms / DAY_MS) * 100) / 100;

function quantiles(ms: number[]): { median: number; p90: number } | null {
  if (ms.length === 0) return null;
  return { median: days(quantile(ms, 0.5)!), p90: days(quantile(ms, 0.9)!) };
}

const isAwaiting = (c: CaseRecord) => isOpen(c) && c.pauses.some((p) => p.to === null);

/** `limit`: a figure from 1 to `limit` − 1 applications is withheld (breakdowns); 0 for totals. */
function figures(cases: readonly CaseRecord[], o: ComputeOptions, limit: number): CaseFigures {
  const small = (n: number) => n > 0 && n < limit;
  const count = (pred: (c: CaseRecord) => boolean): number | null => {
    const n = cases.filter(pred).length;
    return small(n) ? null : n;
  };
  const stage = (s: CaseStage): StageTimes => {
    const gross: number[] = [];
    const net: number[] = [];
    const paused: number[] = [];
    for (const c of cases) {
      const ends = stageEnds(c, s, o.now);
      if (!ends) continue;
      const g = ends[1].getTime() - ends[0].getTime();
      const p = pausedWithin(c, ends[0], ends[1], o.now);
      gross.push(g);
      paused.push(p);
      net.push(g - p);
    }
    if (small(gross.length)) return { n: null, gross: null, net: null, paused: null };
    return { n: gross.length, gross: quantiles(gross), net: quantiles(net), paused: quantiles(paused) };
  };
  const now = o.now.getTime();
  return {
    applications: count(() => true),
    open: count(isOpen),
    awaitingApplicant: count(isAwaiting),
    overdue: o.dueDates ? count((c) => isOpen(c) && !isAwaiting(c) && c.dueAt !== null && c.dueAt.getTime() < now) : null,
    approved: count((c) => c.decision === 'approved'),
    rejected: count((c) => c.decision === 'rejected'),
    withdrawn: count((c) => c.withdrawn),
    permitted: count((c) => c.permitIssuedAt !== null),
    copied: count((c) => c.firstCopyAt !== null),
    paused: count((c) => c.pauses.length > 0),
    leadTimes: { decision: stage('decision'), permit: stage('permit'), copy: stage('copy'), total: stage('total'), open: stage('open') },
  };
}

function withheldFigures(): CaseFigures {
  const none: StageTimes = { n: null, gross: null, net: null, paused: null };
  return {
    applications: null,
    open: null,
    awaitingApplicant: null,
    overdue: null,
    approved: null,
    rejected: null,
    withdrawn: null,
    permitted: null,
    copied: null,
    paused: null,
    leadTimes: { decision: none, permit: none, copy: none, total: none, open: none },
  };
}

function cell(key: string, cases: readonly CaseRecord[], o: ComputeOptions, month?: string): CaseCell {
  const suppressed = cases.length < o.threshold;
  return { key, ...(month === undefined ? {} : { month }), suppressed, ...(suppressed ? withheldFigures() : figures(cases, o, o.threshold)) };
}

/** The month of submission, in UTC. */
export const monthOf = (d: Date) => d.toISOString().slice(0, 7);

function groupBy(cases: readonly CaseRecord[], keys: (c: CaseRecord) => string[]): Map<string, CaseRecord[]> {
  const out = new Map<string, CaseRecord[]>();
  for (const c of cases)
    for (const k of new Set(keys(c))) {
      const list = out.get(k);
      if (list) list.push(c);
      else out.set(k, [c]);
    }
  return out;
}

export interface ComputedStats {
  totals: CaseFigures;
  byCaseType: (CaseCell & { key: CaseType })[];
  byRegister: CaseCell[];
  byMonth: CaseCell[];
  byRegisterMonth: CaseCell[];
}

/** Totals (never withheld) and the breakdowns (small-count rule), each in a fixed order. */
export function computeCaseStats(cases: readonly CaseRecord[], o: ComputeOptions): ComputedStats {
  const byType = groupBy(cases, (c) => [c.caseType]);
  const byRegister = groupBy(cases, (c) => c.registers);
  const byMonth = groupBy(cases, (c) => [monthOf(c.submittedAt)]);
  const byRegisterMonth = groupBy(cases, (c) => c.registers.map((r) => `${r}\u0000${monthOf(c.submittedAt)}`));
  const sorted = (m: Map<string, CaseRecord[]>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    totals: figures(cases, o, 0),
    byCaseType: CASE_TYPE_ORDER.filter((t) => byType.has(t)).map((t) => ({ ...cell(t, byType.get(t)!, o), key: t })),
    byRegister: sorted(byRegister).map(([k, list]) => cell(k, list, o)),
    byMonth: sorted(byMonth).map(([k, list]) => cell(k, list, o)),
    byRegisterMonth: sorted(byRegisterMonth).map(([k, list]) => {
      const [register, month] = k.split('\u0000') as [string, string];
      return cell(register, list, o, month);
    }),
  };
}
