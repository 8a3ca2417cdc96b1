/** The applicant's side of an open case: the answer to a request for information, attachments, withdrawal. */
import { useI18n } from '../i18n/index.tsx';
import type { CaseDetail } from '../lib/types.ts';
import { AttachForm, TextStepForm } from './case-forms.tsx';

export function CaseApplicantActions({ detail, onDone }: { detail: CaseDetail; onDone(): void }) {
  const { t } = useI18n();
  const id = detail.application.id;
  return (
    <>
      {detail.can.answer ? (
        <div className="notice" role="status">
          {t('case.awaitingYou')}
        </div>
      ) : null}
      {detail.can.answer ? (
        <TextStepForm applicationId={id} step="info-answers" label="case.answer" button="case.answerSend" done="case.answerOk" onDone={onDone} />
      ) : null}
      {detail.can.attach ? (
        <>
          <h3>{t('case.attach')}</h3>
          <AttachForm applicationId={id} onDone={onDone} />
        </>
      ) : null}
      {detail.can.withdraw ? (
        <details className="withdraw">
          <summary>{t('case.withdraw')}</summary>
          <TextStepForm
            applicationId={id}
            step="withdrawal"
            field="reason"
            required={false}
            label="case.withdrawReason"
            button="case.withdraw"
            done="case.withdrawOk"
            confirm="case.withdrawConfirm"
            danger
            onDone={onDone}
          />
        </details>
      ) : null}
    </>
  );
}
