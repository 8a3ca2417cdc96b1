/** Norsk bokmål for notifications-delen av brukergrensesnittet; samme nøkler som `en-notifications.ts`. */
import type { enNotifications } from './en-notifications.ts';

export const nbNotifications: Record<keyof typeof enNotifications, string> = {
  'notifications.title': 'Varsler',
  'notifications.intro':
    'Hva som er endret i søknadene, prosjektene, rommene og utleveringene dine, nyeste først. Nye varsler kommer her med en gang, og på e-post der plattformen sender e-post.',
  'notifications.bell': 'Varsler',
  'notifications.bellUnread': 'Varsler, {count} uleste',
  'notifications.unreadCount': '{count} uleste',
  'notifications.none': 'Du har ingen varsler.',
  'notifications.noneUnread': 'Du har ingen uleste varsler.',
  'notifications.unread': 'Ulest',
  'notifications.onlyUnread': 'Bare uleste',
  'notifications.open': 'Åpne',
  'notifications.markRead': 'Merk som lest',
  'notifications.markAllRead': 'Merk alle som lest',
  'notifications.allRead': 'Alle varsler er merket som lest.',
  'notifications.more': 'Vis eldre',
};
