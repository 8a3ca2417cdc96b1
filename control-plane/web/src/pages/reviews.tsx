/**
 * The export review queue: each request under its project's title, each file's automated
 * results and the file itself (opened on demand: `StagedFile`), a decision with a comment per
 * file, whether the other reviewer has decided (not what). The request's decision follows from
 * the files' (any reject rejects, any return returns), as the server computes it too.
 */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { EarlierApproval, ExportDetail, ExportFile, ExportSummary } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { useLive } from '../lib/use-live.ts';
import { ExportView } from '../components/export-view.tsx';
import { Page } from '../components/page.tsx';
import { EarlierApprovalView } from '../components/earlier-approval.tsx';
import { StagedFile } from '../components/staged-file.tsx';
import { Empty, ErrorView, Loaded } from '../components/status.tsx';

const DECISIONS = ['approve', 'return', 'reject'] as const;
const formId = (exp: ExportDetail) => `review-${exp.id}`;

/**
 * The decision on one file: its inputs belong to the request's review form (`form=`), shown beside
 * the file. A routine re-run of an output approved before arrives pre-filled with that decision
 * and a comment naming it, under the earlier approval and the differences.
 */
function FileDecisionFields({ exp, file }: { exp: ExportDetail; file: ExportFile }) {
  const { t } = useI18n();
  const earlier = useApi<EarlierApproval>(EP.exportFileEarlier(exp.id, file.id));
  if (earlier.loading) return null;
  const before = earlier.data?.earlier ?? null;
  const decisions = before ? [...new Set(before.reviews.map((r) => r.file?.decision ?? r.decision))] : [];
  const prefill = decisions.length === 1 ? decisions[0]! : 'approve';
  const said = before?.reviews.map((r) => r.file?.comment).find((c) => c);
  const comment = before ? `${t('earlier.prefill', { id: before.exportId })}${said ? `: ${said}` : ''}` : '';
  const form = formId(exp);
  const id = `${form}-${file.id}`;
  return (
    <>
      {before ? <EarlierApprovalView earlier={before} /> : null}
      <fieldset className="file-decision" data-decide={file.id} data-prefilled={before ? before.exportId : undefined}>
        <legend>{t('review.perFile')}</legend>
        <div className="actions">
          {DECISIONS.map((d) => (
            <label key={d}>
              <input type="radio" form={form} name={`decision-${file.id}`} value={d} defaultChecked={d === prefill} data-file-decision={d} />{' '}
              {t(d === 'approve' ? 'review.approve' : d === 'return' ? 'review.return' : 'review.reject')}
            </label>
          ))}
        </div>
        <label htmlFor={`${id}-c`}>{t('review.fileComment', { file: file.name })}</label>
        <textarea id={`${id}-c`} form={form} name={`comment-${file.id}`} rows={2} aria-describedby={`${id}-h`} defaultValue={comment} />
        <p id={`${id}-h`} className="hint">
          {t('review.fileCommentHint')}
        </p>
      </fieldset>
    </>
  );
}

function ReviewForm({ exp, onDone }: { exp: ExportDetail; onDone(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const files = exp.files.map((file) => ({
      file: file.id,
      decision: String(f.get(`decision-${file.id}`) ?? 'approve'),
      comment: String(f.get(`comment-${file.id}`) ?? '').trim(),
    }));
    const missing = exp.files.find((file, i) => !files[i]!.comment && (files[i]!.decision !== 'approve' || file.checkStatus === 'fail'));
    if (missing) {
      setError(new Error(t('review.commentRequired', { file: missing.name })));
      return;
    }
    const reason = String(f.get('reason') ?? '').trim();
    try {
      await api('POST', EP.exportReview(exp.id), {
        files: files.map(({ comment, ...d }) => (comment ? { ...d, comment } : d)),
        ...(reason ? { reason } : {}),
      });
      announce(t('review.recorded'));
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form id={formId(exp)} onSubmit={submit} className="stack">
      <p className="hint">{t('review.followsFromFiles')}</p>
      <label htmlFor={`rr-${exp.id}`}>{t('review.reason')}</label>
      <textarea id={`rr-${exp.id}`} name="reason" rows={2} aria-describedby={`rr-h-${exp.id}`} />
      <p id={`rr-h-${exp.id}`} className="hint">
        {t('review.reasonHint')}
      </p>
      <div className="actions">
        <button type="submit" data-action="submit-review">
          {t('review.submit')}
        </button>
      </div>
      {error ? <ErrorView error={error} /> : null}
    </form>
  );
}

const mayDecide = (d: ExportDetail) => d.status === 'in_review' && !(d.reviews.sealed && d.reviews.mine);

function QueueItem({ summary, onChange }: { summary: ExportSummary; onChange(): void }) {
  const { t } = useI18n();
  const detail = useApi<ExportDetail>(EP.exportOne(summary.id));
  return (
    <li className="card inner">
      <h2>
        {t('export.request1', { id: summary.id })} · {summary.projectTitle} <code className="muted small">{summary.projectId}</code>
      </h2>
      <Loaded state={detail}>
        {(d) => (
          <>
            <ExportView
              exp={d}
              downloads={false}
              fileExtra={(file) => (
                <>
                  <StagedFile exportId={d.id} file={file} />
                  {mayDecide(d) ? <FileDecisionFields exp={d} file={file} /> : null}
                </>
              )}
            />
            {mayDecide(d) ? (
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
  // A new request awaiting review appears without reload.
  useLive((n) => n.kind === 'export.submitted', queue.reload);
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
