/** A citizen: which projects received my data, and my opt-out (reservasjon). */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import { useApi } from '../lib/use-api.ts';
import { Page, Section } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';
import { CitizenDialogue } from '../components/citizen-dialogue.tsx';

import type { OptOutStatus, ProjectUse } from '../lib/types.ts';

function OptOutPanel() {
  const { t, date } = useI18n();
  const { announce } = useSession();
  const state = useApi<OptOutStatus>(EP.citizenOptOut);
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
          <p data-testid="opt-out-state">
            <strong>{s.optedOut ? t('citizen.isOptedOut') : t('citizen.isNotOptedOut')}</strong>
            {s.optedOut && s.since ? ` (${date(s.since, true)})` : ''}
          </p>
          <p>{t('citizen.optOutExplain')}</p>
          <div className="actions">
            <button type="button" role="switch" aria-checked={s.optedOut} onClick={() => set(!s.optedOut)} data-action="toggle-opt-out">
              {t('citizen.optOutSwitch')}: {s.optedOut ? t('common.on') : t('common.off')}
            </button>
          </div>
          {s.history.length ? (
            <details>
              <summary>{t('citizen.history')}</summary>
              <ul>
                {s.history.map((h, i) => (
                  <li key={i}>
                    {date(h.at, true)}: {t(h.action === 'register' ? 'citizen.registered' : 'citizen.withdrew')}
                  </li>
                ))}
              </ul>
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
  const usage = useApi<ProjectUse[]>(EP.citizenUsage);
  return (
    <Page title={t('nav.citizen')}>
      <Section title={t('citizen.usage')} id="usage">
        <Loaded state={usage}>
          {(list) => {
            if (!list.length) return <Empty>{t('citizen.noUsage')}</Empty>;
            return (
              <ul className="plain">
                {list.map((u) => (
                  <li key={u.projectId} className="card inner">
                    <h3>{u.title}</h3>
                    <dl className="facts">
                      {u.purpose ? (
                        <>
                          <dt>{t('project.purpose')}</dt>
                          <dd>{u.purpose}</dd>
                        </>
                      ) : null}
                      <dt>{t('project.controllers')}</dt>
                      <dd>{u.dataControllers.join(', ')}</dd>
                      {u.legalBasis ? (
                        <>
                          <dt>{t('permit.legalBasis')}</dt>
                          <dd>{t(`legalBasis.${u.legalBasis}` as MessageKey)}</dd>
                        </>
                      ) : null}
                      <dt>{t('permit.period')}</dt>
                      <dd>
                        {date(u.period.from)} – {date(u.period.to)}
                      </dd>
                      <dt>{t('citizen.copyDates')}</dt>
                      <dd>{u.copies.map((c) => date(c.madeAt)).join(', ')}</dd>
                    </dl>
                  </li>
                ))}
              </ul>
            );
          }}
        </Loaded>
      </Section>
      <Section title={t('citizen.optOut')} id="opt-out">
        <OptOutPanel />
      </Section>
      <CitizenDialogue />
    </Page>
  );
}
