import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from './types.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** Arbitrary constant: serialises migration runs of several control planes on one database. */
const MIGRATION_LOCK = 7_412_001;

export interface Migration {
  version: string;
  sql: string;
}

/** Migrations are `NNNN-name.sql` files, applied once each in name order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.slice(0, -4), sql: readFileSync(`${dir}/${f}`, 'utf8') }));
}

/**
 * Applies pending migrations, each in its own transaction under an advisory lock, so two
 * instances starting together neither race nor half-apply. Returns the versions applied.
 * (A dozen lines, so no migration library: they bring their own file conventions and CLIs.)
 */
export async function migrate(store: Store, migrations = listMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await store.query('CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const m of migrations) {
    const done = await store.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const rows = await q.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rows.length > 0) return false;
      await q.query(m.sql);
      await q.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
