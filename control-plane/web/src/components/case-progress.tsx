/** Where an application led: sent, decided, the permit issued from it, the project's first data copy under that permit. */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { CaseDetail } from '../lib/types.ts';

export function CaseProgress({ detail }: { detail: CaseDetail }) {
  const { t, date, num } = useI18n();
  const a = detail.application;
  return (
    <ol className="case-progress" data-testid="case-progress">
      <li className="done">
        {t('case.stepSubmitted')} · {date(a.submittedAt)}
      </li>
      <li className={a.decidedAt || a.status === 'withdrawn' ? 'done' : 'pending'}>
        {a.decidedAt
          ? `${t('case.stepDecided')}: ${t(`appStatus.${a.status}` as MessageKey)} · ${date(a.decidedAt)}`
          : a.status === 'withdrawn'
            ? t('appStatus.withdrawn')
            : t('case.stepOpen')}
      </li>
      {a.status === 'approved' ? (
        <li className={detail.permit ? 'done' : 'pending'} data-step="permit">
          {detail.permit ? t('case.stepPermit', { id: detail.permit.id, v: detail.permit.version }) : t('case.stepPermitPending')}
        </li>
      ) : null}
      {detail.permit ? (
        <li className={detail.firstCopy ? 'done' : 'pending'} data-step="copy">
          {detail.firstCopy
            ? `${t('case.stepCopy', { v: detail.firstCopy.version, n: num(detail.firstCopy.personCount) })} · ${date(detail.firstCopy.createdAt)}`
            : t('case.stepCopyPending')}
        </li>
      ) : null}
    </ol>
  );
}
