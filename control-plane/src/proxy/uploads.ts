/**
 * Bodies into a room are limited to `maxBytes`. A declared `Content-Length` above the limit is
 * refused before anything is forwarded; a chunked body is counted while it streams and cut when it
 * passes the limit. Writes to Jupyter's contents API (how JupyterLab uploads and saves) are read
 * whole (they are within the limit) so an upload of a file can be audited with its name and size.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable, Transform } from 'node:stream';

export type UploadVerdict =
  | { ok: true; stream?: Readable; upload?: { path: string; bytes: number; type: string } }
  | { ok: false; reason: 'upload_too_large'; details: Record<string, unknown> };

export async function limitUpload(req: IncomingMessage, contentsWrite: boolean, maxBytes: number): Promise<UploadVerdict> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (declared !== undefined && declared > maxBytes) return { ok: false, reason: 'upload_too_large', details: { bytes: declared, limit: maxBytes } };
  if (!chunked && !declared) return { ok: true };
  if (contentsWrite) {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      total += c.length;
      if (total > maxBytes) return { ok: false, reason: 'upload_too_large', details: { bytes: total, limit: maxBytes } };
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    let type = 'unknown';
    try {
      const model = JSON.parse(body.toString('utf8')) as { type?: unknown };
      if (typeof model.type === 'string') type = model.type;
    } catch {
      // Not a JSON model (e.g. a rename): forwarded as it is; Jupyter judges it.
    }
    delete req.headers['transfer-encoding'];
    req.headers['content-length'] = String(body.length);
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\/rooms\/[^/]+\/api\/contents\/?/, ''));
    return { ok: true, stream: Readable.from([body]), ...(type === 'file' ? { upload: { path, bytes: body.length, type } } : {}) };
  }
  if (!chunked) return { ok: true };
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > maxBytes) return cb(new Error('upload too large'));
      cb(null, chunk);
    },
  });
  const out = new PassThrough();
  req.pipe(counter).pipe(out);
  counter.on('error', (err) => out.destroy(err));
  return { ok: true, stream: out };
}
