/** English labels of the notifications part of the UI; spread into `en.ts`. `nb-notifications.ts` has the same keys. */
export const enNotifications = {
  'notifications.title': 'Notifications',
  'notifications.intro':
    'What changed in your applications, projects, rooms and exports, newest first. New ones appear here as they happen, and by e-mail where the platform sends e-mail.',
  'notifications.bell': 'Notifications',
  'notifications.bellUnread': 'Notifications, {count} unread',
  'notifications.unreadCount': '{count} unread',
  'notifications.none': 'You have no notifications.',
  'notifications.noneUnread': 'You have no unread notifications.',
  'notifications.unread': 'Unread',
  'notifications.onlyUnread': 'Only unread',
  'notifications.open': 'Open',
  'notifications.markRead': 'Mark as read',
  'notifications.markAllRead': 'Mark all as read',
  'notifications.allRead': 'All notifications are marked as read.',
  'notifications.more': 'Show older',
} as const;
