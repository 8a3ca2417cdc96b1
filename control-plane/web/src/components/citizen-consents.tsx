/**
 * A citizen's consent requests: what each project asks consent to (its text and version, its data
 * period), the state of my consent, and give/withdraw behind a confirm dialog that says what the
 * change does. My consent's history is shown with each request (the citizen's own insight view).
 */
import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { ConsentRequest } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { Empty, ErrorView, Loaded } from './status.tsx';

export function CitizenConsents() {
  const { t, date } = useI18n();
  const { announce } = useSession();
  const state = useApi<ConsentRequest[]>(EP.citizenConsents);
  const [asking, setAsking] = useState<{ request: ConsentRequest; give: boolean } | null>(null);
  const [error, setError] = useState<{ projectId: string; error: unknown } | null>(null);

  const change = async () => {
    if (!asking) return;
    const { request, give } = asking;
    setAsking(null);
    setError(null);
    try {
      await api('PUT', EP.citizenConsent(request.projectId), { consent: give });
      announce(t(give ? 'consent.givenOk' : 'consent.withdrawnOk'));
      state.reload();
    } catch (err) {
      setError({ projectId: request.projectId, error: err });
    }
  };

  return (
    <Loaded state={state}>
      {(list) => {
        if (!list.length) return <Empty>{t('consent.none')}</Empty>;
        return (
          <>
            <p>{t('consent.intro')}</p>
            <ul className="plain">
              {list.map((r) => (
                <li key={r.projectId} className="card inner" data-consent-project={r.projectId}>
                  <h3>{r.title}</h3>
                  <dl className="facts">
                    <dt>{t('project.purpose')}</dt>
                    <dd>{r.purpose}</dd>
                    <dt>{t('project.controllers')}</dt>
                    <dd>{r.dataControllers.join(', ')}</dd>
                    <dt>{t('consent.dataPeriod')}</dt>
                    <dd data-testid="consent-period">
                      {date(r.dataPeriod.from)} – {date(r.dataPeriod.to)}
                    </dd>
                    <dt>{t('consent.requestedAt')}</dt>
                    <dd>{date(r.requestedAt)}</dd>
                  </dl>
                  <h4>{t('consent.terms')}</h4>
                  <blockquote>
                    <p style={{ whiteSpace: 'pre-wrap' }}>{r.terms.text}</p>
                    <p className="hint">{t('consent.version', { version: r.terms.version })}</p>
                  </blockquote>
                  <p data-testid="consent-state">
                    <strong>{r.inForce ? t('consent.inForce', { since: date(r.since, true) }) : t('consent.notGiven')}</strong>
                  </p>
                  <div className="actions">
                    {r.inForce ? (
                      <button type="button" className="danger" onClick={() => setAsking({ request: r, give: false })} data-action="withdraw-consent">
                        {t('consent.withdraw')}
                      </button>
                    ) : r.projectStatus === 'active' ? (
                      <button type="button" onClick={() => setAsking({ request: r, give: true })} data-action="give-consent">
                        {t('consent.give')}
                      </button>
                    ) : (
                      <p className="hint">{t('consent.closed')}</p>
                    )}
                  </div>
                  {error?.projectId === r.projectId ? <ErrorView error={error.error} /> : null}
                  {r.history.length ? (
                    <details>
                      <summary>{t('consent.history')}</summary>
                      <ul>
                        {r.history.map((h, i) => (
                          <li key={i}>
                            {date(h.at, true)}: {h.action === 'give' ? t('consent.gave', { version: h.version }) : t('consent.withdrew')}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : null}
                </li>
              ))}
            </ul>
            <ConfirmDialog
              request={
                asking
                  ? asking.give
                    ? {
                        title: t('consent.confirmGiveTitle', { title: asking.request.title }),
                        text: t('consent.confirmGive', { from: date(asking.request.dataPeriod.from), to: date(asking.request.dataPeriod.to) }),
                        confirmLabel: t('consent.give'),
                      }
                    : {
                        title: t('consent.confirmWithdrawTitle', { title: asking.request.title }),
                        text: t('consent.confirmWithdraw'),
                        confirmLabel: t('consent.withdraw'),
                        danger: true,
                      }
                  : null
              }
              onConfirm={change}
              onCancel={() => setAsking(null)}
            />
          </>
        );
      }}
    </Loaded>
  );
}
