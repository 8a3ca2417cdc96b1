/**
 * My notifications, newest first, each said in the page's language (`notifications/texts.ts`,
 * the same sentences the e-mail uses) and linking to where the change is seen; opening one marks
 * it read. New ones appear at the top as they arrive, without reload.
 */
import { useCallback, useEffect, useState } from 'react';
import { notificationText } from '../../../src/notifications/texts.ts';
import { Page } from '../components/page.tsx';
import { ErrorView, Loading } from '../components/status.tsx';
import { useI18n } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useLiveState } from '../lib/live.tsx';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import type { MarkedRead, Notification, NotificationPage } from '../lib/types.ts';
import { useLive } from '../lib/use-live.ts';

const PAGE = 20;

export function NotificationsPage() {
  const { t, lang, date, num } = useI18n();
  const { announce } = useSession();
  const { unread, setUnread } = useLiveState();
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (before: number | null) => {
      try {
        const page = await api<NotificationPage>('GET', `${EP.notifications}${qs({ limit: PAGE, before, unread: onlyUnread ? 'true' : null })}`);
        setItems((old) => (before === null ? page.items : [...(old ?? []), ...page.items]));
        setNext(page.next);
        setUnread(page.unread);
        setError(null);
      } catch (err) {
        setError(err);
      }
    },
    [onlyUnread, setUnread],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  useLive(
    () => true,
    () => void load(null),
  );

  const markRead = async (n: Notification) => {
    if (n.readAt) return;
    const marked = await api<Notification>('POST', EP.notificationRead(n.id)).catch(() => null);
    if (marked) setItems((old) => (old ?? []).map((x) => (x.id === marked.id ? marked : x)));
  };
  const markAll = async () => {
    setBusy(true);
    try {
      const r = await api<MarkedRead>('POST', EP.notificationsReadAll);
      setUnread(r.unread);
      announce(t('notifications.allRead'));
      await load(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('notifications.title')}>
      <p>{t('notifications.intro')}</p>
      <div className="filters">
        <input id="only-unread" type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.target.checked)} />
        <label htmlFor="only-unread">{t('notifications.onlyUnread')}</label>
        <span className="muted" data-testid="unread-count">
          {t('notifications.unreadCount', { count: num(unread ?? 0) })}
        </span>
        <button type="button" onClick={markAll} disabled={busy || !unread}>
          {t('notifications.markAllRead')}
        </button>
      </div>
      {error ? <ErrorView error={error} /> : null}
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <p className="muted">{onlyUnread ? t('notifications.noneUnread') : t('notifications.none')}</p>
      ) : (
        <ul className="plain notifications" data-testid="notifications">
          {items.map((n) => {
            const text = notificationText(lang, n.kind, n.params);
            return (
              <li key={n.id} className={n.readAt ? 'card notification' : 'card notification unread'} data-kind={n.kind}>
                <p>
                  {n.readAt ? null : <strong className="badge">{t('notifications.unread')}</strong>} {text}
                </p>
                <p className="muted">{date(n.createdAt, true)}</p>
                <p className="actions">
                  {n.link ? (
                    <Link href={n.link} onClick={() => void markRead(n)}>
                      {t('notifications.open')}
                    </Link>
                  ) : null}
                  {n.readAt ? null : (
                    <button type="button" onClick={() => void markRead(n)}>
                      {t('notifications.markRead')}
                    </button>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      )}
      {next !== null ? (
        <button type="button" onClick={() => void load(next)}>
          {t('notifications.more')}
        </button>
      ) : null}
    </Page>
  );
}
