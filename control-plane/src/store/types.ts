import type { ListenHandlers, Listening } from './listen.ts';

/** The one PostgreSQL dialect the platform speaks. Rows come back as plain objects. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Store extends Queryable {
  /** Runs `fn` in one transaction; rolls back if it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * `LISTEN` on `channel` over a connection of its own, reconnecting (`listen.ts`); `connected`
   * runs after every (re)connection, as notifications may have been missed meanwhile.
   */
  listen(channel: string, on: ListenHandlers): Listening;
  /** Where the store lives, for logs (no secrets). */
  readonly description: string;
  close(): Promise<void>;
}
