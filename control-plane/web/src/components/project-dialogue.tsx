/**
 * The project's side of the dialogue: its plain-language summary and results with every version
 * (the lead publishes, members read), and for the lead the citizens' questions forwarded by an
 * access administrator: the question's id and text, never who asked.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { LeadQuestion, PublicationHistory } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { LIMITS } from '../../../src/dialogue/limits.ts';
import { DialogueError, LONG_TEXT, publicationHref, TextField } from './dialogue-parts.tsx';
import { Empty, Loaded } from './status.tsx';

type Kind = 'summary' | 'results';

function PublishForm({ projectId, kind, current, onDone }: { projectId: string; kind: Kind; current: string | undefined; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const id = `publish-${kind}`;
  const max = kind === 'summary' ? LIMITS.summary : LIMITS.results;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const link = String(f.get('link') ?? '').trim();
    setError(null);
    try {
      await api('POST', EP.publish(projectId, kind), { text: String(f.get('text')), ...(link ? { link } : {}) });
      announce(t('dialogue.publishedOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid={id}>
      <TextField
        id={`${id}-text`}
        label={t(kind === 'summary' ? 'dialogue.summaryText' : 'dialogue.resultsText')}
        max={max}
        defaultValue={current}
        errorId={error ? `${id}-error` : undefined}
      />
      {kind === 'results' ? (
        <>
          <label htmlFor={`${id}-link`}>{t('dialogue.link')}</label>
          <input id={`${id}-link`} name="link" maxLength={LIMITS.link} pattern={'10\\.[0-9]{4,9}/\\S+|https://\\S+'} aria-describedby={`${id}-link-hint`} />
          <p id={`${id}-link-hint`} className="hint">
            {t('dialogue.linkHint')}
          </p>
        </>
      ) : null}
      <button type="submit" data-action={id}>
        {t(kind === 'summary' ? 'dialogue.publishSummary' : 'dialogue.publishResults')}
      </button>
      <DialogueError error={error} id={`${id}-error`} max={max} />
    </form>
  );
}

function Versions({ list }: { list: PublicationHistory['summaries'] }) {
  const { t, date } = useI18n();
  if (!list.length) return null;
  return (
    <details>
      <summary>{t('dialogue.history')}</summary>
      <ol reversed>
        {list.map((v) => (
          <li key={v.version}>
            <p className="muted">{t('dialogue.published', { date: date(v.publishedAt, true), v: v.version })}</p>
            <p style={LONG_TEXT}>{v.text}</p>
            {v.link ? (
              <p>
                <a href={publicationHref(v.link)} rel="noopener noreferrer" style={LONG_TEXT}>
                  {v.link}
                </a>
              </p>
            ) : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

function AnswerForm({ projectId, q, onDone }: { projectId: string; q: LeadQuestion; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const id = `answer-${q.id}`;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', EP.answerQuestion(projectId, q.id), { text: String(new FormData(e.currentTarget).get('text')) });
      announce(t('dialogue.answeredOk'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <TextField id={`${id}-text`} label={t('dialogue.yourAnswer')} max={LIMITS.answer} errorId={error ? `${id}-error` : undefined} />
      <button type="submit" data-action="answer">
        {t('dialogue.sendAnswer')}
      </button>
      <DialogueError error={error} id={`${id}-error`} max={LIMITS.answer} />
    </form>
  );
}

function LeadQuestions({ projectId }: { projectId: string }) {
  const { t, date } = useI18n();
  const state = useApi<LeadQuestion[]>(EP.projectQuestions(projectId));
  return (
    <>
      <h3>{t('dialogue.questions')}</h3>
      <p>{t('dialogue.questionsIntro')}</p>
      <Loaded state={state}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('dialogue.noQuestions')}</Empty>
          ) : (
            <ul className="plain" data-testid="lead-questions">
              {list.map((q) => (
                <li key={q.id} className="card inner">
                  <h4>{t('dialogue.question', { id: q.id })}</h4>
                  <p style={LONG_TEXT}>{q.text}</p>
                  <p className="muted">
                    {t('projects.status')}: {t(`dialogue.status.${q.status}` as MessageKey)} ({date(q.forwardedAt)})
                  </p>
                  {q.answer ? (
                    <>
                      <p>
                        <strong>{t('dialogue.answer')}:</strong>
                      </p>
                      <p style={LONG_TEXT}>{q.answer}</p>
                    </>
                  ) : null}
                  {q.returnReason ? (
                    <p className="notice" role="status">
                      {t('dialogue.returned', { reason: q.returnReason })}
                    </p>
                  ) : null}
                  {q.status === 'forwarded' ? <AnswerForm projectId={projectId} q={q} onDone={state.reload} /> : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </>
  );
}

export function ProjectDialogue({ projectId, isLead }: { projectId: string; isLead: boolean }) {
  const { t } = useI18n();
  const state = useApi<PublicationHistory>(EP.projectPublications(projectId));
  return (
    <div data-testid="project-dialogue">
      <Loaded state={state}>
        {(h) => (
          <>
            {(['summary', 'results'] as const).map((kind) => {
              const list = kind === 'summary' ? h.summaries : h.results;
              const may = kind === 'summary' ? h.canPublishSummary : h.canPublishResults;
              return (
                <div key={kind}>
                  <h3>{t(kind === 'summary' ? 'dialogue.summary' : 'dialogue.results')}</h3>
                  {list[0] ? (
                    <p style={LONG_TEXT}>{list[0].text}</p>
                  ) : (
                    <p className="muted">{t(kind === 'summary' ? 'dialogue.noSummary' : 'dialogue.noResults')}</p>
                  )}
                  <Versions list={list} />
                  {isLead ? (
                    <>
                      <p className="hint">{t(kind === 'summary' ? 'dialogue.summaryIntro' : 'dialogue.resultsIntro')}</p>
                      {may ? (
                        <PublishForm projectId={projectId} kind={kind} current={list[0]?.text} onDone={state.reload} />
                      ) : (
                        <p className="muted">{t(kind === 'summary' ? 'dialogue.summaryNotYet' : 'dialogue.resultsNotYet')}</p>
                      )}
                    </>
                  ) : null}
                </div>
              );
            })}
          </>
        )}
      </Loaded>
      {isLead ? <LeadQuestions projectId={projectId} /> : null}
    </div>
  );
}
