/** A citizen: which projects received my data, and my opt-out (reservasjon). */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import { useApi } from '../lib/use-api.ts';
import { Page, Section } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

interface Usage {
  projectId?: string; title?: string; project?: string; purpose?: string; dataControllers?: string[] | string; dataController?: string;
  legalBasis?: string; period?: { from: string; to: string }; copies?: { madeAt?: string; at?: string; createdAt?: string; version?: number; deletedAt?: string | null }[]; copiedAt?: string[];
}
interface OptOut { optedOut: boolean; since?: string | null; at?: string | null; history?: { action: string; at: string }[] }

function OptOutPanel() {
  const { t, date } = useI18n();
  const { announce } = useSession();
  const state = useApi<OptOut>(EP.citizenOptOut);
  const [error, setError] = useState<unknown>(null);
  const set = async (optedOut: boolean) => {
    setError(null);
    try {
      await api('PUT', EP.citizenOptOut, { optedOut });
      announce(t(optedOut ? 'citizen.optedOutOk' : 'citizen.withdrawnOk'));
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Loaded state={state}>
      {(s) => (
        <div>
          <p data-testid="opt-out-state"><strong>{s.optedOut ? t('citizen.isOptedOut') : t('citizen.isNotOptedOut')}</strong>{s.optedOut && (s.since ?? s.at) ? ` (${date(s.since ?? s.at, true)})` : ''}</p>
          <p>{t('citizen.optOutExplain')}</p>
          <div className="actions">
            <button type="button" role="switch" aria-checked={s.optedOut} onClick={() => set(!s.optedOut)} data-action="toggle-opt-out">
              {t('citizen.optOutSwitch')}: {s.optedOut ? t('common.on') : t('common.off')}
            </button>
          </div>
          {s.history?.length ? (
            <details>
              <summary>{t('citizen.history')}</summary>
              <ul>{s.history.map((h, i) => <li key={i}>{date(h.at, true)}: {t(h.action === 'register' ? 'citizen.registered' : 'citizen.withdrew')}</li>)}</ul>
            </details>
          ) : null}
          {error ? <ErrorView error={error} /> : null}
        </div>
      )}
    </Loaded>
  );
}

export function CitizenPage() {
  const { t, date } = useI18n();
  const usage = useApi<Usage[] | { projects: Usage[] }>(EP.citizenUsage);
  return (
    <Page title={t('nav.citizen')}>
      <Section title={t('citizen.usage')} id="usage">
        <Loaded state={usage}>
          {(raw) => {
            const list = Array.isArray(raw) ? raw : raw.projects ?? [];
            if (!list.length) return <Empty>{t('citizen.noUsage')}</Empty>;
            return (
              <ul className="plain">
                {list.map((u, i) => (
                  <li key={u.projectId ?? i} className="card inner">
                    <h3>{u.title ?? u.project ?? u.projectId}</h3>
                    <dl className="facts">
                      {u.purpose ? <><dt>{t('project.purpose')}</dt><dd>{u.purpose}</dd></> : null}
                      <dt>{t('project.controllers')}</dt><dd>{Array.isArray(u.dataControllers) ? u.dataControllers.join(', ') : u.dataControllers ?? u.dataController ?? ''}</dd>
                      {u.legalBasis ? <><dt>{t('permit.legalBasis')}</dt><dd>{t(`legalBasis.${u.legalBasis}` as MessageKey)}</dd></> : null}
                      {u.period ? <><dt>{t('permit.period')}</dt><dd>{date(u.period.from)} – {date(u.period.to)}</dd></> : null}
                      <dt>{t('citizen.copyDates')}</dt>
                      <dd>{(u.copies?.map((c) => c.madeAt ?? c.at ?? c.createdAt ?? '') ?? u.copiedAt ?? []).map((d) => date(d)).join(', ')}</dd>
                    </dl>
                  </li>
                ))}
              </ul>
            );
          }}
        </Loaded>
      </Section>
      <Section title={t('citizen.optOut')} id="opt-out"><OptOutPanel /></Section>
    </Page>
  );
}
