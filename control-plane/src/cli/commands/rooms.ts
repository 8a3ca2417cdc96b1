/**
 * `tre rooms`: start, stop, list and show rooms. `start --wait` follows the room's progress events
 * (server-sent) until it runs or fails. `url` is the proxy path of the room, to open in the browser
 * under the platform's address.
 */
import { z } from 'zod';
import { CliError, requirePositional, stringOpt, type CommandGroup } from '../command.ts';
import { trimTrailingSlashes } from '../../platform/index.ts';
import type { DriverName, RoomView } from '../../rooms/index.ts';

/** The CLI checks its own input without loading the rooms module; the type keeps the names the server's. */
const driverSchema: z.ZodType<DriverName> = z.enum(['local', 'docker', 'kubernetes']);

const line = (r: RoomView) => `${r.id}  ${r.projectId}  ${r.owner}  ${r.driver}  ${r.state}  ${r.url}`;

/** Reads `event: state` frames until the room runs, stops or fails; returns the last view. */
async function follow(res: Response, info: (t: string) => void): Promise<RoomView | undefined> {
  if (!res.body) return undefined;
  const decoder = new TextDecoder();
  let buffer = '';
  let last: RoomView | undefined;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (!data) continue;
      last = JSON.parse(data) as RoomView;
      info(`room ${last.id}: ${last.state}${last.failureReason ? ` (${last.failureReason})` : ''}`);
    }
  }
  return last;
}

export const commands: CommandGroup = {
  start: {
    summary: 'Start my room in a project (or show the one running)',
    usage: 'tre rooms start PROJECT [--driver local|docker|kubernetes] [--wait]',
    options: { driver: { type: 'string' }, wait: { type: 'boolean' } },
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      const driver = stringOpt(args, 'driver');
      const parsed = driver === undefined ? undefined : driverSchema.safeParse(driver);
      if (parsed && !parsed.success) throw new CliError('--driver must be local, docker or kubernetes', 2);
      const api = await ctx.api();
      let room = await api.request<RoomView>('POST', `/api/projects/${encodeURIComponent(project)}/rooms`, parsed ? { driver: parsed.data } : {});
      if (args.values.wait && !['running', 'failed', 'stopped'].includes(room.state)) {
        const res = await api.fetch('GET', `/api/rooms/${encodeURIComponent(room.id)}/events`, { headers: { accept: 'text/event-stream' } });
        room = (await follow(res, (t) => ctx.info(t))) ?? room;
      }
      const data = { id: room.id, state: room.state, url: room.url };
      if (room.state === 'failed') {
        return { data, text: `room ${room.id} failed: ${room.failureReason ?? ''} ${room.failureMessage ?? ''}`.trim(), exitCode: 1 };
      }
      return { data, text: `room ${room.id} ${room.state}: ${trimTrailingSlashes(api.url)}${room.url}` };
    },
  },
  stop: {
    summary: 'Stop a room (mine; operators: any). Home and outputs are kept',
    usage: 'tre rooms stop ROOM',
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'ROOM');
      const room = await (await ctx.api()).request<RoomView>('POST', `/api/rooms/${encodeURIComponent(id)}/stop`);
      return { data: { id: room.id, state: room.state, url: room.url }, text: `room ${room.id}: ${room.state}, stopping` };
    },
  },
  list: {
    summary: 'My rooms; with --all every live room (operators)',
    usage: 'tre rooms list [--all]',
    options: { all: { type: 'boolean' } },
    async run(ctx, args) {
      const rooms = await (await ctx.api()).request<RoomView[]>('GET', args.values.all ? '/api/operator/rooms' : '/api/rooms');
      return { data: rooms, text: rooms.length ? rooms.map(line).join('\n') : 'no rooms' };
    },
  },
  show: {
    summary: 'One room',
    usage: 'tre rooms show ROOM',
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'ROOM');
      const room = await (await ctx.api()).request<RoomView>('GET', `/api/rooms/${encodeURIComponent(id)}`);
      return { data: room, text: line(room) };
    },
  },
};
