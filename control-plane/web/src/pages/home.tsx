import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { navFor } from '../lib/nav.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { Page } from '../components/page.tsx';

export function HomePage() {
  const { t } = useI18n();
  const { me } = useSession();
  return (
    <Page title={t('home.title', { name: me.displayName })}>
      <p>
        {t('home.roles')} {me.roles.map((r) => t(`role.${r}` as MessageKey)).join(', ')}
      </p>
      <ul className="tiles">
        {navFor(me.roles).map((n) => (
          <li key={n.id} className="card">
            <h2>
              <Link href={n.path}>{t(n.label)}</Link>
            </h2>
            <p>{t(`${n.label}.help` as MessageKey)}</p>
          </li>
        ))}
      </ul>
    </Page>
  );
}
