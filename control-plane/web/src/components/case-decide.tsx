/**
 * The access body's last steps: the decision (approve or reject, always with a reason, and the
 * legal references it rests on, which the applicant reads), then the permit from an approved
 * application.
 */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Application, Permit } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { ErrorView } from './status.tsx';

export function DecideForm({ app, onDone }: { app: Application; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const decision = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? 'approve';
    const legalReferences = String(f.get('legalReferences') ?? '')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      await api('POST', EP.decide(app.id), { decision, reason: String(f.get('reason')), legalReferences });
      announce(t(decision === 'approve' ? 'app.approvedOk' : 'app.rejectedOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-form="decide">
      <label htmlFor={`reason-${app.id}`}>{t('app.decisionReason')}</label>
      <textarea id={`reason-${app.id}`} name="reason" required minLength={3} maxLength={5000} rows={2} />
      <label htmlFor={`refs-${app.id}`}>{t('case.legalRefsInput')}</label>
      <textarea id={`refs-${app.id}`} name="legalReferences" rows={2} maxLength={4000} />
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

export function IssueForm({ app, onDone }: { app: Application; onDone(): void }) {
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
