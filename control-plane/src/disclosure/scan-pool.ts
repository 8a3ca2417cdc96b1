/**
 * File content scans off the request thread. `scanFileBytes` runs `checkFileBytes` in one of a
 * small pool of worker threads, under a time budget (the policy's `files.scanBudgetMs`): a
 * scan still running at the end of its budget has its worker terminated (a synchronous scan
 * cannot be stopped any other way) and the file is refused as not checkable within the time
 * budget, a policy refusal rather than a crash. Meanwhile the event loop serves every other
 * request. The queue is bounded: past it a scan is refused as busy (429) rather than queued
 * without end. Workers start on first use and, idle, do not keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RateLimitedError } from '../errors/index.ts';
import { DEFAULT_SCAN_BUDGET_MS } from '../policies/index.ts';
import type { FileCheckOptions, FileCheckResult } from './file-check.ts';
import type { ScanReply, ScanRequest } from './scan-worker.ts';

const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism() - 1));
const MAX_QUEUED = 32;

type Work = { op: 'check'; name: string; bytes: Buffer; opts: FileCheckOptions } | { op: 'number-tokens'; name: string; bytes: Buffer };

type Job = Work & {
  budgetMs: number;
  resolve(r: FileCheckResult | string[]): void;
  reject(err: Error): void;
};

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | undefined;
}

const slots: Slot[] = [];
const queue: Job[] = [];
let nextId = 0;

const overBudget = (job: Job): FileCheckResult => budgetRefusal(job.name, job.bytes.length, job.budgetMs);

/** The result of a file refused for its scan's time (no type known: the scan did not finish). */
export function budgetRefusal(name: string, size: number, budgetMs: number): FileCheckResult {
  return {
    name,
    size,
    type: { kind: 'binary', mime: 'application/octet-stream' },
    status: 'refused',
    findings: [{ check: 'budget', message: `not checkable within the time budget of ${budgetMs} ms` }],
    counts: {},
  };
}

function spawn(): Slot {
  const slot: Slot = { worker: new Worker(new URL('./scan-worker.ts', import.meta.url)), job: null, timer: undefined };
  slot.worker.unref();
  slot.worker.on('message', (r: ScanReply) => {
    const job = finish(slot);
    if (!job) return;
    if ('error' in r) job.reject(new Error(`file scan failed: ${r.error}`));
    else job.resolve(r.result);
    dispatch();
  });
  const gone = (err: Error) => {
    const at = slots.indexOf(slot);
    if (at >= 0) slots.splice(at, 1);
    finish(slot)?.reject(err);
    dispatch();
  };
  slot.worker.on('error', gone);
  slot.worker.on('exit', () => gone(new Error('file scan worker exited')));
  slots.push(slot);
  return slot;
}

function finish(slot: Slot): Job | null {
  clearTimeout(slot.timer);
  const job = slot.job;
  slot.job = null;
  slot.worker.unref();
  return job;
}

function dispatch(): void {
  while (queue.length > 0) {
    const slot = slots.find((s) => s.job === null) ?? (slots.length < POOL_SIZE ? spawn() : undefined);
    if (!slot) return;
    const job = queue.shift()!;
    slot.job = job;
    slot.worker.ref();
    slot.timer = setTimeout(() => {
      // Over budget: the worker goes (and with it the scan); a fresh one takes the next job.
      slot.job = null;
      const at = slots.indexOf(slot);
      if (at >= 0) slots.splice(at, 1);
      slot.worker.removeAllListeners('exit');
      slot.worker.removeAllListeners('message');
      slot.worker.on('error', () => undefined);
      void slot.worker.terminate();
      job.resolve(overBudget(job));
      dispatch();
    }, job.budgetMs);
    const id = ++nextId;
    slot.worker.postMessage(
      (job.op === 'check'
        ? { id, op: 'check', name: job.name, bytes: job.bytes, opts: job.opts }
        : { id, op: 'number-tokens', bytes: job.bytes }) satisfies ScanRequest,
    );
  }
}

function enqueue(work: Work, budgetMs: number): Promise<FileCheckResult | string[]> {
  if (queue.length >= MAX_QUEUED) {
    return Promise.reject(new RateLimitedError('the file checker is busy; try again shortly', { reason: 'scanner_busy' }));
  }
  return new Promise((resolve, reject) => {
    queue.push({ ...work, budgetMs, resolve, reject });
    dispatch();
  });
}

/** `checkFileBytes` on a worker thread, within the policy's scan budget (see above). */
export async function scanFileBytes(name: string, bytes: Buffer, opts: FileCheckOptions): Promise<FileCheckResult> {
  return (await enqueue({ op: 'check', name, bytes, opts }, opts.rules.scanBudgetMs ?? DEFAULT_SCAN_BUDGET_MS)) as FileCheckResult;
}

/**
 * The distinct runs of 6 to 20 digits in the file's text (the candidates for a pseudonym
 * lookup), found on a worker thread within the scan budget; `null` when over budget.
 */
export async function numberTokens(bytes: Buffer, budgetMs: number): Promise<string[] | null> {
  const r = await enqueue({ op: 'number-tokens', name: '', bytes }, budgetMs);
  return Array.isArray(r) ? r : null;
}
