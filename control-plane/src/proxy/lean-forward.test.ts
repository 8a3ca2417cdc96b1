import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanForward } from './lean-forward.ts';

/** A pool that refuses its first `refusals` dispatches with a connect error of `code`, then passes them on. */
function refusing(pool: Pool, refusals: number, code: string) {
  let seen = 0;
  return {
    get attempts() {
      return seen;
    },
    dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      seen += 1;
      if (seen <= refusals) {
        setImmediate(() => handler.onResponseError?.({} as Dispatcher.DispatchController, Object.assign(new Error(`connect ${code}`), { code })));
        return true;
      }
      return pool.dispatch(options, handler);
    },
  } as unknown as Dispatcher & { attempts: number };
}

describe('leanForward', () => {
  let dir: string;
  let room: Server;
  let upstream: Pool;
  let proxy: Server;
  let port = 0;
  let dispatcher: Dispatcher & { attempts: number };
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lean-forward-'));
    room = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.end(`${req.method} ${req.url} ${body}`));
    });
    await new Promise<void>((r) => room.listen(join(dir, 'room.sock'), r));
    upstream = new Pool('http://localhost', { socketPath: join(dir, 'room.sock') });
    proxy = createServer((req, res) => {
      leanForward(
        req,
        res,
        dispatcher,
        { host: 'localhost' },
        {
          onStatus: () => undefined,
          onError: (err) => {
            errors.push((err as Error & { code?: string }).code ?? err.message);
            res.writeHead(502).end();
          },
        },
      );
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    port = (proxy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => proxy.close(r));
    await upstream.close();
    await new Promise((r) => room.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path: '/x' }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it("sends a request without a body again when the room's socket refused the connect (full backlog)", async () => {
    errors.length = 0;
    dispatcher = refusing(upstream, 3, 'EAGAIN');
    expect(await call('GET')).toEqual({ status: 200, text: 'GET /x ' });
    expect(dispatcher.attempts).toBe(4);
    expect(errors).toEqual([]);
  });

  it('gives up after three more attempts and answers as the room not answering', async () => {
    errors.length = 0;
    dispatcher = refusing(upstream, 4, 'ECONNREFUSED');
    expect((await call('GET')).status).toBe(502);
    expect(dispatcher.attempts).toBe(4);
    expect(errors).toEqual(['ECONNREFUSED']);
  });

  it('does not send a request with a body twice, nor retry a room that is gone', async () => {
    errors.length = 0;
    dispatcher = refusing(upstream, 1, 'EAGAIN');
    expect((await call('POST', 'payload')).status).toBe(502);
    expect(dispatcher.attempts).toBe(1);
    dispatcher = refusing(upstream, 1, 'ENOENT');
    expect((await call('GET')).status).toBe(502);
    expect(dispatcher.attempts).toBe(1);
    expect(errors).toEqual(['EAGAIN', 'ENOENT']);
  });
});
