/** Worker entry: verifies one byte range of an export (see export-verify-scan.ts) and posts the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { scanRange } from './export-verify-scan.ts';

const { path, start, end, treeSize } = workerData as { path: string; start: number; end: number; treeSize: number };
parentPort?.postMessage(scanRange(path, start, end, treeSize));
