/**
 * Live notification streams (server-sent events) for the pages a user has open.
 *
 * The truth is the `notifications` table; this holds only open connections. Every control plane
 * LISTENs on `tre_notifications` (migration 0540: `<user>:<id>` for a new row, `<user>:read` when
 * some were read), so a row written by any replica reaches the streams on all of them. Frames:
 *   - `event: unread`, `{ unread }`: at the start and after every change;
 *   - `event: notification`: a new one, as `GET /api/notifications` lists it;
 *   - `event: resync`: the listening connection was re-made and notifications may have been
 *     missed: the page reloads what it shows.
 * Bounds: at most `streamsPerUser` streams per user on one control plane (429 beyond); a comment
 * line every `heartbeatMs`; a stream ends after `streamMaxMs` (the browser's EventSource comes back
 * through authentication and the audit log), when one of the user's credentials is revoked
 * (`tre_access` `user:<id>`, migration 0312), when the client leaves, or when a client reads so
 * slowly that `MAX_BUFFERED` bytes wait for it.
 */
import type { Request, Response } from 'express';
import { RateLimitedError } from '../errors/index.ts';
import { assertResponse, checkResponses } from '../http/index.ts';
import type { Logger } from '../platform/index.ts';
import type { Listening, Store } from '../store/index.ts';
import { getMine, unreadCount } from './mine.ts';
import type { NotificationsOptions } from './options.ts';
import { notificationSchema, unreadCountSchema } from './schemas.ts';

const CHANNEL = 'tre_notifications';
const ACCESS_CHANNEL = 'tre_access';
const MAX_BUFFERED = 256 * 1024;

interface Stream {
  write(event: string, data: unknown): void;
  end(): void;
}

export interface StreamSlot {
  /** Serves the stream on `res` (headers not yet sent) until it ends. */
  serve(req: Request, res: Response): Promise<void>;
  /** Gives the slot back unused (the audit entry could not be committed). */
  release(): void;
}

export interface NotificationHub {
  /** Takes one of the user's stream slots, or refuses (429 `too_many_streams`). */
  reserve(userId: string): StreamSlot;
  /** Ends every open stream and refuses new ones (the control plane is stopping). */
  drain(): void;
  /** How many streams are open, for tests and logs. */
  open(userId?: string): number;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createNotificationHub(d: { store: Store; logger: Logger; options: NotificationsOptions }): NotificationHub {
  const byUser = new Map<string, Set<Stream>>();
  const reserved = new Map<string, number>();
  let listening: Listening[] = [];
  let closed = false;

  const count = (userId: string) => (byUser.get(userId)?.size ?? 0) + (reserved.get(userId) ?? 0);

  async function pushUnread(userId: string, to: Iterable<Stream>): Promise<void> {
    const body = { unread: await unreadCount(d.store, userId) };
    if (checkResponses) assertResponse('GET /api/notifications/stream (unread)', unreadCountSchema, body);
    for (const s of to) s.write('unread', body);
  }

  async function onNotice(payload: string): Promise<void> {
    const at = payload.lastIndexOf(':');
    const userId = payload.slice(0, at);
    const streams = byUser.get(userId);
    if (at <= 0 || !streams?.size) return;
    const what = payload.slice(at + 1);
    if (what !== 'read') {
      const id = Number(what);
      if (!Number.isSafeInteger(id)) return;
      const n = await getMine(d.store, userId, id).catch(() => undefined);
      if (n) {
        if (checkResponses) assertResponse('GET /api/notifications/stream (notification)', notificationSchema, n);
        for (const s of streams) s.write('notification', n);
      }
    }
    await pushUnread(userId, streams);
  }

  function endAll(userId?: string): void {
    for (const [u, streams] of byUser) if (userId === undefined || u === userId) for (const s of [...streams]) s.end();
  }

  return {
    reserve(userId) {
      if (closed || count(userId) >= d.options.streamsPerUser) {
        throw new RateLimitedError(`at most ${d.options.streamsPerUser} live notification streams per user`, {
          reason: 'too_many_streams',
          details: { limit: d.options.streamsPerUser },
        });
      }
      reserved.set(userId, (reserved.get(userId) ?? 0) + 1);
      let taken = false;
      const take = () => {
        if (taken) return;
        taken = true;
        const left = (reserved.get(userId) ?? 1) - 1;
        if (left > 0) reserved.set(userId, left);
        else reserved.delete(userId);
      };
      return {
        release: take,
        async serve(req, res) {
          take();
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
          // The browser waits this long before reconnecting after the stream ends.
          res.write('retry: 3000\n\n');
          await new Promise<void>((resolve) => {
            let done = false;
            const stream: Stream = {
              write(event, data) {
                if (done) return;
                res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
                if (res.writableLength > MAX_BUFFERED) stream.end();
              },
              end() {
                if (done) return;
                done = true;
                clearInterval(beat);
                clearTimeout(limit);
                const mine = byUser.get(userId);
                mine?.delete(stream);
                if (mine && !mine.size) byUser.delete(userId);
                res.end();
                resolve();
              },
            };
            const beat = setInterval(() => {
              if (!done) res.write(': keep-alive\n\n');
            }, d.options.heartbeatMs);
            const limit = setTimeout(() => stream.end(), d.options.streamMaxMs);
            beat.unref();
            limit.unref();
            const set = byUser.get(userId) ?? new Set<Stream>();
            set.add(stream);
            byUser.set(userId, set);
            req.on('close', () => stream.end());
            res.on('error', () => stream.end());
            void pushUnread(userId, [stream]).catch((err: unknown) => {
              d.logger.warn('notification stream failed', { error: String(err) });
              stream.end();
            });
          });
        },
      };
    },
    drain() {
      closed = true;
      endAll();
    },
    open(userId) {
      if (userId !== undefined) return byUser.get(userId)?.size ?? 0;
      let n = 0;
      for (const s of byUser.values()) n += s.size;
      return n;
    },
    async start() {
      let first = true;
      listening = [
        d.store.listen(CHANNEL, {
          notify: (payload) => {
            void onNotice(payload).catch((err: unknown) => d.logger.warn('notification push failed', { error: String(err) }));
          },
          connected() {
            if (first) {
              first = false;
              return;
            }
            for (const [userId, streams] of byUser) {
              for (const s of streams) s.write('resync', {});
              void pushUnread(userId, streams).catch(() => undefined);
            }
          },
        }),
        d.store.listen(ACCESS_CHANNEL, {
          notify(payload) {
            if (payload.startsWith('user:')) endAll(payload.slice('user:'.length));
          },
          connected: () => undefined,
        }),
      ];
      await Promise.all(listening.map((l) => l.ready));
    },
    async close() {
      closed = true;
      endAll();
      await Promise.all(listening.map((l) => l.close()));
      listening = [];
    },
  };
}
