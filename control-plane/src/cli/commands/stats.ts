import type { CaseCell, CaseFigures, CaseStats, StageTimes } from '../../case-stats/index.ts';
import { CliError, stringOpt, type CommandGroup } from '../command.ts';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A withheld figure reads `<threshold`, as in the dashboard. */
const shown = (n: number | null, threshold: number) => (n === null ? `<${threshold}` : String(n));
const q = (s: StageTimes, which: 'gross' | 'net' | 'paused') => {
  const v = s[which];
  return v === null ? '-' : `${v.median}/${v.p90}`;
};

function row(label: string, f: CaseFigures, threshold: number): string {
  const lt = f.leadTimes;
  const stages = (['decision', 'permit', 'copy', 'total'] as const).map((k) => `${q(lt[k], 'gross')} (net ${q(lt[k], 'net')})`);
  return [label.padEnd(24), shown(f.applications, threshold).padStart(5), shown(f.open, threshold).padStart(5), ...stages.map((s) => s.padEnd(20))].join(' ');
}

function text(s: CaseStats): string {
  const t = s.smallCount.threshold;
  const cells = (title: string, list: CaseCell[]) => [`${title}:`, ...list.map((c) => row(c.month ? `${c.key} ${c.month}` : c.key, c, t))];
  return [
    `Cases submitted ${s.from ?? 'from the start'} to ${s.to ?? 'now'}; days median/p90 (linear), gross (net of paused time); <${t}: withheld (small-count rule)`,
    [''.padEnd(24), 'apps'.padStart(5), 'open'.padStart(5), ...['decision', 'permit', 'first copy', 'submitted→copy'].map((h) => h.padEnd(20))].join(' '),
    row('all', s.totals, t),
    `open for (days, median/p90): ${q(s.totals.leadTimes.open, 'gross')} (net ${q(s.totals.leadTimes.open, 'net')}); overdue: ${s.dueDates ? s.totals.overdue : 'no due dates'}; awaiting applicant: ${s.totals.awaitingApplicant}; paused at least once: ${s.totals.paused}`,
    ...cells('by case type', s.byCaseType),
    ...cells('by register', s.byRegister),
    ...cells('by month', s.byMonth),
  ].join('\n');
}

export const commands: CommandGroup = {
  cases: {
    summary: 'Case numbers and lead times: submitted → decided → permit → first copy, paused time apart (access administrator, auditor)',
    usage: 'tre stats cases [--from YYYY-MM] [--to YYYY-MM] [--json]',
    options: { from: { type: 'string' }, to: { type: 'string' } },
    async run(ctx, args) {
      const qs = new URLSearchParams();
      for (const name of ['from', 'to'] as const) {
        const v = stringOpt(args, name);
        if (v === undefined) continue;
        if (!MONTH.test(v)) throw new CliError(`--${name} must be a month YYYY-MM`, 2);
        qs.set(name, v);
      }
      const stats = await (await ctx.api()).request<CaseStats>('GET', `/api/stats/cases${qs.size ? `?${qs}` : ''}`);
      return { data: stats, text: text(stats) };
    },
  },
};
