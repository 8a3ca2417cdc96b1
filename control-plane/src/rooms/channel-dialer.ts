/**
 * The control plane's half of a Kubernetes room's channel. A room pod has no egress, so the room
 * cannot call the control plane; its relay (`workspace-images/jupyter/channel-relay.py`) waits for
 * the control plane to dial in instead, on the relay port of the room's Service, which the room's
 * NetworkPolicy admits from control-plane pods only.
 *
 * For each room the dialer keeps `parked` connections open, each introduced with the room's relay
 * secret. The relay pairs a parked connection with code in the room connecting to its socket; the
 * first byte arriving on a parked connection means that happened, and the connection is handed to
 * the room's channel (`RoomChannels.accept`), which serves it exactly like a local room's socket.
 * A new connection is then parked in its place. Lost connections are redialled with a back-off.
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from '../platform/index.ts';
import type { RoomChannels } from './channel.ts';

export interface ChannelDialer {
  /** Keeps connections parked at the room's relay until `stop` (idempotent). */
  ensure(roomId: string, target: { host: string; port: number; secret: string }): void;
  stop(roomId: string): void;
  stopAll(): void;
  /** Connections currently parked for the room (for tests and the operator's view). */
  parked(roomId: string): number;
}

interface Dialing {
  target: { host: string; port: number; secret: string };
  sockets: Set<Socket>;
  failures: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export function createChannelDialer(deps: { channels: RoomChannels; logger: Logger; parked?: number }): ChannelDialer {
  const want = deps.parked ?? 2;
  const rooms = new Map<string, Dialing>();

  function fill(roomId: string, d: Dialing): void {
    while (!d.stopped && d.sockets.size < want) dial(roomId, d);
  }

  function dial(roomId: string, d: Dialing): void {
    const socket = connect({ host: d.target.host, port: d.target.port });
    d.sockets.add(socket);
    socket.setKeepAlive(true, 30_000);
    let handed = false;
    socket.once('connect', () => {
      d.failures = 0;
      socket.write(`ANALYSEROM-RELAY ${d.target.secret}\n`);
    });
    // The first byte is code in the room speaking through the relay: from here the channel serves it.
    socket.once('readable', () => {
      // Readable with nothing buffered is the end: the relay closed it (wrong secret, restarting).
      if (d.stopped || handed) return;
      if (socket.readableLength === 0) {
        socket.destroy(); // 'close' redials with the back-off
        return;
      }
      handed = true;
      d.sockets.delete(socket);
      if (!deps.channels.accept(roomId, socket)) socket.destroy();
      fill(roomId, d);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (handed || d.stopped) return;
      d.sockets.delete(socket);
      d.failures += 1;
      // Back off while the relay is not there (pod starting, restarting): 0.25 s doubling to 10 s.
      const delay = Math.min(10_000, 250 * 2 ** Math.min(d.failures, 6));
      if (d.failures === 5) deps.logger.warn('room channel relay unreachable', { roomId, host: d.target.host });
      clearTimeout(d.timer);
      d.timer = setTimeout(() => fill(roomId, d), delay);
      d.timer.unref();
    });
  }

  return {
    ensure(roomId, target) {
      const existing = rooms.get(roomId);
      if (existing && existing.target.host === target.host && existing.target.port === target.port && existing.target.secret === target.secret) return;
      if (existing) this.stop(roomId);
      const d: Dialing = { target, sockets: new Set(), failures: 0, stopped: false };
      rooms.set(roomId, d);
      fill(roomId, d);
    },
    stop(roomId) {
      const d = rooms.get(roomId);
      if (!d) return;
      rooms.delete(roomId);
      d.stopped = true;
      clearTimeout(d.timer);
      for (const s of d.sockets) s.destroy();
    },
    stopAll() {
      for (const id of [...rooms.keys()]) this.stop(id);
    },
    parked: (roomId) => rooms.get(roomId)?.sockets.size ?? 0,
  };
}
