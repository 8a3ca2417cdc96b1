/**
 * Jupyter's contents API returns whole files (`GET api/contents/<path>`), which would make it a
 * download path. Its answer is buffered and looked at: notebooks and directory listings pass; a
 * file model with content larger than `maxBytes` is refused. Small files pass so the editor can
 * open scripts and small text files. Models Jupyter returns without content pass.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const HARD_CAP = 64 * 1024 * 1024;

export type ContentsVerdict = { ok: true } | { ok: false; reason: string; details: Record<string, unknown> };

export async function guardContentsResponse(upstream: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<ContentsVerdict> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of upstream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > HARD_CAP) {
      upstream.destroy();
      return { ok: false, reason: 'contents_too_large', details: { bytes: total } };
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const status = upstream.statusCode ?? 502;
  if (status === 200) {
    let model: { type?: unknown; content?: unknown; size?: unknown; path?: unknown } | undefined;
    try {
      model = JSON.parse(body.toString('utf8')) as typeof model;
    } catch {
      model = undefined;
    }
    if (!model) return { ok: false, reason: 'contents_unreadable', details: {} };
    if (model.type === 'file' && model.content !== null && model.content !== undefined) {
      const size = typeof model.size === 'number' ? model.size : typeof model.content === 'string' ? Buffer.byteLength(model.content) : total;
      if (size > maxBytes) return { ok: false, reason: 'contents_too_large', details: { bytes: size, limit: maxBytes, file: String(model.path ?? '') } };
    }
  }
  const headers = { ...upstream.headers };
  delete headers['transfer-encoding'];
  headers['content-length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
  return { ok: true };
}
