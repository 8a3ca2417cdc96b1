/** Operator: the users and their roles. */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import { useApi } from '../lib/use-api.ts';
import { Page } from '../components/page.tsx';
import { Loaded } from '../components/status.tsx';

import type { User } from '../lib/types.ts';

export function UsersPage() {
  const { t } = useI18n();
  const users = useApi<User[]>(EP.users);
  return (
    <Page title={t('nav.operatorUsers')}>
      <Loaded state={users}>
        {(list) => (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('users.id')}</th>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.roles')}</th>
                <th scope="col">{t('users.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id}>
                  <td>
                    <code>{u.id}</code>
                  </td>
                  <td>{u.displayName}</td>
                  <td>{u.roles.map((r) => t(`role.${r}` as MessageKey)).join(', ')}</td>
                  <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </Page>
  );
}
