/**
 * Jupyter's contents API returns whole files (`GET api/contents/<path>`), which would make it a
 * download path. Its answer is buffered and looked at: notebooks and directory listings pass; a
 * file model with content larger than `maxBytes` is refused. Small files pass so the editor can
 * open scripts and small text files. Models Jupyter returns without content pass. An answer larger
 * than `HARD_CAP` is refused without being read further.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { roomResponseHeaders } from './room-headers.ts';

const INSPECTED_DROP = new Set(['transfer-encoding', 'connection', 'keep-alive', 'content-length']);

export const HARD_CAP = 64 * 1024 * 1024;

export type ContentsVerdict = { ok: true } | { ok: false; reason: 'contents_too_large' | 'contents_unreadable'; details: Record<string, unknown> };

/** The verdict on a contents answer of `bytes` bytes; `body` is whole unless `bytes` passed `HARD_CAP`. */
export function judgeContents(status: number, body: Buffer, bytes: number, maxBytes: number): ContentsVerdict {
  if (bytes > HARD_CAP) return { ok: false, reason: 'contents_too_large', details: { bytes } };
  if (status !== 200) return { ok: true };
  let model: { type?: unknown; content?: unknown; size?: unknown; path?: unknown } | undefined;
  try {
    model = JSON.parse(body.toString('utf8')) as typeof model;
  } catch {
    model = undefined;
  }
  if (!model) return { ok: false, reason: 'contents_unreadable', details: {} };
  if (model.type === 'file' && model.content !== null && model.content !== undefined) {
    const size = typeof model.size === 'number' ? model.size : typeof model.content === 'string' ? Buffer.byteLength(model.content) : body.length;
    if (size > maxBytes) return { ok: false, reason: 'contents_too_large', details: { bytes: size, limit: maxBytes, file: String(model.path ?? '') } };
  }
  return { ok: true };
}

/** Sends an inspected answer that passed, whole, with its own length. */
export function sendInspected(res: ServerResponse, status: number, upstreamHeaders: IncomingHttpHeaders, body: Buffer): void {
  const headers = roomResponseHeaders(upstreamHeaders, INSPECTED_DROP);
  headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}
