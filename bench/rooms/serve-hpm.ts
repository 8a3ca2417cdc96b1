/**
 * The naive peer of the throughput benchmark: Express with http-proxy-middleware in front of the
 * same upstream, with the library's defaults (no authentication, no policy, a new upstream
 * connection per request as its default agent makes). It is what "a Node proxy" usually means,
 * and the figure the room proxy's design was measured against (README, "What carries the room
 * proxy's hot path"). Prints `{"port"}` when listening.
 */
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const upstreamPort = Number(process.argv[2]);
const app = express();
app.use(createProxyMiddleware({ target: `http://127.0.0.1:${upstreamPort}`, changeOrigin: true }));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
