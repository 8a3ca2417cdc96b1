/**
 * The bell in the banner: a link to the notifications page with the unread count, which rises
 * as notifications arrive (`lib/live.tsx`). The count is in the link's name and in a polite live
 * region, so a screen reader hears "Notifications, 1 unread" when one arrives.
 */
import { useI18n } from '../i18n/index.tsx';
import { useLiveState } from '../lib/live.tsx';
import { Link, usePath } from '../lib/router.tsx';

export function Bell() {
  const { t, num } = useI18n();
  const { unread } = useLiveState();
  const path = usePath();
  const count = unread ?? 0;
  const name = count > 0 ? t('notifications.bellUnread', { count: num(count) }) : t('notifications.bell');
  return (
    <Link href="/notifications" className="bell" aria-label={name} aria-current={path === '/notifications' ? 'page' : undefined} data-testid="bell">
      <svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      <span className="bell-count" aria-live="polite" data-testid="bell-count">
        {count > 0 ? num(count) : ''}
      </span>
    </Link>
  );
}
