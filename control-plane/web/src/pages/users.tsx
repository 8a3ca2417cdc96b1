/**
 * Operator: the users and their roles; create a user, disable or enable one, reset a password.
 * A reset shows a new one-time password once (the platform holds only hashes, so no existing
 * password can ever be shown); the user must choose their own at the next login. An operator's
 * own row offers neither disable nor reset (the server refuses both, `own_account`).
 */
import { useState, type FormEvent } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, ApiError } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import { useApi } from '../lib/use-api.ts';
import { Page, Section } from '../components/page.tsx';
import { ErrorView, Loaded } from '../components/status.tsx';

import type { CreatedUser, PasswordReset, User } from '../lib/types.ts';

const ROLES = ['researcher', 'project_lead', 'access_admin', 'auditor', 'platform_admin', 'citizen'] as const;

/** A server refusal in the page's language where the reason is one an operator meets here. */
function Refusal({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError && (error.reason === 'own_account' || error.reason === 'own_roles' || error.reason === 'user_exists')) {
    return (
      <p className="notice error" role="alert">
        {t(`users.refused.${error.reason}` as MessageKey)}
      </p>
    );
  }
  return <ErrorView error={error} />;
}

function CreateUser({ onCreated }: { onCreated(): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedUser | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const roles = ROLES.filter((r) => f.get(`role-${r}`) === 'on');
    const email = String(f.get('email') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const res = await api<CreatedUser>('POST', EP.users, {
        id: String(f.get('id') ?? '').trim(),
        displayName: String(f.get('displayName') ?? '').trim(),
        ...(email ? { email } : {}),
        roles,
        password: String(f.get('password') ?? ''),
        mustChangePassword: f.get('mustChange') === 'on',
      });
      setCreated(res);
      announce(t('users.createdOk', { id: res.user.id }));
      form.reset();
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form className="stack" onSubmit={submit} data-form="create-user">
        <div className="grid-form">
          <label htmlFor="nu-id">{t('users.id')}</label>
          <input id="nu-id" name="id" required pattern="[a-z][a-z0-9._\-]{1,62}" aria-describedby="nu-id-hint" autoComplete="off" />
          <p id="nu-id-hint" className="hint">
            {t('users.idHint')}
          </p>
          <label htmlFor="nu-name">{t('users.name')}</label>
          <input id="nu-name" name="displayName" required maxLength={200} />
          <label htmlFor="nu-email">{t('users.email')}</label>
          <input id="nu-email" name="email" type="email" />
          <span id="nu-roles">{t('users.roles')}</span>
          <div role="group" aria-labelledby="nu-roles">
            {ROLES.map((r) => (
              <label key={r} className="inline">
                <input type="checkbox" name={`role-${r}`} defaultChecked={r === 'researcher'} /> {t(`role.${r}` as MessageKey)}
              </label>
            ))}
          </div>
          <label htmlFor="nu-password">{t('users.initialPassword')}</label>
          <input
            id="nu-password"
            name="password"
            type="password"
            required
            minLength={12}
            maxLength={1024}
            autoComplete="new-password"
            aria-describedby="nu-pw-hint"
          />
          <p id="nu-pw-hint" className="hint">
            {t('users.initialPasswordHint')}
          </p>
          <span />
          <label className="inline">
            <input type="checkbox" name="mustChange" defaultChecked /> {t('users.mustChange')}
          </label>
        </div>
        <button type="submit" disabled={busy} data-action="create-user">
          {t('users.create')}
        </button>
      </form>
      {error ? <Refusal error={error} /> : null}
      {created?.totpUri ? (
        <div className="notice" role="status" data-testid="totp-uri">
          <strong>{t('users.totpOnce')}</strong>
          <p>
            <code className="hash">{created.totpUri}</code>
          </p>
        </div>
      ) : null}
    </>
  );
}

function ResetShown({ reset }: { reset: PasswordReset }) {
  const { t, date } = useI18n();
  return (
    <div className="notice" role="alert" data-testid="one-time-password">
      <strong>{t('users.resetDone', { id: reset.user.id })}</strong>
      <p>
        {t('users.oneTimePassword')} <code className="hash">{reset.oneTimePassword}</code>
      </p>
      <p>{t('users.oneTimeHint', { until: date(reset.expiresAt, true) })}</p>
    </div>
  );
}

function UserRow({ u, self, onChanged }: { u: User; self: boolean; onChanged(reset?: PasswordReset): void }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const [error, setError] = useState<unknown>(null);
  const act = async (run: () => Promise<PasswordReset | undefined>, done: string) => {
    setError(null);
    try {
      const reset = await run();
      announce(done);
      onChanged(reset);
    } catch (err) {
      setError(err);
    }
  };
  const toggle = () =>
    act(
      async () => {
        await api('PATCH', EP.user(u.id), { disabled: !u.disabled });
        return undefined;
      },
      t(u.disabled ? 'users.enabledOk' : 'users.disabledOk', { id: u.id }),
    );
  const reset = () => {
    if (!window.confirm(t('users.resetConfirm', { id: u.id }))) return;
    void act(() => api<PasswordReset>('POST', EP.passwordReset(u.id)), t('users.resetOk', { id: u.id }));
  };
  return (
    <tr data-user={u.id}>
      <td>
        <code>{u.id}</code>
        {self ? <span className="muted small"> ({t('users.you')})</span> : null}
      </td>
      <td>{u.displayName}</td>
      <td>{u.roles.map((r) => t(`role.${r}` as MessageKey)).join(', ')}</td>
      <td>
        {u.disabled ? t('users.disabled') : t('users.active')}
        {u.mustChangePassword ? <span className="muted small"> · {t('users.mustChangeShort')}</span> : null}
      </td>
      <td>
        {self ? (
          <span className="muted small">{t('users.notOwn')}</span>
        ) : (
          <div className="actions">
            <button
              type="button"
              className={u.disabled ? '' : 'danger'}
              onClick={() => void toggle()}
              data-action={u.disabled ? 'enable-user' : 'disable-user'}
            >
              {t(u.disabled ? 'users.enable' : 'users.disable')} <span className="visually-hidden">{u.id}</span>
            </button>
            <button type="button" onClick={reset} data-action="reset-password">
              {t('users.reset')} <span className="visually-hidden">{u.id}</span>
            </button>
          </div>
        )}
        {error ? <Refusal error={error} /> : null}
      </td>
    </tr>
  );
}

export function UsersPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const users = useApi<User[]>(EP.users);
  const [reset, setReset] = useState<PasswordReset | null>(null);
  return (
    <Page title={t('nav.operatorUsers')}>
      <Section title={t('users.createTitle')} id="create-user">
        <CreateUser onCreated={users.reload} />
      </Section>
      <Section title={t('users.listTitle')} id="user-list">
        {reset ? <ResetShown reset={reset} /> : null}
        <Loaded state={users}>
          {(list) => (
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t('users.listTitle')}>
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">{t('users.id')}</th>
                    <th scope="col">{t('users.name')}</th>
                    <th scope="col">{t('users.roles')}</th>
                    <th scope="col">{t('users.status')}</th>
                    <th scope="col">{t('operator.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((u) => (
                    <UserRow
                      key={u.id}
                      u={u}
                      self={u.id === me.id}
                      onChanged={(r) => {
                        setReset(r ?? null);
                        users.reload();
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Loaded>
      </Section>
    </Page>
  );
}
