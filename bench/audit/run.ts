/**
 * `npm run bench:audit`: the audit log's two figures (issue 6).
 *  - append rate of durable events with 64 concurrent writers on the embedded PostgreSQL
 *    (target >= 10,000/s), against one client committing one INSERT at a time: `append.ts`;
 *  - time to verify 1 million entries offline (target <= 2 s): `verify.ts`.
 * Prints figures, then as the LAST line one JSON object:
 *   {"bench": "audit", "append_per_s": ..., "verify_1m_s": ...}
 */
import { benchAppend } from './append.ts';
import { benchVerify } from './verify.ts';

async function appendRate(): Promise<number | null> {
  const r = await benchAppend(Number(process.env.BENCH_AUDIT_SECONDS ?? 5));
  console.log(`naive peer (one client, one INSERT per commit): ${Math.round(r.naivePerS)} events/s`);
  return r.groupPerS;
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
