/**
 * Worker thread of `extract-hash.ts`: answers `{ id, path }` with `{ id, sha256 }` (lowercase hex)
 * or `{ id, error }`. Deliberately imports nothing of the platform (no DuckDB in this thread).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', async ({ id, path }: { id: number; path: string }) => {
  try {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 })) h.update(chunk as Buffer);
    parentPort?.postMessage({ id, sha256: h.digest('hex') });
  } catch (err) {
    parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
