/**
 * What an application asks for, as its card and its case page show it: project, controllers,
 * data and project periods, datasets and variables, cohort, linkage, and where the case stands
 * (due date, time waited for the applicant, handler).
 */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { Application } from '../lib/types.ts';

export function pausedText(ms: number, t: ReturnType<typeof useI18n>['t']): string {
  const hours = Math.round(ms / 3_600_000);
  return t('case.pausedTime', { d: Math.floor(hours / 24), h: hours % 24 });
}

export function CaseFacts({ app }: { app: Application }) {
  const { t, date } = useI18n();
  const b = app.body;
  const cohort = Object.entries(b.cohort ?? {});
  const open = app.status === 'submitted' || app.status === 'in_assessment' || app.status === 'awaiting_applicant';
  return (
    <dl className="facts">
      <dt>{t('app.kind')}</dt>
      <dd>
        {t(app.kind === 'new' ? 'apply.kindNew' : 'apply.kindAmendment')} · {t(`caseType.${app.caseType}` as MessageKey)}
      </dd>
      <dt>{t('app.submitted')}</dt>
      <dd>
        {date(app.submittedAt, true)} · {app.submittedBy}
      </dd>
      {b.kind === 'new' ? (
        <>
          <dt>{t('project.purpose')}</dt>
          <dd>{b.project.purpose}</dd>
          <dt>{t('project.controllers')}</dt>
          <dd>{b.project.dataControllers.join(', ')}</dd>
          <dt>{t('permit.legalBasis')}</dt>
          <dd>{t(`legalBasis.${b.project.legalBasis}` as MessageKey)}</dd>
          <dt>{t('project.ethics')}</dt>
          <dd>{b.project.ethicsRef ?? '—'}</dd>
          <dt>{t('case.projectPeriod')}</dt>
          <dd>
            {date(b.project.period.from)} – {date(b.project.period.to)}
          </dd>
        </>
      ) : (
        <>
          <dt>{t('apply.justification')}</dt>
          <dd>{b.justification}</dd>
        </>
      )}
      <dt>{t('permit.period')}</dt>
      <dd>
        {date(b.period.from)} – {date(b.period.to)}
      </dd>
      <dt>{t('permit.datasets')}</dt>
      <dd>{b.datasets.map((d) => `${d.dataset} (${d.variables.join(', ')})`).join('; ')}</dd>
      <dt>{t('permit.cohort')}</dt>
      <dd>
        {cohort.length
          ? cohort.map(([k, v]) => `${t(`cohort.${k}` as MessageKey)}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('; ')
          : t('permit.wholePopulation')}
      </dd>
      <dt>{t('case.linkage')}</dt>
      <dd>{t(b.linkage ? 'case.linkageYes' : 'case.linkageNo')}</dd>
      {b.members.length ? (
        <>
          <dt>{t('apply.members')}</dt>
          <dd>{b.members.map((m) => m.userId).join(', ')}</dd>
        </>
      ) : null}
      {open ? (
        <>
          <dt>{t('case.due')}</dt>
          <dd data-due={app.dueAt}>
            {date(app.dueAt)} {app.overdue ? <span className="badge bad">{t('case.overdue')}</span> : null}
          </dd>
          <dt>{t('case.handler')}</dt>
          <dd>{app.assignedTo ?? t('case.unassigned')}</dd>
        </>
      ) : null}
      {app.pausedMs > 0 ? (
        <>
          <dt>{t('case.paused')}</dt>
          <dd>{pausedText(app.pausedMs, t)}</dd>
        </>
      ) : null}
    </dl>
  );
}
