/**
 * The auditors' search: words (all must occur in actor, action, object, project, reason or
 * details; searched by the server, bounded), the project picked by its title, person, action,
 * object, outcome and period. The export links carry exactly the filters of the search shown,
 * so the file holds every entry the search finds (all pages), with the hashes that chain them;
 * the export is itself audited with its filters.
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { ApiError, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import type { AuditPage as EntryPage, AuditProjects } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { EntriesTable } from './audit-entries.tsx';
import { ErrorView, Loaded } from './status.tsx';

const TEXT_FILTERS = ['actor', 'action', 'object'] as const;

/** The project picker: titles, each with its id for projects that share a title. */
export function ProjectSelect({ id, name, projects, allLabel }: { id: string; name: string; projects: AuditProjects; allLabel: string }) {
  return (
    <select id={id} name={name} defaultValue="">
      <option value="">{allLabel}</option>
      {projects.map((p) => (
        <option key={p.id} value={p.id}>
          {p.title} ({p.id})
        </option>
      ))}
    </select>
  );
}

export function AuditSearch({ projects, titles }: { projects: AuditProjects; titles: ReadonlyMap<string, string> }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<Record<string, string>>({});
  const [pages, setPages] = useState<number[]>([]);
  const res = useApi<EntryPage>(`${EP.auditEntries}${qs({ ...filter, after: pages.at(-1), limit: 50 })}`);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next: Record<string, string> = {};
    for (const k of ['q', ...TEXT_FILTERS, 'project', 'outcome']) if (String(f.get(k) ?? '').trim()) next[k] = String(f.get(k)).trim();
    if (f.get('from')) next.from = new Date(`${String(f.get('from'))}T00:00:00Z`).toISOString();
    // "To" is the whole day: entries before the next midnight.
    if (f.get('to')) next.to = new Date(new Date(`${String(f.get('to'))}T00:00:00Z`).getTime() + 86_400_000).toISOString();
    setPages([]);
    setFilter(next);
  };
  const tooBroad = res.error instanceof ApiError && res.error.reason === 'search_too_broad';
  return (
    <>
      <form onSubmit={submit} className="filter-form" role="search" aria-label={t('audit.search')}>
        <div className="wide">
          <label htmlFor="f-q">{t('audit.words')}</label>
          <input id="f-q" name="q" type="search" maxLength={200} aria-describedby="f-q-hint" />
          <span id="f-q-hint" className="hint">
            {t('audit.wordsHint')}
          </span>
        </div>
        <div>
          <label htmlFor="f-project">{t('audit.project')}</label>
          <ProjectSelect id="f-project" name="project" projects={projects} allLabel={t('common.all')} />
        </div>
        {TEXT_FILTERS.map((k) => (
          <div key={k}>
            <label htmlFor={`f-${k}`}>{t(`audit.${k}` as MessageKey)}</label>
            <input id={`f-${k}`} name={k} maxLength={200} />
          </div>
        ))}
        <div>
          <label htmlFor="f-outcome">{t('audit.outcome')}</label>
          <select id="f-outcome" name="outcome" defaultValue="">
            <option value="">{t('common.all')}</option>
            {['initiated', 'success', 'denied', 'failure'].map((o) => (
              <option key={o} value={o}>
                {t(`outcome.${o}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="f-from">{t('audit.from')}</label>
          <input id="f-from" name="from" type="date" />
        </div>
        <div>
          <label htmlFor="f-to">{t('audit.to')}</label>
          <input id="f-to" name="to" type="date" />
        </div>
        <div className="actions">
          <button type="submit" data-action="audit-search">
            {t('audit.searchButton')}
          </button>
        </div>
      </form>
      <div className="actions">
        <a className="button" href={`${EP.auditExport}${qs({ ...filter, format: 'csv' })}`} download data-action="audit-csv" aria-describedby="export-hint">
          {t('audit.csv')}
        </a>
        <a className="button" href={`${EP.auditExport}${qs({ ...filter, format: 'jsonl' })}`} download data-action="audit-jsonl" aria-describedby="export-hint">
          {t('audit.jsonl')}
        </a>
        <span id="export-hint" className="hint">
          {t('audit.csvHint')}
        </span>
      </div>
      {tooBroad ? (
        <p className="notice error" role="alert">
          {t('audit.tooBroad')}
        </p>
      ) : res.error ? (
        <ErrorView error={res.error} />
      ) : (
        <Loaded state={res}>
          {(p) => (
            <>
              <EntriesTable entries={p.entries} caption={t('audit.results')} titles={titles} />
              <div className="actions">
                {pages.length ? (
                  <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
                    {t('audit.previousPage')}
                  </button>
                ) : null}
                {p.next !== null ? (
                  <button type="button" onClick={() => setPages([...pages, p.next!])}>
                    {t('audit.nextPage')}
                  </button>
                ) : null}
              </div>
            </>
          )}
        </Loaded>
      )}
    </>
  );
}
