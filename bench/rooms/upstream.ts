/**
 * The upstream every proxy in the benchmark forwards to: one small JSON answer, the same server
 * listening on a TCP loopback port and on a unix socket (rooms are reached over unix sockets;
 * configurable-http-proxy keeps connections alive only to TCP targets, so it gets TCP).
 * Prints `{"port", "socketPath"}` once listening.
 */
import { chmodSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const socketPath = process.argv[2]!;
const body = JSON.stringify({ ok: true, path: '/api/status', kernels: 0, connections: 0 });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
const unix = createServer(server.listeners('request')[0] as Parameters<typeof createServer>[1]);
unix.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
await new Promise<void>((r) => unix.listen(socketPath, r));
chmodSync(socketPath, 0o666); // nginx workers run as an unprivileged user
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, socketPath })}\n`);
process.on('SIGTERM', () => process.exit(0));
