/** Pieces the dialogue's views share: a project's published texts, a localised error tied to its form, a checked text field. */
import type { ReactNode } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { ApiError } from '../lib/api.ts';
import type { ProjectPublications } from '../lib/types.ts';
import { ErrorView } from './status.tsx';

type Text = NonNullable<ProjectPublications['summary']>;

/** Written text keeps its paragraphs, and a long word or address wraps instead of scrolling sideways at 390 px. */
export const LONG_TEXT = { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' } as const;

/** A DOI is shown as its doi.org address; anything else is the https address the server checked. */
export function publicationHref(link: string): string {
  return link.startsWith('10.') ? `https://doi.org/${link}` : link;
}

function OneText({ title, text, none }: { title: string; text: Text | null; none: string }) {
  const { t, date } = useI18n();
  return (
    <>
      <dt>{title}</dt>
      <dd>
        {text ? (
          <>
            <p style={LONG_TEXT}>{text.text}</p>
            {text.link ? (
              <p>
                {t('dialogue.publication')}:{' '}
                <a href={publicationHref(text.link)} rel="noopener noreferrer" style={LONG_TEXT}>
                  {text.link}
                </a>
              </p>
            ) : null}
            <p className="muted">{t('dialogue.published', { date: date(text.publishedAt), v: text.version })}</p>
          </>
        ) : (
          <span className="muted">{none}</span>
        )}
      </dd>
    </>
  );
}

/** The latest summary and results of a project, as the public and citizens see them. */
export function PublicationTexts({ texts }: { texts: ProjectPublications | undefined }) {
  const { t } = useI18n();
  return (
    <dl className="facts" data-testid="publication-texts">
      <OneText title={t('dialogue.summary')} text={texts?.summary ?? null} none={t('dialogue.noSummary')} />
      <OneText title={t('dialogue.results')} text={texts?.results ?? null} none={t('dialogue.noResults')} />
    </dl>
  );
}

const KNOWN: readonly string[] = ['questions_per_day', 'questions_open', 'no_permit_yet', 'no_results_yet', 'member_of_project', 'question_not_waiting'];

/** A refusal in the page's language where the dialogue knows its reason; announced, with an id its form points to. */
export function DialogueError({ error, id, max }: { error: unknown; id: string; max: number }) {
  const { t } = useI18n();
  if (!error) return null;
  if (error instanceof ApiError && error.reason && KNOWN.includes(error.reason))
    return (
      <p id={id} role="alert" className="notice error">
        {t(`dialogue.error.${error.reason}` as MessageKey)}
      </p>
    );
  if (error instanceof ApiError && error.kind === 'input')
    return (
      <p id={id} role="alert" className="notice error">
        {t('dialogue.error.input', { n: max })}
      </p>
    );
  return (
    <div id={id}>
      <ErrorView error={error} />
    </div>
  );
}

/** A labelled text area the browser checks (3 to `max` characters), with its hint and the form's error tied to it. */
export function TextField(props: { id: string; label: string; max: number; rows?: number; errorId?: string | undefined; defaultValue?: string }): ReactNode {
  const { t } = useI18n();
  const hint = `${props.id}-hint`;
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        name="text"
        required
        minLength={3}
        maxLength={props.max}
        rows={props.rows ?? 4}
        defaultValue={props.defaultValue}
        aria-describedby={props.errorId ? `${hint} ${props.errorId}` : hint}
        aria-invalid={props.errorId ? true : undefined}
      />
      <p id={hint} className="hint">
        {t('dialogue.lengthHint', { n: props.max })}
      </p>
    </>
  );
}
