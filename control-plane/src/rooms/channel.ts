/**
 * A room's one channel to the control plane: an HTTP server on a unix socket in a host folder that
 * the room sees read-only at `/run/analyserom` (`ROOM_API_DIR`). Rooms have no network; this is how
 * the airlock helper in a room (`workspace-images/airlock-helper/`) asks for a checked table.
 *
 * The socket itself vouches for the caller, as a peer credential would: whoever connects is the
 * room, acting for its owner in its project, and no token is needed or read. That is why the channel
 * admits only the airlock's checks, `POST /api/projects/<the room's project>/outputs/check-<kind>`
 * for the kinds of `CHANNEL_CHECKS` (a table, a regression, a survival table, a histogram, a pie chart):
 *  - anything else is refused (404) and the refusal audited;
 *  - the room must be wanted and observed running (a standby room, a stopping one: refused);
 *  - the owner must still be an enabled user; the route then checks membership and permit as for
 *    any caller, and the one audit path records the request with client address `room:<id>`;
 *  - one request at a time per room (429 while one runs): a room cannot queue unbounded work;
 *  - a body comes with its `content-length` (chunked bodies are refused, 411), so the limit holds;
 *  - refusals are audited up to `REFUSALS_AUDITED_PER_MINUTE` per room; past that, in the same
 *    minute, one `channel_throttled` entry is written and further refusals are answered (429) but
 *    not recorded, so a room looping on its socket cannot flood the audit log that every other
 *    request of the platform waits on.
 *
 * The folder is private to the room (0700, owned by the room's host uid once the driver prepares it)
 * and mounted read-only, so the room can connect but cannot replace the socket. The socket is made
 * again on every control-plane start, in the same folder (the mount stays valid).
 *
 * A Kubernetes room has no host folder; its channel has no socket here but takes the connections
 * the control plane dialled in to the relay in the room's pod (`channel-dialer.ts`), with the same rules.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AuditService, Logger } from '../platform/index.ts';
import { getUser, vouchFor } from '../identity/index.ts';
import { setChannelAddress, writeProblem } from '../http/index.ts';
import { LengthRequiredError, NotAllowedError, NotFoundError, RateLimitedError, TooLargeError, UnavailableError, type DomainError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import { ROOM_API_SOCKET } from './drivers/types.ts';
import { getRoom } from './room-store.ts';

export interface RoomChannelDeps {
  store: Queryable;
  audit: AuditService;
  logger: Logger;
  dispatch(req: IncomingMessage, res: ServerResponse): void;
  /** Milliseconds now, for the refusal budget (defaults to the wall clock). */
  now?: () => number;
}

export interface RoomChannels {
  /**
   * Listens on `<dir>/api.sock` for the room (idempotent: an open channel is kept). Without `dir`
   * the channel takes only connections handed to `accept` (a Kubernetes room's relay, dialled in).
   */
  open(roomId: string, dir?: string): Promise<void>;
  /** Serves a connection that reaches the room's channel by other means than its socket. */
  accept(roomId: string, socket: Duplex): boolean;
  /** Stops listening and removes the socket (idempotent). */
  close(roomId: string): Promise<void>;
  closeAll(): Promise<void>;
  isOpen(roomId: string): boolean;
}

const BODY_LIMIT = 256 * 1024;
export const REFUSALS_AUDITED_PER_MINUTE = 60;

/** What a room may ask the control plane to check; each is `POST …/outputs/check-<kind>`. */
export const CHANNEL_CHECKS = ['table', 'regression', 'survival', 'histogram', 'pie'] as const;
export type ChannelCheck = (typeof CHANNEL_CHECKS)[number];

export function checkPath(projectId: string, kind: ChannelCheck): string {
  return `/api/projects/${encodeURIComponent(projectId)}/outputs/check-${kind}`;
}

export function checkTablePath(projectId: string): string {
  return checkPath(projectId, 'table');
}

const isChannelPath = (projectId: string, path: string) => CHANNEL_CHECKS.some((kind) => path === checkPath(projectId, kind));

export function createRoomChannels(deps: RoomChannelDeps): RoomChannels {
  const open = new Map<string, { server: Server; socketPath?: string }>();
  const busy = new Set<string>();
  const refusals = new Map<string, { since: number; count: number }>();
  const now = deps.now ?? Date.now;

  /** 'audit' within the room's budget, 'throttle' for the first refusal past it, then 'drop'. */
  function refusalBudget(roomId: string): 'audit' | 'throttle' | 'drop' {
    const t = now();
    let r = refusals.get(roomId);
    if (!r || t - r.since >= 60_000) {
      r = { since: t, count: 0 };
      refusals.set(roomId, r);
    }
    r.count += 1;
    if (r.count <= REFUSALS_AUDITED_PER_MINUTE) return 'audit';
    return r.count === REFUSALS_AUDITED_PER_MINUTE + 1 ? 'throttle' : 'drop';
  }

  const throttledError = () => new RateLimitedError(`more than ${REFUSALS_AUDITED_PER_MINUTE} refused requests in a minute`, { reason: 'channel_throttled' });

  async function handle(roomId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const room = await getRoom(deps.store, roomId);
    const path = (req.url ?? '').split('?')[0]!;
    const denied = async (err: DomainError) => {
      const reason = err.reason ?? 'refused';
      const budget = refusalBudget(roomId);
      if (budget === 'drop') return writeProblem(res, throttledError());
      const throttled = budget === 'throttle';
      await deps.audit.record({
        actor: room?.ownerId ?? 'anonymous',
        role: 'researcher',
        action: 'room.channel.request',
        object: `room:${roomId}`,
        projectId: room?.projectId ?? null,
        outcome: 'denied',
        reason: throttled ? 'channel_throttled' : reason,
        requestId: null,
        clientAddress: `room:${roomId}`,
        details: { method: req.method, path: path.slice(0, 200), ...(throttled ? { refusedAs: reason, perMinute: REFUSALS_AUDITED_PER_MINUTE } : {}) },
      });
      writeProblem(res, throttled ? throttledError() : err);
    };
    if (room?.wanted !== 'running' || room.state !== 'running') {
      return denied(new NotAllowedError('the room is not running', { reason: 'room_not_running' }));
    }
    if (req.method !== 'POST' || !isChannelPath(room.projectId, path)) {
      const allowed = checkPath(room.projectId, 'table').replace(/table$/, `{${CHANNEL_CHECKS.join(',')}}`);
      return denied(new NotFoundError(`a room may only POST ${allowed} here`, { reason: 'channel_route_not_allowed' }));
    }
    const user = await getUser(deps.store, room.ownerId).catch(() => undefined);
    if (!user || user.disabled) return denied(new NotAllowedError("the room's owner cannot act", { reason: 'owner_disabled' }));
    if (busy.has(roomId)) return denied(new RateLimitedError('one request at a time: the previous one is still running', { reason: 'channel_busy' }));
    // Node reads a chunked body without a length: the limit below would not see it.
    if (req.headers['transfer-encoding'] !== undefined) {
      return denied(new LengthRequiredError('a request body comes with a content-length, not chunked', { reason: 'length_required' }));
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > BODY_LIMIT)
      return denied(new TooLargeError(`a request body is at most ${BODY_LIMIT} bytes`, { reason: 'body_too_large', details: { limit: BODY_LIMIT } }));

    busy.add(roomId);
    res.once('close', () => busy.delete(roomId));
    // Nothing the room sends about who it is counts: the socket said it.
    for (const h of ['authorization', 'cookie', 'origin', 'x-csrf-token', 'x-forwarded-for']) delete req.headers[h];
    vouchFor(req, { userId: user.id, displayName: user.displayName, roles: user.roles, via: 'room' });
    setChannelAddress(req, `room:${roomId}`);
    deps.dispatch(req, res);
  }

  return {
    isOpen: (roomId) => open.has(roomId),
    accept(roomId, socket) {
      const entry = open.get(roomId);
      if (!entry) return false;
      entry.server.emit('connection', socket);
      return true;
    },
    async open(roomId, dir) {
      if (open.has(roomId)) return;
      const server = createServer((req, res) => {
        handle(roomId, req, res).catch((err: unknown) => {
          deps.logger.error('room channel request failed', { roomId, error: String(err) });
          // The refusal could not be recorded: nothing else is sent (as on the API's audit path).
          writeProblem(res, new UnavailableError('the request could not be recorded', { reason: 'audit_unavailable' }));
        });
      });
      server.headersTimeout = 10_000;
      server.requestTimeout = 300_000;
      if (!dir) {
        open.set(roomId, { server });
        return;
      }
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const socketPath = join(dir, ROOM_API_SOCKET);
      await rm(socketPath, { force: true }); // an earlier control plane's socket
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => resolve());
      });
      await chmod(socketPath, 0o666); // the folder (0700, the room's uid) is what keeps others out
      open.set(roomId, { server, socketPath });
    },
    async close(roomId) {
      const entry = open.get(roomId);
      if (!entry) return;
      open.delete(roomId);
      refusals.delete(roomId);
      if (entry.socketPath) {
        await new Promise<void>((resolve) => {
          entry.server.close(() => resolve());
          entry.server.closeAllConnections();
        });
        await rm(entry.socketPath, { force: true });
      } else {
        entry.server.closeAllConnections();
      }
    },
    async closeAll() {
      for (const id of [...open.keys()]) await this.close(id);
    },
  };
}
