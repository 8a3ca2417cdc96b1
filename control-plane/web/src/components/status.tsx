/** Loading, error, "not available" and "not allowed" states, announced to screen readers. */
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';
import { useI18n } from '../i18n/index.tsx';

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="muted">
      {t('common.loading')}
    </p>
  );
}

export function NotAllowed() {
  const { t } = useI18n();
  return (
    <div className="notice forbidden" role="alert" data-state="not-allowed">
      <h2>{t('error.notAllowedTitle')}</h2>
      <p>{t('error.notAllowedText')}</p>
    </div>
  );
}

export function NotAvailable({ what }: { what?: string | undefined }) {
  const { t } = useI18n();
  return (
    <div className="notice unavailable" role="status" data-state="not-available">
      <strong>{t('error.unavailableTitle')}</strong>
      <p>
        {t('error.unavailableText')}
        {what ? (
          <>
            {' '}
            <code>{what}</code>
          </>
        ) : null}
      </p>
    </div>
  );
}

export function ErrorView({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError) {
    if (error.kind === 'unavailable') return <NotAvailable what={error.path.split('?')[0]} />;
    if (error.kind === 'forbidden') return <NotAllowed />;
    if (error.kind === 'notFound')
      return (
        <div className="notice" role="alert">
          <strong>{t('error.notFound')}</strong> <span>{error.message}</span>
        </div>
      );
  }
  return (
    <div className="notice error" role="alert">
      <strong>{t('error.failed')}</strong> <span>{error instanceof Error ? error.message : String(error)}</span>
    </div>
  );
}

/** Renders loading/error states of a `useApi` result, or its children once data is there. */
export function Loaded<T>({ state, children }: { state: { data: T | undefined; error: unknown; loading: boolean }; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorView error={state.error} />;
  if (state.data === undefined) return state.loading ? <Loading /> : null;
  return <>{children(state.data)}</>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="muted">{children}</p>;
}
