/**
 * The access administrators' screening of citizens' questions: forward a question to the
 * project's lead or reject it with a reason (it names a person, say), then deliver the lead's
 * answer to the citizen or return it to the lead. The queue shows the text, never who asked; an
 * administrator who is or was a member of the project sees it but cannot act (`canScreen`).
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, ApiError } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { ScreeningItem } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { LIMITS } from '../../../src/dialogue/limits.ts';
import { DialogueError, LONG_TEXT } from '../components/dialogue-parts.tsx';
import { Page, Section } from '../components/page.tsx';
import { Empty, Loaded } from '../components/status.tsx';

function ScreenForm({ item, onDone }: { item: ScreeningItem; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const answer = item.status === 'answered';
  const id = `screen-${item.id}`;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const decision = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? '';
    const reason = String(new FormData(e.currentTarget).get('reason') ?? '').trim();
    setError(null);
    setMissing(false);
    if ((decision === 'reject' || decision === 'return') && reason.length < 3) {
      setMissing(true);
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    try {
      await api('POST', answer ? EP.screenAnswer(item.id) : EP.screenQuestion(item.id), { decision, ...(reason ? { reason } : {}) });
      announce(t('dialogue.screenedOk'));
      onDone();
    } catch (err) {
      setError(err);
      // Another administrator was first: show the queue as it is now.
      if (err instanceof ApiError && err.reason === 'question_not_waiting') onDone();
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid={id}>
      <label htmlFor={`${id}-reason`}>{t('dialogue.reason')}</label>
      <textarea
        id={`${id}-reason`}
        name="reason"
        rows={2}
        maxLength={LIMITS.reason}
        aria-describedby={missing ? `${id}-missing` : error ? `${id}-error` : undefined}
        aria-invalid={missing || error ? true : undefined}
      />
      {missing ? (
        <p id={`${id}-missing`} role="alert" className="notice error">
          {t('dialogue.error.reasonNeeded')}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" value={answer ? 'deliver' : 'forward'} data-action={answer ? 'deliver' : 'forward'}>
          {t(answer ? 'dialogue.deliver' : 'dialogue.forward')}
        </button>
        <button type="submit" value={answer ? 'return' : 'reject'} className="danger" data-action={answer ? 'return' : 'reject'}>
          {t(answer ? 'dialogue.return' : 'dialogue.reject')}
        </button>
      </div>
      <DialogueError error={error} id={`${id}-error`} max={LIMITS.reason} />
    </form>
  );
}

function Item({ item, onDone }: { item: ScreeningItem; onDone(): void }) {
  const { t, date } = useI18n();
  const waiting = item.status === 'screening' || item.status === 'answered';
  return (
    <li className="card inner" data-question={item.id}>
      <h3>{item.projectTitle}</h3>
      <p className="muted">
        {t('dialogue.question', { id: item.id })} · {date(item.submittedAt)} · {t(`dialogue.status.${item.status}` as MessageKey)}
      </p>
      <p style={LONG_TEXT}>{item.text}</p>
      {item.answer ? (
        <>
          <p>
            <strong>{t('dialogue.leadAnswer')}:</strong>
          </p>
          <p style={LONG_TEXT}>{item.answer}</p>
        </>
      ) : null}
      {item.rejectReason ? <p className="notice">{t('dialogue.rejectReason', { reason: item.rejectReason })}</p> : null}
      {waiting && item.canScreen ? <ScreenForm item={item} onDone={onDone} /> : null}
      {waiting && !item.canScreen ? <p className="notice">{t('dialogue.notIndependent')}</p> : null}
    </li>
  );
}

export function AdminQuestionsPage() {
  const { t } = useI18n();
  const state = useApi<ScreeningItem[]>(EP.adminQuestions);
  return (
    <Page title={t('nav.adminQuestions')}>
      <p>{t('dialogue.adminIntro')}</p>
      <Loaded state={state}>
        {(list) => {
          const waiting = list.filter((x) => x.status === 'screening' || x.status === 'answered');
          const handled = list.filter((x) => !waiting.includes(x));
          return (
            <>
              <Section title={t('dialogue.toScreen')} id="to-screen">
                {waiting.length ? (
                  <ul className="plain" data-testid="to-screen">
                    {waiting.map((x) => (
                      <Item key={x.id} item={x} onDone={state.reload} />
                    ))}
                  </ul>
                ) : (
                  <Empty>{t('dialogue.noScreening')}</Empty>
                )}
              </Section>
              <Section title={t('dialogue.handled')} id="handled">
                {handled.length ? (
                  <ul className="plain" data-testid="handled">
                    {handled.map((x) => (
                      <Item key={x.id} item={x} onDone={state.reload} />
                    ))}
                  </ul>
                ) : (
                  <Empty>{t('dialogue.noHandled')}</Empty>
                )}
              </Section>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}
