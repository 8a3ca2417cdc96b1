/**
 * Access administrators and auditors: the case metrics dashboard (issue 15 item 4). Charts of
 * applications per month and of median lead times per case type, each with its numbers in a table
 * beside it; a from/to month filter. A figure the API withholds under the small-count rule (null)
 * reads "<10" here, and no chart bar is drawn for it.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { CaseCell, CaseFigures, CaseStats, StageTimes } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { BarChart } from '../components/bar-chart.tsx';
import { Page, Section } from '../components/page.tsx';
import { Loaded } from '../components/status.tsx';

const STAGES = ['decision', 'permit', 'copy', 'total', 'open'] as const;

function useFormat(threshold: number) {
  const { num } = useI18n();
  const below = `<${threshold}`;
  return {
    below,
    count: (n: number | null) => (n === null ? below : num(n)),
    /** A quantile of a step: withheld when its cases are too few, a dash when there are none. */
    days: (s: StageTimes, which: 'gross' | 'net' | 'paused', q: 'median' | 'p90') => (s.n === null ? below : s[which] === null ? '–' : num(s[which]![q])),
  };
}

function Totals({ f, s }: { f: CaseFigures; s: CaseStats }) {
  const { t, num } = useI18n();
  const items: [MessageKey, string][] = [
    ['metrics.applications', num(f.applications ?? 0)],
    ['metrics.open', num(f.open ?? 0)],
    ['metrics.awaitingApplicant', num(f.awaitingApplicant ?? 0)],
    ['metrics.overdue', s.dueDates ? num(f.overdue ?? 0) : t('metrics.noDueDates')],
    ['metrics.approved', num(f.approved ?? 0)],
    ['metrics.rejected', num(f.rejected ?? 0)],
    ['metrics.withdrawn', num(f.withdrawn ?? 0)],
    ['metrics.permitted', num(f.permitted ?? 0)],
    ['metrics.copied', num(f.copied ?? 0)],
    ['metrics.paused', num(f.paused ?? 0)],
  ];
  return (
    <dl className="facts" data-testid="case-totals">
      {items.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{t(k)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Every step of the totals: cases, then median and 90th percentile gross, net of the pause, and paused. */
function LeadTimes({ f, threshold }: { f: CaseFigures; threshold: number }) {
  const { t, num } = useI18n();
  const fmt = useFormat(threshold);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('metrics.leadTimesCaption')}>
      <table className="data compact" data-testid="case-lead-times">
        <caption>{t('metrics.leadTimesCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('metrics.stage')}</th>
            <th scope="col">{t('metrics.cases')}</th>
            {(['gross', 'net', 'paused'] as const).flatMap((w) =>
              (['median', 'p90'] as const).map((q) => (
                <th key={`${w}-${q}`} scope="col">
                  {t(`metrics.${w}.${q}` as MessageKey)}
                </th>
              )),
            )}
          </tr>
        </thead>
        <tbody>
          {STAGES.map((st) => {
            const s = f.leadTimes[st];
            return (
              <tr key={st}>
                <th scope="row">{t(`metrics.stage.${st}` as MessageKey)}</th>
                <td>{s.n === null ? fmt.below : num(s.n)}</td>
                {(['gross', 'net', 'paused'] as const).flatMap((w) => (['median', 'p90'] as const).map((q) => <td key={`${w}-${q}`}>{fmt.days(s, w, q)}</td>))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** One breakdown: per cell its count, open cases, and the medians of the decision step and of submitted → first copy. */
function Breakdown({
  cells,
  label,
  keyLabel,
  threshold,
  testId,
}: {
  cells: CaseCell[];
  label: string;
  keyLabel: (c: CaseCell) => string;
  threshold: number;
  testId: string;
}) {
  const { t } = useI18n();
  const fmt = useFormat(threshold);
  if (!cells.length) return <p className="muted">{t('metrics.none')}</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      <table className="data compact" data-testid={testId}>
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">{t('metrics.group')}</th>
            <th scope="col">{t('metrics.applications')}</th>
            <th scope="col">{t('metrics.open')}</th>
            <th scope="col">{t('metrics.decisionMedianGross')}</th>
            <th scope="col">{t('metrics.decisionMedianNet')}</th>
            <th scope="col">{t('metrics.totalMedianGross')}</th>
            <th scope="col">{t('metrics.totalMedianNet')}</th>
          </tr>
        </thead>
        <tbody>
          {cells.map((c) => (
            <tr key={`${c.key} ${c.month ?? ''}`} data-suppressed={String(c.suppressed)}>
              <th scope="row">{keyLabel(c)}</th>
              <td>{fmt.count(c.applications)}</td>
              <td>{fmt.count(c.open)}</td>
              <td>{fmt.days(c.leadTimes.decision, 'gross', 'median')}</td>
              <td>{fmt.days(c.leadTimes.decision, 'net', 'median')}</td>
              <td>{fmt.days(c.leadTimes.total, 'gross', 'median')}</td>
              <td>{fmt.days(c.leadTimes.total, 'net', 'median')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StatsView({ s }: { s: CaseStats }) {
  const { t } = useI18n();
  const threshold = s.smallCount.threshold;
  const below = `<${threshold}`;
  const caseType = (c: CaseCell) => t(`caseType.${c.key}` as MessageKey);
  const median = (c: CaseCell, w: 'gross' | 'net') => c.leadTimes.decision[w]?.median ?? null;
  return (
    <>
      <p className="hint" data-testid="case-stats-rules">
        {t('metrics.smallCountNote', { threshold, source: s.smallCount.source })} {t('metrics.quantileNote')}
      </p>
      <Section title={t('metrics.totals')} id="case-totals">
        <Totals f={s.totals} s={s} />
        <LeadTimes f={s.totals} threshold={threshold} />
      </Section>
      <Section title={t('metrics.byMonth')} id="case-months">
        <BarChart
          title={t('metrics.perMonthChart')}
          categories={s.byMonth.map((c) => c.key)}
          series={[{ name: t('metrics.applications'), values: s.byMonth.map((c) => c.applications) }]}
          withheld={below}
          testId="chart-months"
        />
        <Breakdown cells={s.byMonth} label={t('metrics.byMonth')} keyLabel={(c) => c.key} threshold={threshold} testId="by-month" />
      </Section>
      <Section title={t('metrics.byCaseType')} id="case-types">
        <BarChart
          title={t('metrics.perTypeChart')}
          categories={s.byCaseType.map(caseType)}
          series={[
            { name: t('metrics.gross'), values: s.byCaseType.map((c) => median(c, 'gross')) },
            { name: t('metrics.net'), values: s.byCaseType.map((c) => median(c, 'net')) },
          ]}
          withheld={below}
          unit={t('metrics.days')}
          testId="chart-types"
        />
        <Breakdown cells={s.byCaseType} label={t('metrics.byCaseType')} keyLabel={caseType} threshold={threshold} testId="by-type" />
      </Section>
      <Section title={t('metrics.byRegister')} id="case-registers">
        <p className="hint">{t('metrics.registerNote')}</p>
        <Breakdown cells={s.byRegister} label={t('metrics.byRegister')} keyLabel={(c) => c.key} threshold={threshold} testId="by-register" />
        <details>
          <summary>{t('metrics.byRegisterMonth')}</summary>
          <Breakdown
            cells={s.byRegisterMonth}
            label={t('metrics.byRegisterMonth')}
            keyLabel={(c) => `${c.key} ${c.month ?? ''}`}
            threshold={threshold}
            testId="by-register-month"
          />
        </details>
      </Section>
    </>
  );
}

export function CaseStatsPage() {
  const { t } = useI18n();
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const qs = new URLSearchParams(range).toString();
  const stats = useApi<CaseStats>(`${EP.caseStats}${qs ? `?${qs}` : ''}`);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next: { from?: string; to?: string } = {};
    for (const k of ['from', 'to'] as const) {
      const v = String(f.get(k) ?? '');
      if (v) next[k] = v;
    }
    if (next.from && next.to && next.from > next.to) {
      setFormError(t('metrics.toBeforeFrom'));
      return;
    }
    setFormError(null);
    setRange(next);
  };
  const invalid = formError ? { 'aria-invalid': true, 'aria-describedby': 'cs-error' } : {};
  return (
    <Page title={t('nav.caseStats')}>
      <p>{t('metrics.intro')}</p>
      <form onSubmit={submit} className="filter-form" role="search" aria-label={t('metrics.filter')}>
        <div>
          <label htmlFor="cs-from">{t('metrics.from')}</label>
          <input id="cs-from" name="from" type="month" pattern="\d{4}-(0[1-9]|1[0-2])" />
        </div>
        <div>
          <label htmlFor="cs-to">{t('metrics.to')}</label>
          <input id="cs-to" name="to" type="month" pattern="\d{4}-(0[1-9]|1[0-2])" {...invalid} />
        </div>
        <div className="actions">
          <button type="submit" data-action="case-stats-filter">
            {t('metrics.show')}
          </button>
        </div>
        {formError && (
          <p id="cs-error" role="alert" className="error-text">
            {formError}
          </p>
        )}
      </form>
      <Loaded state={stats}>{(s) => <StatsView s={s} />}</Loaded>
    </Page>
  );
}
