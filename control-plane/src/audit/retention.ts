import type { Queryable } from '../store/index.ts';

/**
 * Audit retention, in days: at least a year, and it can only be raised. The platform never
 * deletes entries itself; the setting records the promise so a later configuration cannot
 * quietly shorten it. A start with a lower value than the stored one is refused.
 */
export async function enforceRetention(q: Queryable, days: number): Promise<number> {
  if (days < 365) throw new Error(`audit retention must be at least 365 days (got ${days})`);
  const [row] = await q.query<{ value: number }>(`SELECT value FROM platform_settings WHERE name = 'audit_retention_days'`);
  if (row && days < Number(row.value)) {
    throw new Error(`audit retention can only be raised: it is ${row.value} days, the configuration asks for ${days}`);
  }
  await q.query(
    `INSERT INTO platform_settings (name, value) VALUES ('audit_retention_days', to_jsonb($1::int))
     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, changed_at = now() WHERE platform_settings.value::int < EXCLUDED.value::int`,
    [days],
  );
  return Math.max(days, Number(row?.value ?? 0));
}
