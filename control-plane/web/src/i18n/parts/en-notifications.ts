/** English labels of the notifications part of the UI; spread into `en.ts`. `nb-notifications.ts` has the same keys. */
export const enNotifications = {} as const;
