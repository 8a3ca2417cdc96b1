/**
 * The small forms of the case dialogue: one text and one button (a message, a request for
 * information, an answer), and an attachment (type and file; the server types it by its bytes).
 * Errors are announced beside the form (`role="alert"`, tied with `aria-describedby`).
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, upload } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import { ErrorView } from './status.tsx';

type Step = Parameters<typeof EP.caseStep>[1];

export function TextStepForm(props: {
  applicationId: string;
  step: Step;
  field?: 'text' | 'reason';
  label: MessageKey;
  button: MessageKey;
  done: MessageKey;
  required?: boolean;
  danger?: boolean;
  confirm?: MessageKey;
  onDone(): void;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const { announce } = useSession();
  const id = useId();
  const [error, setError] = useState<unknown>(null);
  const field = props.field ?? 'text';
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    if (props.confirm && !window.confirm(t(props.confirm))) return;
    const value = String(new FormData(form).get(field) ?? '').trim();
    try {
      await api('POST', EP.caseStep(props.applicationId, props.step), value ? { [field]: value } : {});
      setError(null);
      form.reset();
      announce(t(props.done));
      props.onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-form={props.step}>
      <label htmlFor={id}>{t(props.label)}</label>
      <textarea id={id} name={field} rows={3} maxLength={10_000} required={props.required ?? true} aria-describedby={error ? `${id}-err` : undefined} />
      {props.children}
      <div className="actions">
        <button type="submit" className={props.danger ? 'danger' : undefined} data-action={props.step}>
          {t(props.button)}
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

const TYPES = ['ethics_approval', 'protocol', 'dpia', 'other'] as const;

export function AttachForm({ applicationId, onDone }: { applicationId: string; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const id = useId();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const file = f.get('file');
    if (!(file instanceof File) || file.size === 0) return;
    try {
      await upload(EP.caseAttach(applicationId, String(f.get('type')), file.name), file);
      setError(null);
      form.reset();
      announce(t('case.attachOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="grid-form" data-form="attach">
      <label htmlFor={`${id}-type`}>{t('case.attachType')}</label>
      <select id={`${id}-type`} name="type" defaultValue="ethics_approval">
        {TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`case.type.${type}`)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-file`}>{t('case.attachFile')}</label>
      <input
        id={`${id}-file`}
        name="file"
        type="file"
        required
        accept="application/pdf,image/png,image/jpeg,text/plain,.txt,.md"
        aria-describedby={error ? `${id}-err` : undefined}
      />
      <span />
      <button type="submit" data-action="attach">
        {t('case.attachSend')}
      </button>
      {error ? (
        <div id={`${id}-err`}>
          <ErrorView error={error} />
        </div>
      ) : null}
    </form>
  );
}
