/**
 * One application as a case, for both sides (`/applications/:id`): what it asks for, where it
 * stands and led (permit, first copy), the decision as a record with its reason and legal
 * references, the history in order, attachments, and the steps the caller may take now — the
 * applicant answers, attaches and may withdraw; an independent case handler pre-screens,
 * assigns, asks and decides. Both write messages.
 */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import type { CaseDetail } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { CaseApplicantActions } from '../components/case-applicant.tsx';
import { IssueForm } from '../components/case-decide.tsx';
import { CaseFacts } from '../components/case-facts.tsx';
import { AttachForm, TextStepForm } from '../components/case-forms.tsx';
import { CaseHandlerActions } from '../components/case-handler.tsx';
import { CaseAttachments, CaseHistory } from '../components/case-history.tsx';
import { CaseProgress } from '../components/case-progress.tsx';
import { Page, Section } from '../components/page.tsx';
import { Loaded } from '../components/status.tsx';

function Decision({ detail }: { detail: CaseDetail }) {
  const { t, date } = useI18n();
  const a = detail.application;
  if (!a.decidedAt) return null;
  return (
    <Section title={t('case.decisionRecord')} id="decision">
      <dl className="facts" data-testid="decision-record">
        <dt>{t('app.decision')}</dt>
        <dd>
          <span className={`badge status-${a.status}`}>{t(`appStatus.${a.status}` as MessageKey)}</span> · {date(a.decidedAt, true)}
        </dd>
        <dt>{t('case.decidedBy')}</dt>
        <dd>{a.decidedBy}</dd>
        <dt>{t('permit.reason')}</dt>
        <dd>{a.decisionReason}</dd>
        <dt>{t('case.legalReferences')}</dt>
        <dd>
          {a.decisionLegalReferences.length ? (
            <ul className="plain">
              {a.decisionLegalReferences.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            t('case.noLegalReferences')
          )}
        </dd>
      </dl>
    </Section>
  );
}

export function ApplicationPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const state = useApi<CaseDetail>(EP.caseOf(id));
  const admin = me.roles.includes('access_admin');
  return (
    <Loaded state={state}>
      {(d) => (
        <Page title={t('case.pageTitle', { title: d.projectTitle })}>
          <p>
            <Link href={admin ? '/admin/applications' : '/applications'}>{t('case.back')}</Link> ·{' '}
            <span className={`badge status-${d.application.status}`} data-testid="case-status">
              {t(`appStatus.${d.application.status}` as MessageKey)}
            </span>
          </p>
          <CaseProgress detail={d} />
          <Decision detail={d} />
          <Section title={t('case.facts')} id="facts">
            <CaseFacts app={d.application} />
          </Section>
          {d.can.handle || d.can.answer || d.can.attach || d.can.withdraw ? (
            <Section title={d.can.handle ? t('case.handle') : t('case.yourSteps')} id="actions">
              {d.can.handle ? (
                <>
                  <CaseHandlerActions app={d.application} onDone={state.reload} />
                  <h3>{t('case.attach')}</h3>
                  <AttachForm applicationId={d.application.id} onDone={state.reload} />
                </>
              ) : (
                <CaseApplicantActions detail={d} onDone={state.reload} />
              )}
            </Section>
          ) : null}
          {admin && d.application.status === 'approved' && !d.permit ? <IssueForm app={d.application} onDone={state.reload} /> : null}
          <Section title={t('case.attachments')} id="attachments">
            <CaseAttachments applicationId={d.application.id} attachments={d.attachments} />
          </Section>
          <Section title={t('case.history')} id="history">
            <CaseHistory history={d.history} />
            {d.can.write ? (
              <TextStepForm
                applicationId={d.application.id}
                step="messages"
                label="case.message"
                button="case.messageSend"
                done="case.messageOk"
                onDone={state.reload}
              />
            ) : null}
          </Section>
        </Page>
      )}
    </Loaded>
  );
}
