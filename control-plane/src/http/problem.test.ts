/** One error path: the same domain error is the same answer through Express, a plain Node response and a refused upgrade. */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  DomainError,
  InputError,
  LengthRequiredError,
  NotAllowedError,
  NotFoundError,
  RateLimitedError,
  RequestTimeoutError,
  TooLargeError,
  UnavailableError,
  UpstreamError,
} from '../errors/index.ts';
import { createLogger } from '../platform/index.ts';
import { problemMiddleware, refuseUpgrade, statusOf, writeProblem } from './problem.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const answer = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

const CASES: [DomainError, number, string][] = [
  [new InputError('bad', { reason: 'invalid_input', details: { field: 'x' } }), 400, 'Bad Request'],
  [new AuthenticationError('log in first', { reason: 'not_authenticated' }), 401, 'Unauthorized'],
  [new NotAllowedError('no', { reason: 'not_a_member' }), 403, 'Forbidden'],
  [new NotFoundError('none', { reason: 'no_such_room' }), 404, 'Not Found'],
  [new RequestTimeoutError('slow', { reason: 'request_timeout' }), 408, 'Request Timeout'],
  [new ConflictError('taken', { reason: 'copy_exists' }), 409, 'Conflict'],
  [new LengthRequiredError('chunked', { reason: 'length_required' }), 411, 'Length Required'],
  [new TooLargeError('big', { reason: 'body_too_large' }), 413, 'Content Too Large'],
  [new RateLimitedError('again', { reason: 'channel_busy' }), 429, 'Too Many Requests'],
  [new UpstreamError('silent', { reason: 'room_unreachable' }), 502, 'Bad Gateway'],
  [new UnavailableError('down', { reason: 'audit_unavailable' }), 503, 'Service Unavailable'],
];

describe('problem answers', () => {
  it('each domain error class has its status and title, with the same body through Express and a plain Node response', async () => {
    let current: DomainError = CASES[0]![0];
    const app = express();
    app.get('/', (_req, _res, next) => next(current));
    app.use(problemMiddleware(createLogger({ level: 'error' })));
    const viaExpress = await listen(createServer(app));
    const plain = await listen(createServer((_req, res) => writeProblem(res, current)));
    for (const [err, status, title] of CASES) {
      current = err;
      const a = await answer(viaExpress);
      const b = await answer(plain);
      const { instance, ...body } = a.body;
      expect(typeof instance).toBe('string');
      expect([a.status, a.type, body]).toEqual([
        status,
        'application/problem+json; charset=utf-8',
        { type: 'about:blank', title, status, detail: err.message, reason: err.reason, ...(err.details ?? {}) },
      ]);
      expect([b.status, b.type, b.body]).toEqual([a.status, a.type, body]);
    }
  });

  it('500 for anything that is not a domain error, its message never in the answer', async () => {
    const url = await listen(createServer((_req, res) => writeProblem(res, new Error('secret path /var/lib/x'))));
    expect(await answer(url)).toEqual({
      status: 500,
      type: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'internal error', reason: null },
    });
    expect(statusOf(new DomainError('unclassed'))).toEqual({ status: 500, title: 'Internal Server Error' });
  });

  it('an answer already begun is cut rather than turned into a problem', async () => {
    const url = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        writeProblem(res, new UpstreamError('gone', { reason: 'room_unreachable' }));
      }),
    );
    await expect(fetch(url).then((r) => r.text())).rejects.toThrow();
  });

  it('a refused websocket upgrade gets the status line and problem body of its error, then the socket closes', async () => {
    const server = createServer();
    server.on('upgrade', (_req, socket) =>
      refuseUpgrade(socket, new NotAllowedError('a websocket into a room must come from its page', { reason: 'bad_origin' })),
    );
    const url = new URL(await listen(server));
    const res = await new Promise<{ status: number; message: string; body: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: '/', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', () => reject(new Error('switched')));
      req.on('response', (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode!, message: r.statusMessage!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect({ ...res, body: JSON.parse(res.body) }).toEqual({
      status: 403,
      message: 'Forbidden',
      body: { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'a websocket into a room must come from its page', reason: 'bad_origin' },
    });
  });
});
