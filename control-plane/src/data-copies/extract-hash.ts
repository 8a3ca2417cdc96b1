/**
 * SHA-256 of an extract's files on a worker thread.
 *
 * After the COPY the extract's main thread has CPU work of its own (de-duplicating the persons,
 * the pseudonym collision check) while DuckDB's threads are idle; hashing the written file on
 * another thread meanwhile takes it off the extract's critical path. The worker is started before
 * the COPY so its start-up is hidden too. If the worker cannot run, files are hashed here instead.
 */
import { Worker } from 'node:worker_threads';
import { sha256File } from './generator.ts';

type Reply = { id: number; sha256: string } | { id: number; error: string };

export class FileHasher {
  #worker: Worker | null;
  #pending = new Map<number, { resolve: (hex: string) => void; reject: (err: Error) => void }>();
  #next = 0;
  #closed = false;

  constructor() {
    this.#worker = new Worker(new URL('./extract-hash-worker.ts', import.meta.url));
    this.#worker.unref();
    this.#worker.on('message', (r: Reply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if ('sha256' in r) p?.resolve(r.sha256);
      else p?.reject(new Error(r.error));
    });
    const broken = (err: Error) => {
      this.#worker = null;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', broken);
    this.#worker.on('exit', () => broken(new Error('hash worker exited')));
  }

  /** The lowercase hex SHA-256 of the file at `path` (hashed on this thread if the worker is gone). */
  hash(path: string): Promise<string> {
    const worker = this.#worker;
    if (!worker) return sha256File(path);
    const id = ++this.#next;
    const reply = new Promise<string>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    worker.postMessage({ id, path });
    return reply.catch((err: Error) => {
      if (this.#closed) throw err;
      return sha256File(path);
    });
  }

  /** Stops the worker; pending hashes reject. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }
}
