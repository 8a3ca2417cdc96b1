export type { Queryable, Store } from './types.ts';
export type { Listening } from './listen.ts';
export { migrate, listMigrations } from './migrate.ts';
import { createPgStore } from './postgres.ts';
import { startEmbedded, type EmbeddedOptions } from './embedded.ts';
import type { Store } from './types.ts';

export { createPgStore };

/**
 * Opens the store: `databaseUrl` when given, else the embedded server in `dataDir`.
 * `close()` also stops the embedded server.
 */
export async function openStore(opts: {
  databaseUrl?: string | undefined;
  dataDir: string;
  log?: (m: string) => void;
  embedded?: EmbeddedOptions;
}): Promise<Store & { pool: import('pg').Pool }> {
  if (opts.databaseUrl) {
    let where = 'external postgresql';
    try {
      const url = new URL(opts.databaseUrl);
      where = `postgresql://${url.searchParams.get('host') ?? url.hostname}:${url.port || 5432}${url.pathname}`;
    } catch {
      // The description is for logs only; pg parses the URL itself.
    }
    return createPgStore({ connectionString: opts.databaseUrl }, where);
  }
  const server = await startEmbedded(opts.dataDir, opts.log, opts.embedded);
  const store = createPgStore(
    { host: server.socketDir, port: server.port, user: server.user, password: server.password, database: server.database },
    `embedded postgresql in ${opts.dataDir}`,
  );
  const close = store.close;
  return Object.assign(store, {
    async close() {
      await close();
      await server.stop();
    },
  });
}

export { startEmbedded } from './embedded.ts';
