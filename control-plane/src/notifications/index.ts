/**
 * Telling users about changes that concern them: rows written in the change's own transaction
 * (`notify`), read and marked read by their user (`routes.ts`), pushed live to the user's open
 * pages from any control plane (`live.ts`), and e-mailed where SMTP is configured (`mailer.ts`).
 */
import { defineModule, type PlatformModule } from '../module-api/index.ts';
import { createNotificationHub, type NotificationHub } from './live.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { notificationsOptions, type NotificationsOptionsInput } from './options.ts';
import { notificationRoutes } from './routes.ts';

export { independentAccessAdmins, notify, projectMembers, type NotificationInput } from './notify.ts';
export { notificationsConfigSection, type NotificationsOptions } from './options.ts';

export interface NotificationsModule extends PlatformModule {
  hub: NotificationHub;
  /** Present when SMTP is configured. */
  mailer: Mailer | undefined;
}

/** The notifications module, its section's settings overridden by `overrides` (tests). */
export function createNotificationsModule(overrides: NotificationsOptionsInput = {}) {
  return defineModule('notifications', (deps): NotificationsModule => {
    const options = notificationsOptions(deps.config.notifications, overrides);
    const hub = createNotificationHub({ store: deps.store, logger: deps.logger, options });
    const { smtpUrl, smtpFrom } = deps.config;
    const mailer =
      smtpUrl && smtpFrom
        ? createMailer({
            store: deps.store,
            clock: deps.clock,
            logger: deps.logger,
            options,
            smtp: { url: smtpUrl, from: smtpFrom },
            baseUrl: () => deps.url(),
          })
        : undefined;
    return {
      name: 'notifications',
      hub,
      mailer,
      routes: notificationRoutes({ store: deps.store, clock: deps.clock, hub }),
      drain: () => hub.drain(),
      async start() {
        await hub.start();
        mailer?.start();
      },
      async stop() {
        await mailer?.stop();
        await hub.close();
      },
    };
  });
}

export const notificationsModule = createNotificationsModule();
