/**
 * Request bodies are read only where a route asks for them, after authentication and
 * authorisation, and never without bounds:
 *   - `readJsonBody`: the JSON parser, called by `mountRoutes` once the caller is known;
 *   - `streamBodyToFile`: a raw body streamed to a private temporary file under a byte limit
 *     (413 naming it; a declared length over it is refused before a byte is read; nothing
 *     is left half-written);
 *   - `armRequestDeadline`: every request must have arrived whole (headers and body) within
 *     the server's request timeout, or its socket is cut (408 when nothing was answered yet);
 *     a long delivery trades it for an idle timeout with `extendForLongBody`.
 * A request refused before its body was read is answered with `Connection: close`, so Node
 * closes the socket instead of reading the rest of the body (see `problemMiddleware`).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response } from 'express';
import { InputError, RequestTimeoutError, TooLargeError } from '../errors/index.ts';
import { writeProblem } from './problem.ts';

const deadlines = new WeakMap<IncomingMessage, NodeJS.Timeout>();

/** Cuts the request's socket when the request has not arrived whole within `ms`. */
export function armRequestDeadline(req: IncomingMessage, res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    deadlines.delete(req);
    if (req.complete) return;
    if (!res.headersSent)
      writeProblem(res, new RequestTimeoutError(`the request did not arrive within ${ms} ms`, { reason: 'request_timeout' }), { close: true });
    // Answered or not, the socket goes: what the client still trickles is not read.
    setTimeout(() => req.socket.destroy(), 1_000).unref();
  }, ms);
  timer.unref();
  deadlines.set(req, timer);
  res.once('close', () => {
    clearTimeout(timer);
    deadlines.delete(req);
  });
}

/**
 * For a body that may rightly take longer than the request timeout (a register delivery of
 * several GB): the request's deadline is dropped and the socket is cut instead when nothing
 * arrives for `idleMs`. Call the returned function once the body is in: the idle timeout
 * ends with it (the work that follows may rightly be silent for longer).
 */
export function extendForLongBody(req: IncomingMessage, idleMs: number): () => void {
  clearTimeout(deadlines.get(req));
  deadlines.delete(req);
  const cut = () => req.socket.destroy();
  req.socket.setTimeout(idleMs, cut);
  return () => {
    req.socket.setTimeout(0);
    req.socket.off('timeout', cut);
  };
}

const JSON_LIMITS = { public: 64 * 1024, authenticated: 2 * 1024 * 1024 };
const parsers = {
  public: express.json({ limit: JSON_LIMITS.public }),
  authenticated: express.json({ limit: JSON_LIMITS.authenticated }),
};

/**
 * Parses a JSON body into `req.body` (left alone when the request is not JSON). Bad JSON is an
 * `InputError`; a body over the limit (64 KiB before authentication, 2 MiB after) a `TooLargeError`.
 */
export async function readJsonBody(req: Request, res: Response, who: keyof typeof parsers): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    parsers[who](req, res, (err?: unknown) => {
      if (!err) return resolve();
      const e = err as { type?: string; message?: string };
      if (e.type === 'entity.too.large') {
        reject(
          new TooLargeError(`the request body is larger than the limit of ${JSON_LIMITS[who]} bytes`, {
            reason: 'body_too_large',
            details: { limit: JSON_LIMITS[who] },
          }),
        );
      } else if (e.type === 'entity.parse.failed') {
        reject(new InputError('the request body is not valid JSON', { reason: 'malformed_request' }));
      } else if (e.type === 'request.aborted') {
        reject(new InputError('the request body was interrupted', { reason: 'upload_interrupted' }));
      } else {
        reject(new InputError(`the request body cannot be read: ${e.message ?? 'unknown'}`, { reason: 'malformed_request' }));
      }
    });
  });
}

export interface StreamedBody {
  path: string;
  size: number;
  /** Removes the file and its private directory; idempotent. */
  remove(): Promise<void>;
}

/**
 * Streams the raw body into a new file in a private (0700) temporary directory, at most
 * `maxBytes` bytes: a declared `content-length` over the limit is refused unread, a body that
 * turns out longer is cut at the limit; either way nothing stays on disk and a
 * `TooLargeError` names the limit. An interrupted body is an `InputError`.
 */
export async function streamBodyToFile(req: IncomingMessage, maxBytes: number): Promise<StreamedBody> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooLarge = () =>
    new TooLargeError(`the body is larger than the limit of ${maxBytes} bytes`, { reason: 'body_too_large', details: { limit: maxBytes } });
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const dir = await mkdtemp(join(tmpdir(), 'tre-upload-'));
  const path = join(dir, randomUUID());
  const remove = () => rm(dir, { recursive: true, force: true });
  let size = 0;
  let over = false;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        done(tooLarge());
      } else done(null, chunk);
    },
  });
  try {
    await pipeline(req, limit, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await remove();
    if (over) throw tooLarge();
    throw new InputError('the upload was interrupted', { reason: 'upload_interrupted', cause: err });
  }
  return { path, size, remove };
}
