/**
 * E-mail of notifications, where an SMTP server is configured (`smtpUrl`, `smtpFrom`): a loop on
 * every control plane sends the rows not yet mailed, each to its user's address (set by an
 * operator, `tre users create --email`), through nodemailer. Never in a request: a request only
 * writes the row (`notify`), in its own transaction.
 *
 *   - One row per transaction, locked `FOR UPDATE SKIP LOCKED` while it is sent: across replicas
 *     at most one sender per row, and the others go on with the next.
 *   - Sent: `emailed_at`. Failed: `email_attempts` + 1 and the next try waits `mailRetryMs`,
 *     doubling; after `mailAttempts` failures `email_error` keeps the last error and the row is left.
 *   - Not mailed at all, with `email_error` saying why: the user has no address or is disabled
 *     (`no_address`), or the row waited longer than `mailMaxAgeHours` (`too_old`: configuring SMTP
 *     later does not flood people with old news).
 */
import nodemailer from 'nodemailer';
import type { Clock, Logger } from '../platform/index.ts';
import type { Store } from '../store/index.ts';
import { mailFor } from './mail-text.ts';
import type { NotificationsOptions } from './options.ts';
import type { NotificationKind } from './schemas.ts';

/** Rows looked at in one pass at most; the next pass goes on. */
const PER_PASS = 50;

export interface MailerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  options: NotificationsOptions;
  smtp: { url: string; from: string };
  /** The platform's public URL, for the link in a mail. */
  baseUrl(): string;
}

export interface PassResult {
  sent: number;
  failed: number;
  skipped: number;
}

export interface Mailer {
  runOnce(): Promise<PassResult>;
  start(): void;
  stop(): Promise<void>;
}

interface Due {
  id: string;
  kind: NotificationKind;
  params: Record<string, unknown>;
  link: string | null;
  email: string;
  attempts: number;
}

export function createMailer(d: MailerDeps): Mailer {
  const { store, clock, logger, options } = d;
  const transport = nodemailer.createTransport({
    url: d.smtp.url,
    connectionTimeout: options.mailTimeoutMs,
    greetingTimeout: options.mailTimeoutMs,
    socketTimeout: options.mailTimeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  /** Rows that will not be mailed, marked with why, so no pass looks at them again. */
  async function leaveUnmailable(now: Date): Promise<number> {
    const tooOld = new Date(now.getTime() - options.mailMaxAgeHours * 3_600_000);
    const rows = await store.query<{ n: number }>(
      `WITH left_ AS (
         UPDATE notifications n SET email_error = CASE WHEN n.created_at < $1 THEN 'too_old' ELSE 'no_address' END
           FROM users u
          WHERE u.id = n.user_id AND n.emailed_at IS NULL AND n.email_error IS NULL
            AND (n.created_at < $1 OR u.email IS NULL OR u.email = '' OR u.disabled)
         RETURNING 1)
       SELECT count(*)::int AS n FROM left_`,
      [tooOld],
    );
    return rows[0]?.n ?? 0;
  }

  /** Sends the next due row; false when there was none. */
  async function sendNext(result: PassResult): Promise<boolean> {
    return store.tx(async (q) => {
      const now = clock.now();
      const [row] = await q.query<Due>(
        `SELECT n.id, n.kind, n.params, n.link, u.email, n.email_attempts AS attempts
           FROM notifications n JOIN users u ON u.id = n.user_id
          WHERE n.emailed_at IS NULL AND n.email_error IS NULL AND (n.email_next_at IS NULL OR n.email_next_at <= $1)
          ORDER BY n.id LIMIT 1 FOR UPDATE OF n SKIP LOCKED`,
        [now],
      );
      if (!row) return false;
      const params = Object.fromEntries(Object.entries(row.params ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const mail = mailFor({ kind: row.kind, params, link: row.link }, d.baseUrl());
      try {
        await transport.sendMail({ from: d.smtp.from, to: row.email, subject: mail.subject, text: mail.text });
        await q.query('UPDATE notifications SET emailed_at = $2, email_next_at = NULL WHERE id = $1', [row.id, clock.now()]);
        result.sent++;
        logger.debug('notification mailed', { notification: row.id });
      } catch (err) {
        const attempts = row.attempts + 1;
        const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
        const last = attempts >= options.mailAttempts;
        const next = new Date(now.getTime() + options.mailRetryMs * 2 ** (attempts - 1));
        await q.query('UPDATE notifications SET email_attempts = $2, email_next_at = $3, email_error = $4 WHERE id = $1', [
          row.id,
          attempts,
          last ? null : next,
          last ? error : null,
        ]);
        result.failed++;
        logger.warn('notification mail failed', { notification: row.id, attempts, last, error });
      }
      return true;
    });
  }

  async function pass(): Promise<PassResult> {
    const result: PassResult = { sent: 0, failed: 0, skipped: await leaveUnmailable(clock.now()) };
    for (let i = 0; i < PER_PASS && (await sendNext(result)); i++);
    return result;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass()
        .catch((err: unknown) => logger.warn('notification mail pass failed', { error: String(err) }))
        .finally(schedule);
    }, options.mailPollMs);
    timer.unref();
  }

  return {
    runOnce() {
      const p = running.then(pass, pass);
      running = p.catch(() => undefined);
      return p;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
      transport.close();
    },
  };
}
