/**
 * The content scanners' thread (see `scan-pool.ts`): one file at a time, `checkFileBytes` on
 * the bytes posted, the result posted back. A scan over its time budget is not interrupted
 * here; the pool terminates the whole worker.
 */
import { parentPort } from 'node:worker_threads';
import { checkFileBytes, type FileCheckOptions, type FileCheckResult } from './file-check.ts';

export type ScanRequest =
  | { id: number; op: 'check'; name: string; bytes: Uint8Array; opts: FileCheckOptions }
  | { id: number; op: 'number-tokens'; bytes: Uint8Array };

export type ScanReply = { id: number; result: FileCheckResult | string[] } | { id: number; error: string };

/** Runs of 6 to 20 digits standing alone: the candidates for the pseudonym lookup. */
const NUMBER_TOKEN = /(?<![\p{L}\p{N}_-])\d{6,20}(?![\p{L}\p{N}_-])/gu;

parentPort!.on('message', (m: ScanRequest) => {
  try {
    const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    const result = m.op === 'check' ? checkFileBytes(m.name, bytes, m.opts) : [...new Set(bytes.toString('utf8').match(NUMBER_TOKEN) ?? [])];
    parentPort!.postMessage({ id: m.id, result } satisfies ScanReply);
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ScanReply);
  }
});
