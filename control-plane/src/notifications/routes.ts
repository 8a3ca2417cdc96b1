/**
 * The notifications API: each signed-in user reads, counts and marks read their own, and holds
 * a live stream of them open (`live.ts`). Every call is audited like any other; a notification of
 * someone else's is not found (`mine.ts`).
 */
import { z } from 'zod';
import { bytes, defineRoute, type RouteDef } from '../http/index.ts';
import type { Clock } from '../platform/index.ts';
import type { Store } from '../store/index.ts';
import type { NotificationHub } from './live.ts';
import { getMine, listMine, markAllRead, markRead, unreadCount } from './mine.ts';
import { markedReadSchema, notificationPageSchema, notificationSchema, unreadCountSchema } from './schemas.ts';

const notificationId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const PAGE_MAX = 100;

export function notificationRoutes(d: { store: Store; clock: Clock; hub: NotificationHub }): RouteDef[] {
  const { store, clock } = d;
  return [
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      tag: 'notifications',
      summary: 'My notifications, newest first, a page at a time (`before`: the `next` of the page before)',
      action: 'notification.list',
      access: 'authenticated',
      query: z.strictObject({
        before: notificationId.optional(),
        limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(20),
        unread: z.enum(['true', 'false']).optional(),
      }),
      response: notificationPageSchema,
      handler: async ({ principal, query }) =>
        listMine(store, principal!.userId, { before: query.before, limit: query.limit, unreadOnly: query.unread === 'true' }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/unread',
      tag: 'notifications',
      summary: 'How many of my notifications are unread',
      action: 'notification.count',
      access: 'authenticated',
      response: unreadCountSchema,
      handler: async ({ principal }) => ({ unread: await unreadCount(store, principal!.userId) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/stream',
      tag: 'notifications',
      summary: 'Server-sent events: my unread count, then each new notification and the count after it, as they are written on any control plane',
      action: 'notification.stream',
      access: 'authenticated',
      response: bytes(
        ['text/event-stream'],
        '`event: unread` ({ unread }) first and after every change, `event: notification` (a notification as listed), `event: resync` (reload: some may have been missed); comment lines as heartbeats; ends after the configured time, the browser reconnects',
      ),
      async handler(ctx) {
        const slot = d.hub.reserve(ctx.principal!.userId);
        try {
          await ctx.commitSuccess();
        } catch (err) {
          slot.release();
          throw err;
        }
        await slot.serve(ctx.req, ctx.res);
        return { sent: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/:notificationId',
      tag: 'notifications',
      summary: 'One of my notifications',
      action: 'notification.read',
      access: 'authenticated',
      params: z.object({ notificationId }),
      response: notificationSchema,
      handler: async ({ principal, params }) => getMine(store, principal!.userId, params.notificationId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/:notificationId/read',
      tag: 'notifications',
      summary: 'Mark one of my notifications read',
      action: 'notification.mark_read',
      access: 'authenticated',
      params: z.object({ notificationId }),
      status: 200,
      response: notificationSchema,
      handler: async ({ principal, params }) => markRead(store, principal!.userId, params.notificationId, clock.now()),
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/read-all',
      tag: 'notifications',
      summary: 'Mark all my notifications read',
      action: 'notification.mark_all_read',
      access: 'authenticated',
      status: 200,
      response: markedReadSchema,
      async handler({ principal, audit }) {
        const marked = await markAllRead(store, principal!.userId, clock.now());
        audit.details = { marked };
        return { marked, unread: await unreadCount(store, principal!.userId) };
      },
    }),
  ];
}
