/** Norsk bokmål for notifications-delen av brukergrensesnittet; samme nøkler som `en-notifications.ts`. */
import type { enNotifications } from './en-notifications.ts';

export const nbNotifications: Record<keyof typeof enNotifications, string> = {};
