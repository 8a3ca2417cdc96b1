/** The case handler's side of an open case: pre-screening, assignment, a request for information, the decision. */
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Application } from '../lib/types.ts';
import { DecideForm } from './case-decide.tsx';
import { TextStepForm } from './case-forms.tsx';
import { ErrorView } from './status.tsx';

function PrescreenForm({ app, onDone }: { app: Application; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const id = useId();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const outcome = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? 'complete';
    const text = String(new FormData(e.currentTarget).get('text') ?? '').trim();
    try {
      await api('POST', EP.caseStep(app.id, 'prescreening'), { outcome, ...(text ? { text } : {}) });
      setError(null);
      announce(t('case.prescreenOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-form="prescreening">
      <h3>{t('case.prescreen')}</h3>
      <label htmlFor={id}>{t('case.prescreenMissing')}</label>
      <textarea id={id} name="text" rows={2} maxLength={10_000} aria-describedby={error ? `${id}-err` : undefined} />
      <div className="actions">
        <button type="submit" value="complete" data-action="prescreen-complete">
          {t('case.prescreenComplete')}
        </button>
        <button type="submit" value="incomplete" data-action="prescreen-incomplete">
          {t('case.prescreenIncomplete')}
        </button>
      </div>
      {error ? (
        <div id={`${id}-err`}>
          <ErrorView error={error} />
        </div>
      ) : null}
    </form>
  );
}

function AssignForm({ app, onDone }: { app: Application; onDone(): void }) {
  const { t } = useI18n();
  const { me, announce } = useSession();
  const id = useId();
  const [error, setError] = useState<unknown>(null);
  const assign = async (userId: string) => {
    try {
      await api('POST', EP.caseStep(app.id, 'assignment'), { userId });
      setError(null);
      announce(t('case.assignOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void assign(String(new FormData(e.currentTarget).get('userId') ?? '').trim());
  };
  return (
    <form onSubmit={submit} className="grid-form" data-form="assignment">
      <label htmlFor={id}>{t('case.assignTo')}</label>
      <input id={id} name="userId" required maxLength={100} defaultValue={app.assignedTo ?? ''} aria-describedby={error ? `${id}-err` : undefined} />
      <span />
      <div className="actions">
        <button type="submit" data-action="assign">
          {t('case.assignSend')}
        </button>
        <button type="button" onClick={() => void assign(me.id)} data-action="assign-me">
          {t('case.assignMe')}
        </button>
      </div>
      {error ? (
        <div id={`${id}-err`}>
          <ErrorView error={error} />
        </div>
      ) : null}
    </form>
  );
}

export function CaseHandlerActions({ app, onDone }: { app: Application; onDone(): void }) {
  return (
    <>
      <AssignForm app={app} onDone={onDone} />
      {app.status === 'submitted' ? <PrescreenForm app={app} onDone={onDone} /> : null}
      {app.status !== 'awaiting_applicant' ? (
        <TextStepForm
          applicationId={app.id}
          step="info-requests"
          label="case.requestInfo"
          button="case.requestInfoSend"
          done="case.requestInfoOk"
          onDone={onDone}
        />
      ) : null}
      {app.status !== 'awaiting_applicant' ? <DecideForm app={app} onDone={onDone} /> : null}
    </>
  );
}
