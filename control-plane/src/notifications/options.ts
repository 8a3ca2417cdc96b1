/**
 * Settings of notifications: the `notifications` section of the one typed config, from these
 * environment variables. None is secret (the SMTP server itself is the platform-wide `smtpUrl`,
 * redacted, with `smtpFrom`: `config/index.ts`).
 *
 *   TRE_NOTIFY_MAIL_POLL_MS        how often unsent notifications are looked for (default 5000)
 *   TRE_NOTIFY_MAIL_ATTEMPTS       failed sends of one notification before `email_error` keeps why and it is left (default 5)
 *   TRE_NOTIFY_MAIL_RETRY_MS       wait after the first failed send, doubling after each (default 30000)
 *   TRE_NOTIFY_MAIL_MAX_AGE_HOURS  an unsent notification older than this is not mailed any more (default 24)
 *   TRE_NOTIFY_MAIL_TIMEOUT_MS     longest SMTP connection, greeting and idle socket (default 20000)
 *   TRE_NOTIFY_STREAMS_PER_USER    live streams one user may hold open on one control plane (default 8)
 *   TRE_NOTIFY_HEARTBEAT_MS        a comment line on every live stream this often (default 25000)
 *   TRE_NOTIFY_STREAM_MAX_MS       a live stream ends after this long; the browser reconnects, authenticated again (default 600000)
 */
import { z } from 'zod';
import type { ConfigSection } from '../config/index.ts';

const int = (min: number) => z.coerce.number().int().min(min);

export const notificationsOptionsSchema = z.object({
  mailPollMs: int(10).describe('Interval between looks for unsent notifications').default(5000),
  mailAttempts: int(1).max(100).describe('Failed sends of one notification before it is left with its error').default(5),
  mailRetryMs: int(0).describe('Wait after the first failed send of a notification, doubling after each').default(30_000),
  mailMaxAgeHours: z.coerce.number().positive().describe('An unsent notification older than this is not mailed any more').default(24),
  mailTimeoutMs: int(100).describe('Longest SMTP connection, greeting and idle socket').default(20_000),
  streamsPerUser: int(1).max(100).describe('Live notification streams one user may hold open on one control plane').default(8),
  heartbeatMs: int(10).describe('A comment line on every live stream this often, so proxies keep it open').default(25_000),
  streamMaxMs: int(1000).describe('A live stream ends after this long and the browser reconnects, authenticated again').default(600_000),
});
export type NotificationsOptions = z.infer<typeof notificationsOptionsSchema>;
export type NotificationsOptionsInput = z.input<typeof notificationsOptionsSchema>;

export const NOTIFICATIONS_ENV: Record<string, keyof NotificationsOptions> = {
  TRE_NOTIFY_MAIL_POLL_MS: 'mailPollMs',
  TRE_NOTIFY_MAIL_ATTEMPTS: 'mailAttempts',
  TRE_NOTIFY_MAIL_RETRY_MS: 'mailRetryMs',
  TRE_NOTIFY_MAIL_MAX_AGE_HOURS: 'mailMaxAgeHours',
  TRE_NOTIFY_MAIL_TIMEOUT_MS: 'mailTimeoutMs',
  TRE_NOTIFY_STREAMS_PER_USER: 'streamsPerUser',
  TRE_NOTIFY_HEARTBEAT_MS: 'heartbeatMs',
  TRE_NOTIFY_STREAM_MAX_MS: 'streamMaxMs',
};

export const notificationsConfigSection = {
  schema: notificationsOptionsSchema,
  env: NOTIFICATIONS_ENV,
  description: 'Notifications (TRE_NOTIFY_*: notifications/options.ts)',
} satisfies ConfigSection<typeof notificationsOptionsSchema>;

/** The section as loaded (checked at load), then `overrides` (tests). */
export function notificationsOptions(section: unknown, overrides: NotificationsOptionsInput = {}): NotificationsOptions {
  return notificationsOptionsSchema.parse({ ...(typeof section === 'object' && section ? section : {}), ...overrides });
}
