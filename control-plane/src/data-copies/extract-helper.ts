/**
 * A worker thread that takes work off the extract's critical path.
 *
 * After the COPY, DuckDB's threads are idle and the main thread has CPU work of its own
 * (de-duplicating the persons, the pseudonym collision check). Meanwhile the helper hashes the
 * written file and de-duplicates half of the persons' buckets (see `PersonLog.distinctWith`). It is
 * started before the COPY so its start-up is hidden too. If the worker cannot run, the work is done
 * on the calling thread instead.
 *
 * One helper serves every extract of the process (`extractHelper()`): a new worker per extract would
 * run its hot loops cold, unoptimised by the JIT, each time. Idle, it does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { sha256File } from './generator.ts';
import type { HelperReply, HelperRequest } from './extract-helper-worker.ts';
import { dedupeBuckets, type BucketHelper, type Buckets } from './person-log.ts';

type Request = HelperRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export class ExtractHelper {
  #worker: Worker | null;
  #pending = new Map<number, { resolve: (r: HelperReply) => void; reject: (err: Error) => void }>();
  #next = 0;
  #closed = false;

  constructor() {
    this.#worker = new Worker(new URL('./extract-helper-worker.ts', import.meta.url));
    // Idle, the worker must not keep the process alive; with a request pending it must, or an
    // await on its reply with nothing else scheduled would let the process exit.
    this.#worker.unref();
    this.#worker.on('message', (r: HelperReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (this.#pending.size === 0) this.#worker?.unref();
      if ('error' in r) p?.reject(new Error(r.error));
      else p?.resolve(r);
    });
    const broken = (err: Error) => {
      this.#worker = null;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', broken);
    this.#worker.on('exit', () => broken(new Error('extract helper exited')));
  }

  /** Sends `req` to the worker; if there is none (or it fails), `here` does the work on this thread. */
  #run<T>(req: Request, here: () => Promise<T> | T, answer: (r: HelperReply) => T): Promise<T> {
    const worker = this.#worker;
    if (!worker) return Promise.resolve().then(here);
    const id = ++this.#next;
    const reply = new Promise<HelperReply>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ ...req, id });
    return reply.then(answer, (err: Error) => {
      if (this.#closed) throw err;
      return here();
    });
  }

  /** The lowercase hex SHA-256 of the file at `path`. */
  hash(path: string): Promise<string> {
    return this.#run(
      { op: 'hash', path },
      () => sha256File(path),
      (r) => ('sha256' in r && r.sha256) || '',
    );
  }

  /** `dedupeBuckets(buckets, from, to)` on the worker: pass to `PersonLog.distinctWith`. */
  readonly dedupe: BucketHelper = (buckets: Buckets, from: number, to: number) => {
    const { rows, starts, kept } = buckets;
    if (!(rows.buffer instanceof SharedArrayBuffer && starts.buffer instanceof SharedArrayBuffer && kept.buffer instanceof SharedArrayBuffer)) {
      return Promise.resolve().then(() => dedupeBuckets(buckets, from, to));
    }
    const req: Request = { op: 'dedupe', rows: rows.buffer, starts: starts.buffer, kept: kept.buffer, n: rows.length, buckets: kept.length, from, to };
    return this.#run(
      req,
      () => dedupeBuckets(buckets, from, to),
      () => undefined,
    );
  };

  /** Whether the worker is there to take requests. */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** Stops the worker; pending requests reject. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }
}

let shared: ExtractHelper | null = null;

/** The process's extract helper, started on first use and again if its worker has gone. */
export function extractHelper(): ExtractHelper {
  if (!shared?.running) shared = new ExtractHelper();
  return shared;
}
