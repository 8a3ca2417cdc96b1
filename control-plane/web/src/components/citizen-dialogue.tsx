/**
 * The citizen's side of the dialogue: what the projects that used my data publish about their
 * work, a question to any project in the public register (through an access administrator,
 * without my name), and my questions with their answers.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { MyQuestion, ProjectPublications, PublicProject } from '../lib/types.ts';
import { useApi, type Loaded as ApiState } from '../lib/use-api.ts';
import { LIMITS } from '../../../src/dialogue/limits.ts';
import { DialogueError, LONG_TEXT, PublicationTexts, TextField } from './dialogue-parts.tsx';
import { Section } from './page.tsx';
import { Empty, Loaded } from './status.tsx';

function AskForm({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const projects = useApi<PublicProject[]>(EP.publicProjects);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      await api('POST', EP.citizenQuestions, { projectId: String(f.get('projectId')), text: String(f.get('text')) });
      announce(t('dialogue.askedOk'));
      form.reset();
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack" data-testid="ask-question">
      <p>{t('dialogue.askIntro')}</p>
      <label htmlFor="ask-project">{t('dialogue.project')}</label>
      <select id="ask-project" name="projectId" required defaultValue="">
        <option value="" disabled>
          {t('dialogue.chooseProject')}
        </option>
        {(projects.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.title}
          </option>
        ))}
      </select>
      <TextField id="ask-text" label={t('dialogue.yourQuestion')} max={LIMITS.question} errorId={error ? 'ask-error' : undefined} />
      <button type="submit" data-action="ask">
        {t('dialogue.send')}
      </button>
      <DialogueError error={error} id="ask-error" max={LIMITS.question} />
    </form>
  );
}

function MyQuestions({ state }: { state: ApiState<MyQuestion[]> }) {
  const { t, date } = useI18n();
  return (
    <Loaded state={state}>
      {(list) =>
        list.length === 0 ? (
          <Empty>{t('dialogue.noMyQuestions')}</Empty>
        ) : (
          <ul className="plain" data-testid="my-questions">
            {list.map((q) => (
              <li key={q.id} className="card inner">
                <h4>{q.projectTitle}</h4>
                <p className="muted">
                  {t('dialogue.asked', { date: date(q.submittedAt) })} · {t('projects.status')}: {t(`dialogue.status.${q.status}` as MessageKey)}
                </p>
                <p style={LONG_TEXT}>{q.text}</p>
                {q.rejectReason ? <p className="notice">{t('dialogue.rejectReason', { reason: q.rejectReason })}</p> : null}
                {q.answer ? (
                  <>
                    <p>
                      <strong>{t('dialogue.answer')}:</strong>
                    </p>
                    <p style={LONG_TEXT} data-testid="answer">
                      {q.answer}
                    </p>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}

export function CitizenDialogue() {
  const { t } = useI18n();
  const texts = useApi<ProjectPublications[]>(EP.citizenPublications);
  const mine = useApi<MyQuestion[]>(EP.citizenQuestions);
  return (
    <>
      <Section title={t('dialogue.citizenTexts')} id="dialogue-texts">
        <Loaded state={texts}>
          {(list) =>
            list.length === 0 ? (
              <Empty>{t('dialogue.noTexts')}</Empty>
            ) : (
              <ul className="plain" data-testid="citizen-texts">
                {list.map((p) => (
                  <li key={p.projectId} className="card inner">
                    <h3>{p.title}</h3>
                    <PublicationTexts texts={p} />
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </Section>
      <Section title={t('dialogue.ask')} id="dialogue">
        <AskForm onDone={mine.reload} />
        <h3>{t('dialogue.myQuestions')}</h3>
        <MyQuestions state={mine} />
      </Section>
    </>
  );
}
