/**
 * Websocket forwarding to a room's server (Jupyter's kernel channels, terminals, collaboration):
 * the client's upgrade request is sent on with `node:http` (its own connection: an upgraded
 * socket is never returned to a pool), the room's `101` answer is written back to the client
 * (without room policy headers and platform cookies, as for plain HTTP) and the two sockets are
 * piped both ways until either side ends. A room that answers the upgrade with anything but `101`
 * has that answer relayed and the client's socket ended; a room that does not answer gets the
 * client's socket destroyed (`onError`).
 */
import { request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { roomResponseHeaders } from './room-headers.ts';
import type { Endpoint } from './lean-forward.ts';

const UPGRADE_KEEP = new Set<string>();
const HOP_DROP = new Set(['transfer-encoding', 'keep-alive']);

/** The status line and headers of an answer as raw HTTP/1.1. */
function head(status: number, message: string, headers: Record<string, string | string[] | number | undefined>): string {
  let out = `HTTP/1.1 ${status} ${message}\r\n`;
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out += `${k}: ${one}\r\n`;
  }
  return `${out}\r\n`;
}

const tune = (s: Socket) => {
  s.setTimeout(0);
  s.setNoDelay(true);
  s.setKeepAlive(true, 0);
};

/**
 * Forwards the upgrade `req` (whose `socket` and `head` the server's `upgrade` event gave) to
 * `endpoint` with `headers` (`roomHeaders(…, 'keep')`: `Connection` and `Upgrade` stay).
 */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  firstBytes: Buffer,
  endpoint: Endpoint,
  headers: Record<string, string | string[]>,
  onError: (err: Error) => void,
): void {
  tune(socket as Socket);
  if (firstBytes.length) socket.unshift(firstBytes);
  const upstream = request({
    ...('socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port }),
    method: req.method,
    path: req.url,
    headers,
    agent: false,
  });
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    onError(err);
    socket.destroy();
  };
  upstream.on('error', fail);
  // The client left before the room answered: nobody to connect.
  const clientGone = () => upstream.destroy();
  socket.once('close', clientGone);
  upstream.once('response', (res) => {
    // Not upgraded (refused by the room, or an error): relay the answer, then end.
    socket.off('close', clientGone);
    const out = roomResponseHeaders(res.headers, HOP_DROP);
    out.connection = 'close';
    socket.write(head(res.statusCode ?? 502, res.statusMessage ?? '', out as Record<string, string | string[] | number>));
    res.pipe(socket);
  });
  upstream.once('upgrade', (res, roomSocket, roomHead) => {
    socket.off('close', clientGone);
    // Either side ending or failing ends the other.
    roomSocket.on('error', () => socket.destroy());
    socket.on('error', () => roomSocket.destroy());
    roomSocket.once('close', () => socket.destroy());
    socket.once('close', () => roomSocket.destroy());
    tune(roomSocket);
    if (roomHead.length) roomSocket.unshift(roomHead);
    if (!socket.writable) {
      roomSocket.destroy();
      return;
    }
    socket.write(
      head(101, res.statusMessage || 'Switching Protocols', roomResponseHeaders(res.headers, UPGRADE_KEEP) as Record<string, string | string[] | number>),
    );
    roomSocket.pipe(socket).pipe(roomSocket);
  });
  upstream.end();
}
