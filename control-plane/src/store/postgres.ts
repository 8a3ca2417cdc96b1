import pg from 'pg';
import { listenOn } from './listen.ts';
import type { Queryable, Store } from './types.ts';

// Return int8 (bigint, counts) as JS numbers: our sequences stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// Keep timestamps as ISO strings rather than Date objects, so rows are plain JSON.
pg.types.setTypeParser(1184, (v) => new Date(v).toISOString());
pg.types.setTypeParser(1114, (v) => new Date(`${v}Z`).toISOString());
// Dates as 'YYYY-MM-DD'.
pg.types.setTypeParser(1082, (v) => v);

export function createPgStore(config: pg.PoolConfig, description: string): Store & { pool: pg.Pool } {
  const pool = new pg.Pool({ max: 20, ...config });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends object>(sql: string, params: unknown[] = []) {
      const res = await c.query(sql, params);
      return res.rows as R[];
    },
  });
  const root = wrap(pool);
  return {
    pool,
    description,
    query: root.query,
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    listen: (channel, on) => listenOn(config, channel, on),
    async close() {
      await pool.end();
    },
  };
}
