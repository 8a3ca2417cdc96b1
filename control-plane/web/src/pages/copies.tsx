/** Access administrator: every project's data copies with their manifests. */
import { useI18n } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { Project } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { CopiesView } from '../components/copies-view.tsx';
import { Page } from '../components/page.tsx';
import { Empty, Loaded } from '../components/status.tsx';

export function CopiesPage() {
  const { t } = useI18n();
  const projects = useApi<Project[]>(EP.projects);
  return (
    <Page title={t('nav.adminCopies')}>
      <Loaded state={projects}>
        {(list) =>
          list.length === 0 ? (
            <Empty>{t('projects.none')}</Empty>
          ) : (
            <ul className="plain">
              {list
                .filter((p) => p.status !== 'rejected')
                .map((p) => (
                  <li key={p.id} className="card">
                    <h2>
                      {p.title} <code>{p.id}</code>
                    </h2>
                    <CopiesView projectId={p.id} />
                  </li>
                ))}
            </ul>
          )
        }
      </Loaded>
    </Page>
  );
}
