/**
 * DuckDB helpers shared by the generator, intake and extracts. Each job opens its own in-memory
 * instance (no shared database file, so jobs cannot see each other's tables) and closes it after.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createRequire } from 'node:module';

/**
 * The low-level bindings under @duckdb/node-api, resolved from node-api itself so that they are the
 * same native module instance (handles such as a scalar function's pass between the two). Used
 * where node-api's per-call objects cost too much: a scalar function called thousands of times a
 * second (see extract-pids.ts).
 */
export const duckdbBindings = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'))(
  '@duckdb/node-bindings',
) as typeof import('@duckdb/node-bindings');

export interface DuckJob {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  /** Idempotent. */
  close(): void;
}

/** Opens a private in-memory DuckDB. `tempDir` is where DuckDB may spill when a join outgrows memory. */
export async function openDuck(opts: { threads?: number; memoryLimit?: string; tempDir?: string } = {}): Promise<DuckJob> {
  const config: Record<string, string> = {};
  if (opts.threads) config.threads = String(opts.threads);
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  if (opts.tempDir) config.temp_directory = opts.tempDir;
  const instance = await DuckDBInstance.create(':memory:', config);
  const conn = await instance.connect();
  let open = true;
  return {
    instance,
    conn,
    close() {
      if (!open) return;
      open = false;
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** An SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier. */
export function ident(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** Rows of a query as plain objects (small results only). */
export async function rowsOf<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as T[];
}

/**
 * Runs `sql` while polling DuckDB's progress every `everyMs`, reporting `fraction` in 0..1.
 * When `signal` aborts, the query is interrupted and the promise rejects.
 * Resolves to the statement's changed-row count (rows written, for COPY).
 */
export async function runWithProgress(
  conn: DuckDBConnection,
  sql: string,
  onFraction?: (fraction: number) => void,
  signal?: AbortSignal,
  everyMs = 200,
): Promise<number> {
  signal?.throwIfAborted();
  const onAbort = () => conn.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = onFraction
    ? setInterval(() => {
        const p = conn.progress.percentage;
        if (p >= 0) onFraction(Math.min(1, p / 100));
      }, everyMs)
    : undefined;
  let changed = 0;
  try {
    changed = (await conn.run(sql)).rowsChanged;
  } catch (err) {
    signal?.throwIfAborted();
    throw err;
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  signal?.throwIfAborted();
  return changed;
}
