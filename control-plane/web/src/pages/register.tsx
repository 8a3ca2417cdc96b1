/** The public register: every current and past project granted data. Open to anyone, no login. */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import { useApi } from '../lib/use-api.ts';
import { Page } from '../components/page.tsx';
import { Empty, Loaded } from '../components/status.tsx';
import { PublicationTexts } from '../components/dialogue-parts.tsx';

import type { ProjectPublications, PublicProject } from '../lib/types.ts';

export function RegisterPage() {
  const { t, date } = useI18n();
  const state = useApi<PublicProject[]>(EP.publicProjects);
  const texts = useApi<ProjectPublications[]>(EP.publicPublications);
  return (
    <Page title={t('register.title')}>
      <p>{t('register.intro')}</p>
      <Loaded state={state}>
        {(rows) =>
          rows.length === 0 ? (
            <Empty>{t('register.empty')}</Empty>
          ) : (
            <ul className="plain-list" data-testid="public-register">
              {rows.map((p) => (
                <li key={p.id} className="card">
                  <h2>{p.title}</h2>
                  <p>{p.purpose}</p>
                  <dl className="facts">
                    <dt>{t('register.status')}</dt>
                    <dd>{t(p.status === 'active' ? 'register.active' : 'register.closed')}</dd>
                    <dt>{t('register.datasets')}</dt>
                    <dd>{p.datasets.join(', ')}</dd>
                    <dt>{t('register.controllers')}</dt>
                    <dd>{p.dataControllers.join(', ')}</dd>
                    <dt>{t('register.legalBasis')}</dt>
                    <dd>{t(`legalBasis.${p.legalBasis}` as MessageKey)}</dd>
                    <dt>{t('register.period')}</dt>
                    <dd>
                      {date(p.period.from)} – {date(p.period.to)}
                    </dd>
                    <dt>{t('register.granted')}</dt>
                    <dd>{date(p.permitIssuedAt)}</dd>
                  </dl>
                  <PublicationTexts texts={texts.data?.find((x) => x.projectId === p.id)} />
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </Page>
  );
}
