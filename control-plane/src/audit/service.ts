/**
 * The single audit path. `record` resolves only once the entry is committed to `audit_log`;
 * callers must not proceed (nor answer) before it resolves. Concurrent entries are committed
 * in groups: one transaction per batch appends them with consecutive sequence numbers, each
 * hash chained on the one before, under a transaction-scoped advisory lock so that several
 * control planes on one database keep one linear chain without a lock per request.
 */
import type { Pool } from 'pg';
import { UnavailableError } from '../errors/index.ts';
import type { Clock, AuditEntry, AuditEntryInput, AuditService } from '../platform/index.ts';
import { entryHash, GENESIS_HASH } from './hash.ts';

const AUDIT_LOCK = 7_412_002;
const MAX_BATCH = 2_000;

interface Pending {
  input: AuditEntryInput;
  resolve: (r: { seq: number; hash: string }) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitAudit extends AuditService {
  /** Waits for entries in flight; later `record` calls fail. */
  close(): Promise<void>;
}

export function createAuditService(deps: { pool: Pool; clock: Clock }): GroupCommitAudit {
  const queue: Pending[] = [];
  let flushing: Promise<void> | null = null;
  let closed = false;

  async function writeBatch(batch: Pending[]): Promise<AuditEntry[]> {
    const client = await deps.pool.connect();
    try {
      // One round trip opens the transaction, takes the chain lock and reads the tip.
      const opened = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(${AUDIT_LOCK}); SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`,
      )) as unknown as { rows: { seq: number; hash: string }[] }[];
      const tip = opened[2]?.rows[0];
      let seq = tip?.seq ?? -1;
      let prevHash = tip?.hash ?? GENESIS_HASH;
      const time = deps.clock.now().toISOString();
      const entries: AuditEntry[] = batch.map(({ input }) => {
        seq += 1;
        const base = { ...input, details: input.details ?? {}, seq, time, prevHash };
        const hash = entryHash(base);
        prevHash = hash;
        return { ...base, hash };
      });
      const col = <K extends keyof AuditEntry>(k: K) => entries.map((e) => e[k]);
      await client.query(
        `INSERT INTO audit_log (seq, time, time_text, actor, role, action, object, project_id, outcome, reason, request_id, client_address, details, prev_hash, hash)
         SELECT s, t::timestamptz, t, a, r, ac, o, p, oc, re, rq, ca, d::jsonb, ph, h
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
             AS x(s, t, a, r, ac, o, p, oc, re, rq, ca, d, ph, h)`,
        [
          col('seq'),
          col('time'),
          col('actor'),
          col('role'),
          col('action'),
          col('object'),
          col('projectId'),
          col('outcome'),
          col('reason'),
          col('requestId'),
          col('clientAddress'),
          entries.map((e) => JSON.stringify(e.details ?? {})),
          col('prevHash'),
          col('hash'),
        ],
      );
      await client.query('COMMIT');
      return entries;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const entries = await writeBatch(batch);
        batch.forEach((p, i) => p.resolve({ seq: entries[i]!.seq, hash: entries[i]!.hash }));
      } catch (err) {
        const failure = new UnavailableError('the audit log cannot record this action, so it was not done', { reason: 'audit_unavailable', cause: err });
        for (const p of batch) p.reject(failure);
      }
    }
  }

  function kick(): void {
    if (flushing) return;
    flushing = drain().finally(() => {
      flushing = null;
      if (queue.length > 0) kick();
    });
  }

  return {
    record(input) {
      if (closed) return Promise.reject(new UnavailableError('the audit log is closed', { reason: 'audit_unavailable' }));
      return new Promise((resolve, reject) => {
        queue.push({ input, resolve, reject });
        kick();
      });
    },
    async close() {
      closed = true;
      while (flushing) await flushing;
    },
  };
}
