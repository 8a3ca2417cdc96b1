/**
 * A lease in the store elects the one control plane that reconciles rooms; every control plane
 * serves the API and the proxy. The holder renews before each pass; another may take the lease
 * only once it has expired. Times come from the injected clock, so hosts sharing a database
 * must keep their clocks in step (NTP) to well within the lease length.
 */
import type { Clock } from '../platform/index.ts';
import type { Queryable } from '../store/index.ts';

export interface Lease {
  /** Takes or renews the lease; true when this holder has it until now + ttl. */
  acquire(): Promise<boolean>;
  /** Gives it up (on stop) so another control plane takes over at once. */
  release(): Promise<void>;
  holder(): Promise<string | null>;
}

export function storeLease(q: Queryable, clock: Clock, name: string, holderId: string, ttlMs: number): Lease {
  return {
    async acquire() {
      const now = clock.now();
      const rows = await q.query<{ holder: string }>(
        `INSERT INTO reconcile_leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
          WHERE reconcile_leases.holder = EXCLUDED.holder OR reconcile_leases.expires_at <= $4
         RETURNING holder`,
        [name, holderId, new Date(now.getTime() + ttlMs), now],
      );
      return rows[0]?.holder === holderId;
    },
    async release() {
      await q.query('DELETE FROM reconcile_leases WHERE name = $1 AND holder = $2', [name, holderId]);
    },
    async holder() {
      const rows = await q.query<{ holder: string; expires_at: Date }>('SELECT holder, expires_at FROM reconcile_leases WHERE name = $1', [name]);
      const r = rows[0];
      return r && r.expires_at > clock.now() ? r.holder : null;
    },
  };
}
