/**
 * The export review queue: each file's automated results, checked tables with failing cells by
 * rule, whether the other reviewer has decided (not what), approve, return or reject with a reason.
 */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { ExportDetail, ExportSummary } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { ExportView } from '../components/export-view.tsx';
import { Page } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

function ReviewForm({ exp, onDone }: { exp: ExportDetail; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const decision = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? 'approve';
    const reason = String(f.get('reason') ?? '').trim();
    if ((decision !== 'approve' || exp.checksStatus !== 'pass') && !reason) {
      setError(new Error(t('review.reasonRequired')));
      return;
    }
    try {
      await api('POST', EP.exportReview(exp.id), { decision, ...(reason ? { reason } : {}) });
      announce(t('review.recorded'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="stack">
      <label htmlFor={`rr-${exp.id}`}>{t('review.reason')}</label>
      <textarea id={`rr-${exp.id}`} name="reason" rows={2} aria-describedby={`rr-h-${exp.id}`} />
      <p id={`rr-h-${exp.id}`} className="hint">
        {t('review.reasonHint')}
      </p>
      <div className="actions">
        <button type="submit" value="approve" data-action="approve-export">
          {t('review.approve')}
        </button>
        <button type="submit" value="return" data-action="return-export">
          {t('review.return')}
        </button>
        <button type="submit" value="reject" className="danger" data-action="reject-export">
          {t('review.reject')}
        </button>
      </div>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

function QueueItem({ summary, onChange }: { summary: ExportSummary; onChange(): void }) {
  const { t } = useI18n();
  const detail = useApi<ExportDetail>(EP.exportOne(summary.id));
  return (
    <li className="card inner">
      <h2>
        {t('export.request1', { id: summary.id })} <code>{summary.projectId}</code>
      </h2>
      <Loaded state={detail}>
        {(d) => (
          <>
            <ExportView exp={d} downloads={false} />
            {d.status === 'in_review' && !(d.reviews.sealed && d.reviews.mine) ? (
              <ReviewForm
                exp={d}
                onDone={() => {
                  detail.reload();
                  onChange();
                }}
              />
            ) : null}
            {d.reviews.sealed && d.reviews.mine ? <p role="status">{t('review.youDecided')}</p> : null}
          </>
        )}
      </Loaded>
    </li>
  );
}

export function ReviewsPage() {
  const { t } = useI18n();
  const [status, setStatus] = useState('in_review');
  const queue = useApi<ExportSummary[]>(`${EP.exportQueue}${qs({ status })}`);
  return (
    <Page title={t('nav.adminReviews')}>
      <p>{t('review.intro')}</p>
      <div className="filters">
        <label htmlFor="queue-status">{t('review.show')}</label>
        <select id="queue-status" value={status} onChange={(e) => setStatus(e.target.value)}>
          {['in_review', 'approved', 'returned', 'rejected', 'withdrawn'].map((s) => (
            <option key={s} value={s}>
              {t(`exportStatus.${s}` as 'exportStatus.approved')}
            </option>
          ))}
        </select>
      </div>
      <Loaded state={queue}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('review.none')}</Empty>
          ) : (
            <ul className="plain">
              {list.map((x) => (
                <QueueItem key={x.id} summary={x} onChange={queue.reload} />
              ))}
            </ul>
          )
        }
      </Loaded>
    </Page>
  );
}
