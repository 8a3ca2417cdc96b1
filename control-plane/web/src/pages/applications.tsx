/**
 * Applications: a lead follows their own (each card shows cohort, linkage, periods and
 * controllers, and follows the application to its permit and first copy; an open one can be
 * withdrawn); an access administrator works the queue, open cases first by due date with the
 * overdue flagged, decides (always with a reason, and the legal references) and issues the
 * permit. The dialogue itself is on the case page (`application.tsx`).
 */
import { useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { Link } from '../lib/router.tsx';
import type { Application, CaseDetail } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { DecideForm, IssueForm } from '../components/case-decide.tsx';
import { CaseFacts } from '../components/case-facts.tsx';
import { TextStepForm } from '../components/case-forms.tsx';
import { CaseProgress } from '../components/case-progress.tsx';
import { Page } from '../components/page.tsx';
import { Empty, Loaded } from '../components/status.tsx';

const STATUSES = ['submitted', 'in_assessment', 'awaiting_applicant', 'approved', 'rejected', 'withdrawn'] as const;
const isOpen = (a: Application) => a.status === 'submitted' || a.status === 'in_assessment' || a.status === 'awaiting_applicant';

/** An approved application's way on: its permit and the first data copy (read from the case). */
function CardProgress({ app }: { app: Application }) {
  const detail = useApi<CaseDetail>(EP.caseOf(app.id));
  return detail.data ? <CaseProgress detail={detail.data} /> : null;
}

function ApplicationCard({ app, mode, onChange }: { app: Application; mode: 'lead' | 'admin'; onChange(): void }) {
  const { t } = useI18n();
  const b = app.body;
  return (
    <li className={`card inner${app.overdue ? ' overdue' : ''}`} data-application={app.id}>
      <h2>
        {b.kind === 'new' ? b.project.title : t('app.amendmentOf', { id: app.projectId })}{' '}
        <span className={`badge status-${app.status}`}>{t(`appStatus.${app.status}` as MessageKey)}</span>
        {app.overdue ? (
          <>
            {' '}
            <span className="badge bad" data-testid="overdue">
              {t('case.overdue')}
            </span>
          </>
        ) : null}
      </h2>
      <CaseFacts app={app} />
      {app.status === 'approved' ? <CardProgress app={app} /> : null}
      <p className="actions">
        <Link href={`/applications/${app.id}`} data-action="open-case">
          {t('case.open')}
        </Link>
        {app.status !== 'submitted' && app.status !== 'withdrawn' && mode === 'lead' ? (
          <Link href={`/projects/${app.projectId}`}>{t('app.openProject')}</Link>
        ) : null}
      </p>
      {mode === 'lead' && isOpen(app) ? (
        <details className="withdraw">
          <summary>{t('case.withdraw')}</summary>
          <TextStepForm
            applicationId={app.id}
            step="withdrawal"
            field="reason"
            required={false}
            label="case.withdrawReason"
            button="case.withdraw"
            done="case.withdrawOk"
            confirm="case.withdrawConfirm"
            danger
            onDone={onChange}
          />
        </details>
      ) : null}
      {mode === 'admin' && (app.status === 'submitted' || app.status === 'in_assessment') ? <DecideForm app={app} onDone={onChange} /> : null}
      {mode === 'admin' && app.status === 'approved' ? <IssueForm app={app} onDone={onChange} /> : null}
    </li>
  );
}

/** Open cases first, by due date (the queue's order); then approved (a permit may be due), then the rest, newest first. */
function ordered(list: Application[]): Application[] {
  const rank = (a: Application) => (isOpen(a) ? 0 : a.status === 'approved' ? 1 : 2);
  return [...list].sort((a, b) => rank(a) - rank(b) || (isOpen(a) ? a.dueAt.localeCompare(b.dueAt) : b.submittedAt.localeCompare(a.submittedAt)));
}

export function ApplicationsPage({ mode }: { mode: 'lead' | 'admin' }) {
  const { t } = useI18n();
  const [status, setStatus] = useState('');
  const apps = useApi<Application[]>(`${EP.applications}${qs({ status })}`);
  return (
    <Page title={t(mode === 'admin' ? 'nav.adminApplications' : 'nav.myApplications')}>
      <div className="filters">
        <label htmlFor="status-filter">{t('app.filterStatus')}</label>
        <select id="status-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">{t('common.all')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`appStatus.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {mode === 'admin' ? <p className="muted">{t('case.queueOrder')}</p> : null}
      <Loaded state={apps}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('app.none')}</Empty>
          ) : (
            <ul className="plain">
              {ordered(list).map((a) => (
                <ApplicationCard key={a.id} app={a} mode={mode} onChange={apps.reload} />
              ))}
            </ul>
          )
        }
      </Loaded>
    </Page>
  );
}
