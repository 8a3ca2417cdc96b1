/** One project for its members: the permit (what data, until when), variables, copies; the room; exports. */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import type { ProjectDetail } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { CopiesView } from '../components/copies-view.tsx';
import { ExportsPanel } from '../components/exports-panel.tsx';
import { OutputsList } from '../components/outputs-list.tsx';
import { CheckTableForm } from '../components/outputs-panel.tsx';
import { Page, Section, Tabs } from '../components/page.tsx';
import { PermitView } from '../components/permit-view.tsx';
import { ProjectDialogue } from '../components/project-dialogue.tsx';
import { RoomData } from '../components/room-data.tsx';
import { RoomPanel } from '../components/room-panel.tsx';
import { ErrorView, Loading } from '../components/status.tsx';
import { VariablesView } from '../components/variables-view.tsx';

export function ProjectPage({ projectId, tab }: { projectId: string; tab: 'overview' | 'room' | 'exports' }) {
  const { t, date } = useI18n();
  const { me } = useSession();
  const project = useApi<ProjectDetail>(EP.project(projectId));
  if (project.error)
    return (
      <Page title={t('project.title')}>
        <ErrorView error={project.error} />
      </Page>
    );
  if (!project.data)
    return (
      <Page title={t('project.title')}>
        <Loading />
      </Page>
    );
  const p = project.data;
  const base = `/projects/${projectId}`;
  const isLead = p.members.some((m) => m.userId === me.id && m.role === 'lead');
  const tabs = (
    <Tabs
      label={t('project.sections')}
      current={tab === 'overview' ? base : `${base}/${tab}`}
      items={[
        { href: base, label: t('project.tabOverview') },
        { href: `${base}/room`, label: t('project.tabRoom') },
        { href: `${base}/exports`, label: t('project.tabExports') },
      ]}
    />
  );
  return (
    <Page title={p.title} tabs={tabs}>
      {tab === 'overview' ? (
        <>
          <Section title={t('project.about')} id="about">
            <dl className="facts">
              <dt>{t('projects.status')}</dt>
              <dd>{t(`projectStatus.${p.status}` as MessageKey)}</dd>
              <dt>{t('project.purpose')}</dt>
              <dd>{p.purpose}</dd>
              <dt>{t('project.controllers')}</dt>
              <dd>{p.dataControllers.join(', ')}</dd>
              <dt>{t('permit.legalBasis')}</dt>
              <dd>{t(`legalBasis.${p.legalBasis}` as MessageKey)}</dd>
              <dt>{t('project.ethics')}</dt>
              <dd>{p.ethicsRef ?? '—'}</dd>
              <dt>{t('projects.period')}</dt>
              <dd>
                {date(p.period.from)} – {date(p.period.to)}
              </dd>
              <dt>{t('project.members')}</dt>
              <dd>{p.members.map((m) => `${m.displayName} (${t(`memberRole.${m.role}` as MessageKey)})`).join(', ')}</dd>
            </dl>
            {isLead ? (
              <p>
                <Link href={`/apply?amend=${encodeURIComponent(p.id)}`} className="button">
                  {t('project.askAmendment')}
                </Link>
              </p>
            ) : null}
          </Section>
          <Section title={t('project.permit')} id="permit">
            {p.permit ? <PermitView permit={p.permit} /> : <p>{t('project.noPermit')}</p>}
          </Section>
          {p.permit ? (
            <Section title={t('project.variables')} id="variables">
              <VariablesView permit={p.permit} />
            </Section>
          ) : null}
          <Section title={t('project.copies')} id="copies">
            <CopiesView projectId={projectId} />
          </Section>
          <Section title={t('dialogue.section')} id="dialogue">
            <ProjectDialogue projectId={projectId} isLead={isLead} />
          </Section>
        </>
      ) : null}
      {tab === 'room' ? (
        <>
          <Section title={t('project.room')} id="room">
            <RoomPanel projectId={projectId} />
          </Section>
          <Section title={t('project.roomData')} id="room-data">
            <RoomData projectId={projectId} />
          </Section>
          <Section title={t('project.outputs')} id="outputs">
            <OutputsList projectId={projectId} />
          </Section>
          <Section title={t('project.checkTable')} id="check">
            <CheckTableForm projectId={projectId} />
          </Section>
        </>
      ) : null}
      {tab === 'exports' ? <ExportsPanel projectId={projectId} /> : null}
    </Page>
  );
}
