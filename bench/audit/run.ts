/**
 * `npm run bench:audit`: the audit log's two figures (issue 6).
 *  - append rate of durable events with 64 concurrent writers on the embedded PostgreSQL
 *    (target >= 10,000/s): APPEND HALF TO BE ADDED BY THE LEAD (see `appendRate` below);
 *  - time to verify 1 million entries offline (target <= 2 s): `verify.ts`.
 * Prints figures, then as the LAST line one JSON object:
 *   {"bench": "audit", "append_per_s": ..., "verify_1m_s": ...}
 */
import { benchVerify } from './verify.ts';

/**
 * APPEND HALF (lead): start the embedded store, migrate, create the audit service, and have 64
 * concurrent writers `record()` for a fixed time; return acknowledged events per second.
 * Returns null until written, so the JSON line says so instead of inventing a number.
 */
async function appendRate(): Promise<number | null> {
  return null;
}

const n = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
const append = await appendRate();
console.log(append === null ? 'append rate: not measured yet' : `append rate: ${Math.round(append)} events/s (64 writers)`);
const v = await benchVerify(n);
const per1m = (s: number) => Number(((s * 1_000_000) / n).toFixed(3));
console.log(
  JSON.stringify({
    bench: 'audit',
    append_per_s: append === null ? null : Math.round(append),
    verify_1m_s: per1m(v.verifySeconds),
    verify_1m_cpu_s: per1m(v.verifyCpuSeconds),
    chain_only_1m_s: per1m(v.chainOnlySeconds),
  }),
);
