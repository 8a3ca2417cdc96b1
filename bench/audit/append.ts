/**
 * Append rate of durable audit events on the embedded PostgreSQL: 64 concurrent writers through
 * the real group-commit service, against a single client committing one INSERT at a time (the
 * naive peer), in the same run. Every counted event was acknowledged only after its COMMIT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditService } from '../../control-plane/src/audit/index.ts';
import { type AuditEntryInput, systemClock } from '../../control-plane/src/platform/index.ts';
import { migrate, openStore } from '../../control-plane/src/store/index.ts';

const event = (i: number): AuditEntryInput => ({
  actor: `user${i % 50}`,
  role: 'researcher',
  action: 'project.read',
  object: `project:p${i % 7}`,
  projectId: `p${i % 7}`,
  outcome: 'success',
  reason: null,
  requestId: `req-${i}`,
  clientAddress: '127.0.0.1',
  details: { n: i },
});

export async function benchAppend(seconds = 5, writers = 64): Promise<{ groupPerS: number; naivePerS: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tre-bench-audit-'));
  const store = await openStore({ dataDir: dir });
  try {
    await migrate(store);
    const audit = createAuditService({ pool: store.pool, clock: systemClock });
    let count = 0;
    const until = Date.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        while (Date.now() < until) {
          await audit.record(event(w * 1_000_000 + count));
          count += 1;
        }
      }),
    );
    const groupPerS = count / ((performance.now() - t0) / 1000);
    await audit.close();

    // The peer: one client, one INSERT and COMMIT per event.
    let naive = 0;
    const naiveUntil = Date.now() + Math.min(seconds, 3) * 1000;
    const t1 = performance.now();
    await store.query('CREATE TABLE bench_naive (seq bigserial PRIMARY KEY, actor text, action text, object text, details jsonb, at timestamptz)');
    while (Date.now() < naiveUntil) {
      const e = event(naive);
      await store.query('INSERT INTO bench_naive (actor, action, object, details, at) VALUES ($1, $2, $3, $4, now())', [
        e.actor,
        e.action,
        e.object,
        JSON.stringify(e.details),
      ]);
      naive += 1;
    }
    const naivePerS = naive / ((performance.now() - t1) / 1000);
    return { groupPerS, naivePerS };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
