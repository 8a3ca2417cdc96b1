/**
 * One export request: files with their hashes and automated results (a checked table shows its
 * failing cells by rule), the reviews as far as the viewer may see them (sealed: who has decided,
 * never what, until all required reviewers have), the history, and for the requester the
 * downloads once approved.
 */
import type { ReactNode } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { ExportDetail, ExportFile, Review } from '../lib/types.ts';
import { CheckedTable } from './checked-table.tsx';

export function statusLabel(t: (k: MessageKey) => string, family: 'exportStatus' | 'check' | 'decision' | 'event', status: string): string {
  const k = `${family}.${status}` as MessageKey;
  const s = t(k);
  return s === k ? status : s;
}

/** A review's decisions per file, with their comments. */
function FileDecisions({ review }: { review: Review }) {
  const { t } = useI18n();
  if (!review.files?.length) return null;
  return (
    <ul data-file-decisions="">
      {review.files.map((f) => (
        <li key={f.file} data-file-decision={`${f.file}:${f.decision}`}>
          <code>{f.file}</code>: {statusLabel(t, 'decision', f.decision)}
          {f.comment ? ` — ${f.comment}` : ''}
        </li>
      ))}
    </ul>
  );
}

function FileResult({ exp, file, downloads, extra }: { exp: ExportDetail; file: ExportFile; downloads: boolean; extra?: ReactNode }) {
  const { t, num } = useI18n();
  const table = file.checks?.table;
  const findings = file.checks?.file?.findings ?? [];
  return (
    <li className="card inner" data-file={file.name}>
      <p>
        <code>{file.name}</code> · {t('export.bytes', { n: num(file.sizeBytes) })} · {file.contentType} · {t('export.autoResult')}:{' '}
        <span className={`badge check-${file.checkStatus}`} data-check-status={file.checkStatus}>
          {statusLabel(t, 'check', file.checkStatus)}
        </span>
      </p>
      {file.description ? <p>{file.description}</p> : null}
      {file.origin ? (
        <p className="small" data-origin={file.origin.notebook}>
          {t('export.madeBy')} <code>{file.origin.notebook}</code> <span className="muted">({t('export.recordedIn', { file: file.origin.record })})</span>
        </p>
      ) : null}
      <p className="muted small">
        {t('copies.sha256')} <code className="hash">{file.sha256}</code>
      </p>
      {findings.length ? (
        <ul className="findings">
          {findings.map((f, j) => (
            <li key={j}>
              {f.check === 'row-level' ? (
                // One finding for the whole file saying what it is ("row-level data: 718 rows"); the server's message says why.
                <strong data-finding="row-level" title={f.message}>
                  {'rows' in f && f.rows !== undefined ? t('finding.rowLevel', { n: num(f.rows) }) : f.message}
                </strong>
              ) : (
                <>
                  <strong>{t(`finding.${f.check}` as MessageKey) === `finding.${f.check}` ? f.check : t(`finding.${f.check}` as MessageKey)}</strong>
                  {'line' in f ? ` (${t('export.line', { n: f.line })})` : ''}
                  {'message' in f ? `: ${f.message}` : ''}
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {table ? <CheckedTable check={table} caption={file.name} overall={file.checkStatus} /> : null}
      {table?.match && !table.match.matches ? <p className="notice">{t('export.tableMismatch')}</p> : null}
      {extra}
      {downloads && exp.status === 'approved' ? (
        <a className="button" href={EP.exportDownload(exp.id, file.id)} download data-action="download">
          {t('export.download')} <span className="visually-hidden">{file.name}</span>
        </a>
      ) : null}
    </li>
  );
}

/** `fileExtra`: what a page adds under each file (the review page: the file itself and the decision on it). */
export function ExportView({ exp, downloads, fileExtra }: { exp: ExportDetail; downloads: boolean; fileExtra?: (file: ExportFile) => ReactNode }) {
  const { t, date } = useI18n();
  const r = exp.reviews;
  return (
    <div className="export" data-export={exp.id} data-status={exp.status}>
      <dl className="facts">
        <dt>{t('export.project')}</dt>
        <dd data-project={exp.projectId}>{exp.projectTitle}</dd>
        <dt>{t('export.provenance')}</dt>
        <dd data-provenance="">
          {exp.provenance.permit ? t('export.permitVersion', { id: exp.provenance.permit.id, version: exp.provenance.permit.version }) : t('export.noPermit')}
          {' · '}
          {exp.provenance.copyVersion ? t('export.copyVersion', { version: exp.provenance.copyVersion }) : t('export.noCopy')}
          {exp.provenance.tableCopyVersions.length ? ` · ${t('export.tablesOnCopies', { versions: exp.provenance.tableCopyVersions.join(', ') })}` : ''}
        </dd>
        <dt>{t('export.status')}</dt>
        <dd>
          <span className={`badge status-${exp.status}`}>{statusLabel(t, 'exportStatus', exp.status)}</span> · {t('export.autoResult')}:{' '}
          {statusLabel(t, 'check', exp.checksStatus)}
        </dd>
        <dt>{t('export.purpose')}</dt>
        <dd>{exp.purpose}</dd>
        <dt>{t('export.requestedBy')}</dt>
        <dd>
          {exp.requestedBy} · {date(exp.createdAt, true)}
        </dd>
        {exp.version > 1 ? (
          <>
            <dt>{t('export.version')}</dt>
            <dd>
              {exp.version} ({exp.versions.join(' → ')})
            </dd>
          </>
        ) : null}
        <dt>{t('export.reviews')}</dt>
        <dd>
          {r.sealed ? (
            <>
              {t('export.reviewCount', { done: r.decided.length, needed: r.required })}
              <ul>
                {r.decided.map((d, i) => (
                  <li key={i} data-review="sealed">
                    {d.reviewer}: {t('export.decidedHidden')}
                  </li>
                ))}
                {r.mine ? (
                  <li>
                    {t('export.yourDecision')}: {statusLabel(t, 'decision', r.mine.decision)}
                    {r.mine.reason ? ` — ${r.mine.reason}` : ''}
                    <FileDecisions review={r.mine} />
                  </li>
                ) : null}
              </ul>
            </>
          ) : r.reviews.length === 0 ? (
            t('export.noReviews')
          ) : (
            <ul>
              {r.reviews.map((v, i) => (
                <li key={i} data-review={v.decision}>
                  {v.reviewer}: {statusLabel(t, 'decision', v.decision)}
                  {v.reason ? ` — ${v.reason}` : ''} <span className="muted">({date(v.decidedAt, true)})</span>
                  <FileDecisions review={v} />
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <h4>{t('export.files')}</h4>
      <ul className="plain">
        {exp.files.map((f) => (
          <FileResult key={f.id} exp={exp} file={f} downloads={downloads} extra={fileExtra?.(f)} />
        ))}
      </ul>
      {exp.events.length ? (
        <details>
          <summary>{t('export.history')}</summary>
          <ol>
            {exp.events.map((e) => (
              <li key={e.seq}>
                {date(e.at, true)} · {e.actor} · {statusLabel(t, 'event', e.event)}
                {e.reason ? ` — ${e.reason}` : ''}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}
