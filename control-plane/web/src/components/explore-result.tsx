/**
 * A protected answer of the explorer as a table: a suppressed count is shown as "<10" (the
 * threshold), never as a figure, and every result says that its figures are perturbed.
 */
import { useI18n } from '../i18n/index.tsx';
import type { ExploreAnswer } from '../lib/types.ts';

const fmt = (x: number | null) => (x === null ? '–' : String(x));

export function ExploreResult({ answer, caption }: { answer: ExploreAnswer; caption?: string }) {
  const { t } = useI18n();
  const p = answer.protection;
  // A suppressed count is shown as "<threshold", a symbol rather than a label, the same in both languages.
  const count = (n: number | null) => (n === null ? `<${p.threshold}` : String(n));
  const stats = answer.query.measure !== undefined;
  return (
    <section className="explore-result" aria-label={caption ?? t('explore.result')} data-testid="explore-result">
      <p className="notice" data-testid="explore-notice">
        {t('explore.notice', { d: p.maxNoise, t: p.threshold })}
      </p>
      <table>
        {caption ? <caption>{caption}</caption> : null}
        <thead>
          <tr>
            {answer.by.map((b) => (
              <th key={b} scope="col">
                {b}
              </th>
            ))}
            <th scope="col">{t('explore.persons')}</th>
            <th scope="col">{t('explore.records')}</th>
            {stats ? (
              <>
                <th scope="col">{t('explore.mean')}</th>
                <th scope="col">{t('agg.median')}</th>
                <th scope="col">{t('explore.q1')}</th>
                <th scope="col">{t('explore.q3')}</th>
              </>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {answer.cells.map((c, i) => (
            <tr key={i} data-suppressed={c.suppressed}>
              {c.labels.map((l, j) => (
                <td key={j}>{l === null ? t('explore.missing') : c.names[j] ? `${l} ${c.names[j]}` : l}</td>
              ))}
              <td>{count(c.persons)}</td>
              <td>{count(c.records)}</td>
              {c.stats ? (
                <>
                  <td>{fmt(c.stats.mean)}</td>
                  <td>{fmt(c.stats.median)}</td>
                  <td>{fmt(c.stats.q1)}</td>
                  <td>{fmt(c.stats.q3)}</td>
                </>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('explore.budget', { used: answer.budget.used, limit: answer.budget.limit, id: answer.queryId })}</p>
    </section>
  );
}
