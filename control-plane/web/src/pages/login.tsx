import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api, ApiError, setCsrfToken } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import type { SessionLogin } from '../lib/types.ts';
import { Page } from '../components/page.tsx';
import { Link } from '../lib/router.tsx';

export function LoginPage({ onLoggedIn }: { onLoggedIn(): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The password was set by an operator: the next try carries the user's own (`newPassword`). */
  const [mustChange, setMustChange] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body: Record<string, string> = { username: String(f.get('username') ?? ''), password: String(f.get('password') ?? '') };
    const totp = String(f.get('totp') ?? '');
    if (totp) body.totp = totp;
    if (mustChange) {
      const next = String(f.get('newPassword') ?? '');
      if (next !== String(f.get('newPassword2') ?? '')) {
        setError(t('login.newPasswordMismatch'));
        return;
      }
      body.newPassword = next;
    }
    setBusy(true);
    try {
      const r = await api<SessionLogin>('POST', EP.login, body);
      setCsrfToken(r.csrfToken);
      setError(null);
      onLoggedIn();
    } catch (err) {
      if (err instanceof ApiError && err.reason === 'password_change_required') {
        setMustChange(true);
        setError(t('login.mustChange'));
        return;
      }
      if (err instanceof ApiError && err.reason === 'password_unchanged') {
        setError(t('login.newPasswordSame'));
        return;
      }
      setError(
        err instanceof ApiError && (err.status === 401 || err.status === 400)
          ? t('login.failed')
          : err instanceof ApiError && err.status === 429
            ? t('login.rateLimited')
            : String((err as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title={t('login.title')}>
      <form className="card narrow" onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <p>{t('login.intro')}</p>
        <label htmlFor="username">{t('login.username')}</label>
        <input id="username" name="username" autoComplete="username" required />
        <label htmlFor="password">{t('login.password')}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <label htmlFor="totp">{t('login.totp')}</label>
        <input id="totp" name="totp" inputMode="numeric" pattern="[0-9]{6}" autoComplete="one-time-code" aria-describedby="totp-hint" />
        <p id="totp-hint" className="hint">
          {t('login.totpHint')}
        </p>
        {mustChange ? (
          <>
            <label htmlFor="newPassword">{t('login.newPassword')}</label>
            <input
              id="newPassword"
              name="newPassword"
              type="password"
              autoComplete="new-password"
              required
              minLength={12}
              maxLength={1024}
              aria-describedby="new-password-hint login-error"
            />
            <p id="new-password-hint" className="hint">
              {t('login.newPasswordHint')}
            </p>
            <label htmlFor="newPassword2">{t('login.newPassword2')}</label>
            <input id="newPassword2" name="newPassword2" type="password" autoComplete="new-password" required minLength={12} maxLength={1024} />
          </>
        ) : null}
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
        <p id="login-error" role="alert" className="error-text">
          {error ?? ''}
        </p>
      </form>
      <p>
        <Link href="/register">{t('register.link')}</Link>
      </p>
    </Page>
  );
}
