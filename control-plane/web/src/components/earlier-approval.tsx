/**
 * The same output approved before (a routine re-run on a new copy version): that approval, each
 * earlier reviewer's decision and comment on the file, and how this file differs from the one
 * approved: changed cells, or lines removed (−) and added (+), marked by symbol as well as colour.
 */
import { useI18n } from '../i18n/index.tsx';
import type { EarlierApproval, FileDiff } from '../lib/types.ts';
import { statusLabel } from './export-view.tsx';

function Diff({ diff }: { diff: FileDiff }) {
  const { t } = useI18n();
  switch (diff.kind) {
    case 'identical':
      return <p data-diff="identical">{t('earlier.identical')}</p>;
    case 'not-compared':
      return (
        <p className="muted" data-diff="not-compared">
          {diff.detail}
        </p>
      );
    case 'cells':
      return (
        <table className="data compact" data-diff="cells">
          <caption>{t('earlier.changedCells', { n: diff.changed.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('earlier.row')}</th>
              <th scope="col">{t('staged.column')}</th>
              <th scope="col">{t('earlier.before')}</th>
              <th scope="col">{t('earlier.after')}</th>
            </tr>
          </thead>
          <tbody>
            {diff.changed.map((c) => (
              <tr key={`${c.row}:${c.column}`}>
                <td>{c.row}</td>
                <td>{c.column}</td>
                <td>
                  <del>{c.before}</del>
                </td>
                <td>
                  <ins>{c.after}</ins>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'lines':
      return (
        <pre className="diff" data-diff="lines">
          {diff.lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the lines of a diff are a fixed sequence
            <span key={i} className={`diff-${l.op}`}>
              {l.op === 'add' ? '+ ' : l.op === 'del' ? '− ' : '  '}
              {l.text}
              {'\n'}
            </span>
          ))}
        </pre>
      );
  }
}

export function EarlierApprovalView({ earlier }: { earlier: NonNullable<EarlierApproval['earlier']> }) {
  const { t, date } = useI18n();
  return (
    <section className="notice earlier" data-earlier={earlier.exportId} aria-label={t('earlier.title')}>
      <h5>{t('earlier.title')}</h5>
      <p>
        {t('earlier.approvedIn', { id: earlier.exportId })}
        {earlier.decidedAt ? ` · ${date(earlier.decidedAt, true)}` : ''}
        {earlier.copyVersions.length ? ` · ${t('earlier.copies', { versions: earlier.copyVersions.join(', ') })}` : ''}
      </p>
      <ul>
        {earlier.reviews.map((r) => (
          <li key={r.reviewer}>
            {r.reviewer}: {statusLabel(t, 'decision', r.file?.decision ?? r.decision)}
            {r.file?.comment ? ` — ${r.file.comment}` : r.reason ? ` — ${r.reason}` : ''}
          </li>
        ))}
      </ul>
      <Diff diff={earlier.diff} />
    </section>
  );
}
