/**
 * Worker thread of `extract-helper.ts`. Requests `{ id, op, ... }` are answered `{ id, sha256 }`,
 * `{ id }` or `{ id, error }`, one at a time in order of arrival:
 * - `hash { path }`: lowercase hex SHA-256 of the file;
 * - `dedupe { rows, starts, kept, n, from, to }`: `dedupeBuckets` over shared memory.
 * Imports nothing that loads DuckDB.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { dedupeBuckets } from './person-log.ts';

export type HelperRequest =
  | { id: number; op: 'hash'; path: string }
  | {
      id: number;
      op: 'dedupe';
      rows: SharedArrayBuffer;
      starts: SharedArrayBuffer;
      kept: SharedArrayBuffer;
      n: number;
      buckets: number;
      from: number;
      to: number;
    };

export type HelperReply = { id: number; sha256?: string } | { id: number; error: string };

async function handle(req: HelperRequest): Promise<HelperReply> {
  if (req.op === 'hash') {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(req.path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
    return { id: req.id, sha256: h.digest('hex') };
  }
  const buckets = {
    rows: new Float64Array(req.rows, 0, req.n),
    starts: new Uint32Array(req.starts, 0, req.buckets + 1),
    kept: new Uint32Array(req.kept, 0, req.buckets),
  };
  dedupeBuckets(buckets, req.from, req.to);
  return { id: req.id };
}

// One request at a time: a dedupe waits for a hash in progress rather than competing with it.
let queue = Promise.resolve();
parentPort?.on('message', (req: HelperRequest) => {
  queue = queue.then(async () => {
    const reply = await handle(req).catch((err: unknown) => ({ id: req.id, error: err instanceof Error ? err.message : String(err) }));
    parentPort?.postMessage(reply);
  });
});
