/**
 * One export request: files with their hashes and automated results (a checked table shows its
 * failing cells by rule), the review state, and for the requester the downloads once released.
 * Reviewers see whether the other reviewer has decided, never what, until both have.
 */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { ExportRequest } from '../lib/types.ts';
import { CheckedTable, type TableCheck } from './checked-table.tsx';

function isTableCheck(v: unknown): v is TableCheck {
  return !!v && typeof v === 'object' && 'table' in v && 'rules' in v;
}

export function exportStatusLabel(t: (k: MessageKey) => string, status: string): string {
  const k = `exportStatus.${status}` as MessageKey;
  const s = t(k);
  return s === k ? status : s;
}

export function ExportView({ exp, downloads }: { exp: ExportRequest; downloads: boolean }) {
  const { t, date, num } = useI18n();
  const released = exp.status === 'released' || exp.status === 'approved';
  const decided = (exp.reviews ?? []).filter((r) => r.decided || r.decision);
  return (
    <div className="export">
      <dl className="facts">
        <dt>{t('export.status')}</dt><dd><span className={`badge status-${exp.status}`}>{exportStatusLabel(t, exp.status)}</span></dd>
        {exp.purpose ? <><dt>{t('export.purpose')}</dt><dd>{exp.purpose}</dd></> : null}
        {exp.requestedBy ? <><dt>{t('export.requestedBy')}</dt><dd>{exp.requestedBy}</dd></> : null}
        {exp.createdAt ? <><dt>{t('export.requested')}</dt><dd>{date(exp.createdAt, true)}</dd></> : null}
        <dt>{t('export.reviews')}</dt>
        <dd>{t('export.reviewCount', { done: decided.length, needed: exp.approvalsNeeded ?? 2 })}</dd>
      </dl>
      {(exp.reviews ?? []).length ? (
        <ul>
          {(exp.reviews ?? []).map((r, i) => (
            <li key={i}>
              {r.reviewer ?? t('export.otherReviewer')}: {r.decision ? t(`decision.${r.decision}` as MessageKey) : r.decided ? t('export.decidedHidden') : t('export.notYetDecided')}
              {r.reason ? <> — {r.reason}</> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <h4>{t('export.files')}</h4>
      <ul className="plain">
        {(exp.files ?? []).map((f, i) => {
          const name = f.name ?? f.path ?? String(i);
          const checks = f.checks ?? null;
          return (
            <li key={name} className="card inner">
              <p>
                <code>{name}</code>
                {f.size !== undefined ? <> · {num(f.size)} B</> : null}
                {checks?.status ? <> · {t('export.autoResult')}: <span className={`badge check-${checks.status}`}>{t(`check.${checks.status}` as MessageKey)}</span></> : null}
              </p>
              {f.description ? <p>{f.description}</p> : null}
              {f.sha256 ? <p className="muted">sha256 <code className="hash">{f.sha256}</code></p> : null}
              {isTableCheck(checks?.table) ? <CheckedTable check={checks.table} caption={name} /> : isTableCheck(checks) ? <CheckedTable check={checks} caption={name} /> : null}
              {checks?.findings && Array.isArray(checks.findings) && checks.findings.length ? (
                <ul>{checks.findings.map((x, j) => <li key={j}>{typeof x === 'string' ? x : JSON.stringify(x)}</li>)}</ul>
              ) : null}
              {downloads && released ? <a className="button" href={EP.exportDownload(exp.id, name)} download data-action="download">{t('export.download')} <span className="visually-hidden">{name}</span></a> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
