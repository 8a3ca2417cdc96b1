/**
 * DuckDB helpers shared by the generator, intake and extracts. Each job opens its own in-memory
 * instance (no shared database file, so jobs cannot see each other's tables) and closes it after.
 */
import { DuckDBBigIntVector, DuckDBDoubleVector, DuckDBInstance, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { endianness } from 'node:os';

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

/**
 * The values of a DOUBLE vector as a Float64Array (a copy the vector object keeps), to read
 * instead of calling `getItem` per row; NULL rows hold arbitrary values, so use it only where the
 * SQL rules NULL out. Same package internal as `bigintVectorWords` (field `items`), checked at
 * run time: null when it does not hold.
 */
export function doubleVectorItems(vector: DuckDBVector): Float64Array | null {
  if (!(vector instanceof DuckDBDoubleVector)) return null;
  const items: unknown = (vector as unknown as { items?: unknown }).items;
  return items instanceof Float64Array && items.length >= vector.itemCount ? items : null;
}

/**
 * The data of a BIGINT vector as 32-bit words in native little-endian layout (row i: `[2i]` low
 * word, `[2i + 1]` high word), to fill before `flush()` instead of calling `setItem` per row, which
 * makes and range-checks a BigInt per row. @duckdb/node-api keeps a BIGINT vector's data in a
 * BigInt64Array field `items` that its typings mark private; this checks that at run time and
 * returns null when it does not hold (or on a big-endian host), so callers keep a `setItem` path.
 */
export function bigintVectorWords(vector: DuckDBVector): Uint32Array | null {
  if (!(vector instanceof DuckDBBigIntVector) || endianness() !== 'LE') return null;
  const items: unknown = (vector as unknown as { items?: unknown }).items;
  if (!(items instanceof BigInt64Array) || items.length < vector.itemCount) return null;
  return new Uint32Array(items.buffer, items.byteOffset, items.length * 2);
}
