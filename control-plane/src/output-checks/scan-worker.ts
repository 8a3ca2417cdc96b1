/**
 * The content scanners' thread (see `scan-pool.ts`): one file at a time, `checkFileBytes` on
 * the bytes posted, the result posted back. A scan over its time budget is not interrupted
 * here; the pool terminates the whole worker.
 */
import { parentPort } from 'node:worker_threads';
import { checkFileBytes, type FileCheckOptions, type FileCheckResult } from './file-check.ts';

export interface ScanRequest {
  id: number;
  name: string;
  bytes: Uint8Array;
  opts: FileCheckOptions;
}

export type ScanReply = { id: number; result: FileCheckResult } | { id: number; error: string };

parentPort!.on('message', (m: ScanRequest) => {
  try {
    const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    parentPort!.postMessage({ id: m.id, result: checkFileBytes(m.name, bytes, m.opts) } satisfies ScanReply);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ScanReply);
  }
});
