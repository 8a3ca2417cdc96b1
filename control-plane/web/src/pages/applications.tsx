/**
 * Applications: a lead follows their own and the decisions; an access administrator decides
 * (approve or reject, always with a reason) and issues the permit from an approved application.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import type { Application, Permit } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Page } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

function DecideForm({ app, onDone }: { app: Application; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const decision = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? 'approve';
    try {
      await api('POST', EP.decide(app.id), { decision, reason: String(f.get('reason')) });
      announce(t(decision === 'approve' ? 'app.approvedOk' : 'app.rejectedOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <label htmlFor={`reason-${app.id}`}>{t('app.decisionReason')}</label>
      <textarea id={`reason-${app.id}`} name="reason" required minLength={3} rows={2} />
      <div className="actions">
        <button type="submit" value="approve" data-action="approve">
          {t('app.approve')}
        </button>
        <button type="submit" value="reject" className="danger" data-action="reject">
          {t('app.reject')}
        </button>
      </div>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

function IssueForm({ app, onDone }: { app: Application; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const versions = useApi<Permit[]>(EP.permitVersions(app.projectId));
  const [error, setError] = useState<unknown>(null);
  const issued = versions.data?.find((p) => p.applicationId === app.id);
  if (versions.loading && !versions.data) return null;
  if (issued) return <p>{t('app.permitIssued', { id: issued.id, v: issued.version })}</p>;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      await api('POST', EP.issuePermit, {
        applicationId: app.id,
        expiresAt: new Date(`${String(f.get('expires'))}T23:59:59Z`).toISOString(),
        reason: String(f.get('reason') || 'as applied for'),
      });
      announce(t('app.issuedOk'));
      versions.reload();
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="grid-form">
      <label htmlFor={`exp-${app.id}`}>{t('app.permitExpires')}</label>
      <input id={`exp-${app.id}`} name="expires" type="date" required />
      <label htmlFor={`ir-${app.id}`}>{t('app.issueReason')}</label>
      <input id={`ir-${app.id}`} name="reason" />
      <span />
      <button type="submit" data-action="issue-permit">
        {t('app.issue')}
      </button>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

function ApplicationCard({ app, mode, onChange }: { app: Application; mode: 'lead' | 'admin'; onChange(): void }) {
  const { t, date } = useI18n();
  const b = app.body;
  return (
    <li className="card inner" data-application={app.id}>
      <h2>
        {b.kind === 'new' ? b.project.title : t('app.amendmentOf', { id: app.projectId })}{' '}
        <span className={`badge status-${app.status}`}>{t(`appStatus.${app.status}` as MessageKey)}</span>
      </h2>
      <dl className="facts">
        <dt>{t('app.kind')}</dt>
        <dd>
          {t(app.kind === 'new' ? 'apply.kindNew' : 'apply.kindAmendment')} · {t(`caseType.${app.caseType}` as MessageKey)}
        </dd>
        <dt>{t('app.submitted')}</dt>
        <dd>
          {date(app.submittedAt, true)} · {app.submittedBy}
        </dd>
        {b.kind === 'new' ? (
          <>
            <dt>{t('project.purpose')}</dt>
            <dd>{b.project.purpose}</dd>
            <dt>{t('permit.legalBasis')}</dt>
            <dd>{t(`legalBasis.${b.project.legalBasis}` as MessageKey)}</dd>
            <dt>{t('project.ethics')}</dt>
            <dd>{b.project.ethicsRef ?? '—'}</dd>
          </>
        ) : null}
        {b.kind === 'amendment' ? (
          <>
            <dt>{t('apply.justification')}</dt>
            <dd>{b.justification}</dd>
          </>
        ) : null}
        <dt>{t('permit.period')}</dt>
        <dd>
          {date(b.period.from)} – {date(b.period.to)}
        </dd>
        <dt>{t('permit.datasets')}</dt>
        <dd>{b.datasets.map((d) => `${d.dataset} (${d.variables.join(', ')})`).join('; ')}</dd>
        {b.members.length ? (
          <>
            <dt>{t('apply.members')}</dt>
            <dd>{b.members.map((m) => m.userId).join(', ')}</dd>
          </>
        ) : null}
        {app.decidedAt ? (
          <>
            <dt>{t('app.decision')}</dt>
            <dd>
              {date(app.decidedAt, true)} · {app.decidedBy}: {app.decisionReason}
            </dd>
          </>
        ) : null}
      </dl>
      {app.status !== 'submitted' && app.status !== 'withdrawn' && mode === 'lead' ? (
        <p>
          <Link href={`/projects/${app.projectId}`}>{t('app.openProject')}</Link>
        </p>
      ) : null}
      {mode === 'admin' && app.status === 'submitted' ? <DecideForm app={app} onDone={onChange} /> : null}
      {mode === 'admin' && app.status === 'approved' ? <IssueForm app={app} onDone={onChange} /> : null}
    </li>
  );
}

/** Waiting for a decision first, then approved (a permit may be due), newest first within each. */
function ordered(list: Application[]): Application[] {
  const rank = { submitted: 0, approved: 1, rejected: 2, withdrawn: 3 } as const;
  return [...list].sort((a, b) => rank[a.status] - rank[b.status] || b.submittedAt.localeCompare(a.submittedAt));
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
          {['submitted', 'approved', 'rejected', 'withdrawn'].map((s) => (
            <option key={s} value={s}>
              {t(`appStatus.${s}` as MessageKey)}
            </option>
          ))}
        </select>
      </div>
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
