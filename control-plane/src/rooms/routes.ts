/** The rooms API. Progress is a server-sent event stream ending when the room settles: running, stopped or failed. */
import type { EventEmitter } from 'node:events';
import { z } from 'zod';
import { assertResponse, checkResponses, bytes, defineRoute, type RouteDef } from '../http/index.ts';
import { parentOf, type RoomProxy } from '../proxy/index.ts';
import type { Clock } from '../platform/index.ts';
import type { Store } from '../store/index.ts';
import { getRoom, roomHistory } from './room-store.ts';
import { viewOf, type RoomService } from './service.ts';
import {
  handoffInputSchema,
  handoffSchema,
  roomIdSchema as roomId,
  roomHistoryQuerySchema,
  roomHistorySchema,
  roomListSchema,
  roomStartInputSchema,
  roomViewSchema,
  usageSchema,
  type RoomView,
} from './schemas.ts';
import { projectUsage } from './usage.ts';

const projectId = z.string().min(1).max(128);
/** Where the state stream ends: the room has settled where it is wanted (a running room being stopped has not). */
const settled = (r: { state: string; wanted: string }) => r.state === 'stopped' || r.state === 'failed' || (r.state === 'running' && r.wanted !== 'stopped');

export function roomRoutes(d: { service: RoomService; store: Store; clock: Clock; changes: EventEmitter; entry: RoomProxy['entry'] }): RouteDef[] {
  const { service } = d;
  return [
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/rooms',
      tag: 'rooms',
      summary: 'Start my room in a project (or return the one running)',
      action: 'room.start',
      access: 'authenticated',
      params: z.object({ projectId }),
      body: roomStartInputSchema,
      response: roomViewSchema,
      status: [201, 200],
      async handler({ principal, params, body, audit }) {
        const { room, created } = await service.start(principal!, params.projectId, body.driver);
        audit.object = `room:${room.id}`;
        audit.details = { driver: room.driver, created };
        return { status: created ? 201 : 200, body: room };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/rooms',
      tag: 'rooms',
      summary: 'My rooms: live ones and the latest ended',
      action: 'room.list',
      access: 'authenticated',
      response: roomListSchema,
      handler: async ({ principal }) => service.mine(principal!),
    }),
    defineRoute({
      method: 'get',
      path: '/api/operator/rooms',
      tag: 'rooms',
      summary: 'Every live room with project, state, driver, age and idle time',
      action: 'room.list.all',
      access: ['platform_admin'],
      response: roomListSchema,
      handler: async () => service.all(),
    }),
    defineRoute({
      method: 'get',
      path: '/api/operator/rooms/history',
      tag: 'rooms',
      summary: 'Room history: rooms of every state, newest first, with when they started and stopped and why (per project, room or owner)',
      action: 'room.history',
      access: ['platform_admin'],
      query: roomHistoryQuerySchema,
      response: roomHistorySchema,
      async handler({ query, audit }) {
        audit.details = { filter: query };
        const now = d.clock.now();
        return (await roomHistory(d.store, query)).map((r) => ({ ...viewOf(r, now), projectTitle: r.projectTitle }));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/rooms/usage',
      tag: 'rooms',
      summary: 'Room usage per day of a project (cost report)',
      action: 'room.usage.read',
      access: ['platform_admin', 'auditor'],
      params: z.object({ projectId }),
      response: usageSchema,
      handler: async ({ params }) => projectUsage(d.store, params.projectId),
    }),
    defineRoute({
      method: 'get',
      path: '/api/rooms/:roomId',
      tag: 'rooms',
      summary: 'One of my rooms (operators: any)',
      action: 'room.read',
      access: 'authenticated',
      params: z.object({ roomId }),
      response: roomViewSchema,
      handler: async ({ principal, params }) => service.show(principal!, params.roomId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/rooms/:roomId/handoff',
      tag: 'rooms',
      summary: `Enter my room: a single-use link to the room's own origin, valid for a minute`,
      action: 'room.handoff.issue',
      access: 'authenticated',
      params: z.object({ roomId }),
      body: handoffInputSchema,
      response: handoffSchema,
      async handler({ principal, params, body, audit, req }) {
        const { url, projectId } = await d.entry.handoffUrl(principal!, params.roomId, parentOf(req, principal!), body.next ?? null);
        audit.projectId = projectId;
        return { status: 201, body: { url } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/rooms/:roomId/stop',
      tag: 'rooms',
      summary: 'Stop my room (operators: any); home and outputs are kept',
      action: 'room.stop',
      access: 'authenticated',
      params: z.object({ roomId }),
      status: 202,
      response: roomViewSchema,
      handler: async ({ principal, params }) => ({ status: 202, body: await service.stop(principal!, params.roomId) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/rooms/:roomId/events',
      tag: 'rooms',
      summary: 'Server-sent events: the room state on every change, ending when it settles (running, or stopped or failed)',
      action: 'room.events',
      access: 'authenticated',
      params: z.object({ roomId }),
      response: bytes(['text/event-stream'], 'One `data:` frame per change, each a room as GET /api/rooms/{roomId} answers it'),
      async handler(ctx) {
        const first = await service.visibleRoom(ctx.principal!, ctx.params.roomId);
        ctx.audit.projectId = first.projectId;
        await ctx.commitSuccess();
        const { res, req } = ctx;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        let last = '';
        let done = false;
        await new Promise<void>((resolve) => {
          const send = async () => {
            if (done) return;
            const room = await getRoom(d.store, ctx.params.roomId).catch(() => undefined);
            if (!room || done) return;
            const view: RoomView = viewOf(room, d.clock.now());
            const key = `${view.state}|${view.wanted}|${view.failureReason}`;
            if (key !== last) {
              last = key;
              if (checkResponses) assertResponse('GET /api/rooms/:roomId/events (state)', roomViewSchema, view);
              res.write(`event: state\ndata: ${JSON.stringify(view)}\n\n`);
            }
            if (settled(room)) finish();
          };
          const onChange = (id: string) => {
            if (id === ctx.params.roomId) void send();
          };
          const timer = setInterval(() => void send(), 250);
          const finish = () => {
            if (done) return;
            done = true;
            clearInterval(timer);
            d.changes.off('room', onChange);
            res.end();
            resolve();
          };
          d.changes.on('room', onChange);
          req.on('close', finish);
          void send();
        });
        return { sent: true };
      },
    }),
  ];
}
