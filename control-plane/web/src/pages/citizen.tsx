/**
 * A citizen: consent requests, which projects received my data (with each project's data period
 * and whether my opt-out or my consent decides it), and my opt-out (reservasjon) — what it changes
 * and for which projects, asked before it is switched. Other parts add their sections here, one
 * line each.
 */
import { useState } from 'react';
import { LEGAL_BASES } from '../../../src/projects/legal-bases.ts';
import { CitizenConsents } from '../components/citizen-consents.tsx';
import { CitizenDialogue } from '../components/citizen-dialogue.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { Page, Section } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { OptOutStatus, ProjectUse, PublicProject } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

type Decides = 'opt-out' | 'consent' | 'neither';
const decides = (legalBasis: string): Decides => {
  const b = LEGAL_BASES[legalBasis as keyof typeof LEGAL_BASES];
  if (!b) return 'neither';
  return b.consent ? 'consent' : b.optOut ? 'opt-out' : 'neither';
};

function ProjectNames({ label, names, testId }: { label: string; names: string[]; testId: string }) {
  const { t } = useI18n();
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{names.length ? names.join(', ') : t('consent.noProjects')}</dd>
    </>
  );
}

function OptOutPanel() {
  const { t, date } = useI18n();
  const { announce } = useSession();
  const state = useApi<OptOutStatus>(EP.citizenOptOut);
  const register = useApi<PublicProject[]>(EP.publicProjects);
  const [asking, setAsking] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const active = (register.data ?? []).filter((p) => p.status === 'active');
  const by = (d: Decides) => active.filter((p) => decides(p.legalBasis) === d).map((p) => p.title);
  const honouring = by('opt-out');
  const set = async (optedOut: boolean) => {
    setAsking(null);
    setError(null);
    try {
      await api('PUT', EP.citizenOptOut, { optedOut });
      announce(t(optedOut ? 'citizen.optedOutOk' : 'citizen.withdrawnOk'));
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const list = honouring.join(', ');
  return (
    <Loaded state={state}>
      {(s) => (
        <div>
          <p data-testid="opt-out-state">
            <strong>{s.optedOut ? t('citizen.isOptedOut') : t('citizen.isNotOptedOut')}</strong>
            {s.optedOut && s.since ? ` (${date(s.since, true)})` : ''}
          </p>
          <p>{t('consent.optOutChanges')}</p>
          <dl className="facts">
            <ProjectNames label={t('consent.optOutProjects')} names={honouring} testId="opt-out-applies" />
            <ProjectNames label={t('consent.optOutNotProjects')} names={by('neither')} testId="opt-out-not" />
            <ProjectNames label={t('consent.consentProjects')} names={by('consent')} testId="opt-out-consent" />
          </dl>
          <div className="actions">
            <button type="button" role="switch" aria-checked={s.optedOut} onClick={() => setAsking(!s.optedOut)} data-action="toggle-opt-out">
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
          <ConfirmDialog
            request={
              asking === null
                ? null
                : asking
                  ? {
                      title: t('consent.confirmOptOutTitle'),
                      text: list ? t('consent.confirmOptOut', { projects: list }) : t('consent.confirmOptOutNone'),
                      confirmLabel: t('consent.confirm'),
                      danger: true,
                    }
                  : {
                      title: t('consent.confirmOptInTitle'),
                      text: list ? t('consent.confirmOptIn', { projects: list }) : t('consent.confirmOptInNone'),
                      confirmLabel: t('consent.confirm'),
                    }
            }
            onConfirm={() => asking !== null && set(asking)}
            onCancel={() => setAsking(null)}
          />
        </div>
      )}
    </Loaded>
  );
}

function Usage() {
  const { t, date } = useI18n();
  const usage = useApi<ProjectUse[]>(EP.citizenUsage);
  return (
    <Loaded state={usage}>
      {(list) => {
        if (!list.length) return <Empty>{t('citizen.noUsage')}</Empty>;
        return (
          <ul className="plain">
            {list.map((u) => {
              const d = decides(u.legalBasis);
              return (
                <li key={u.projectId} className="card inner" data-usage-project={u.projectId}>
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
                    <dt>{t('consent.dataPeriod')}</dt>
                    <dd>
                      {date(u.dataPeriod.from)} – {date(u.dataPeriod.to)}
                    </dd>
                    <dt>{t('consent.optOutApplies')}</dt>
                    <dd>{d === 'consent' ? t('consent.byConsent') : t(d === 'opt-out' ? 'common.yes' : 'common.no')}</dd>
                    <dt>{t('citizen.copyDates')}</dt>
                    <dd>{u.copies.map((c) => date(c.madeAt)).join(', ')}</dd>
                  </dl>
                </li>
              );
            })}
          </ul>
        );
      }}
    </Loaded>
  );
}

export function CitizenPage() {
  const { t } = useI18n();
  return (
    <Page title={t('nav.citizen')}>
      <Section title={t('consent.section')} id="consents">
        <CitizenConsents />
      </Section>
      <Section title={t('citizen.usage')} id="usage">
        <Usage />
      </Section>
      <Section title={t('citizen.optOut')} id="opt-out">
        <OptOutPanel />
      </Section>
      <CitizenDialogue />
    </Page>
  );
}
