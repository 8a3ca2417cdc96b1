import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import { Link } from '../lib/router.tsx';
import type { Project } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Page } from '../components/page.tsx';
import { Empty, Loaded } from '../components/status.tsx';

export function ProjectsPage() {
  const { t, date } = useI18n();
  const projects = useApi<Project[]>(EP.projects);
  return (
    <Page title={t('projects.title')}>
      <Loaded state={projects}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('projects.none')}</Empty>
          ) : (
            <table className="data">
              <caption className="visually-hidden">{t('projects.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('projects.project')}</th>
                  <th scope="col">{t('projects.status')}</th>
                  <th scope="col">{t('projects.period')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <Link href={`/projects/${p.id}`}>{p.title}</Link>
                    </td>
                    <td>{t(`projectStatus.${p.status}` as MessageKey)}</td>
                    <td>
                      {date(p.period.from)} – {date(p.period.to)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </Page>
  );
}
