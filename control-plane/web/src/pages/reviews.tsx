/**
 * The export review queue: each file's automated results, checked tables with failing cells by
 * rule, whether the other reviewer has decided (not what), approve or reject with a reason.
 */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { ExportRequest } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { ExportView } from '../components/export-view.tsx';
import { Page } from '../components/page.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

function ReviewForm({ exp, onDone }: { exp: ExportRequest; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const decision = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value') ?? 'approve';
    const reason = String(f.get('reason') ?? '').trim();
    if (decision === 'reject' && !reason) {
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
      <p id={`rr-h-${exp.id}`} className="hint">{t('review.reasonHint')}</p>
      <div className="actions">
        <button type="submit" value="approve" data-action="approve-export">{t('review.approve')}</button>
        <button type="submit" value="reject" className="danger" data-action="reject-export">{t('review.reject')}</button>
      </div>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

export function ReviewsPage() {
  const { t } = useI18n();
  const queue = useApi<ExportRequest[]>(`${EP.exports}${qs({ status: 'in_review' })}`);
  return (
    <Page title={t('nav.adminReviews')}>
      <p>{t('review.intro')}</p>
      <Loaded state={queue}>
        {(list) => list.length === 0 ? <Empty>{t('review.none')}</Empty> : (
          <ul className="plain">
            {list.map((x) => (
              <li key={x.id} className="card inner">
                <h2>{t('export.request1', { id: x.id })} <code>{x.projectId}</code></h2>
                <ExportView exp={x} downloads={false} />
                <ReviewForm exp={x} onDone={queue.reload} />
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Page>
  );
}
