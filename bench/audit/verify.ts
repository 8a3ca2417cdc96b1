/**
 * The verify half of `bench/audit`: builds a valid export of N entries (default 1 million) and times
 * `verifyExport` over it, with a signed checkpoint over all entries so the Merkle root is recomputed too.
 * Run alone: `node bench/audit/verify.ts [N]`; `run.ts` combines it with the append rate.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  entryHash,
  GENESIS_HASH,
  generateCheckpointKey,
  signCheckpoint,
  MerkleAccumulator,
  leafHash,
  exportLine,
  verifyExport,
} from '../../control-plane/src/audit/index.ts';
import type { AuditEntry } from '../../control-plane/src/platform/index.ts';

export interface VerifyBenchResult {
  entries: number;
  fileBytes: number;
  threads: number;
  /** Best wall time of the runs with the checkpoint (chain + Merkle root + signature), seconds. */
  verifySeconds: number;
  /** CPU seconds (all threads) of that run: what an idle machine's cores must spend. */
  verifyCpuSeconds: number;
  /** Best wall time of the runs without a checkpoint (chain only), seconds. */
  chainOnlySeconds: number;
  runs: { checkpoint: boolean; seconds: number; cpuSeconds: number }[];
}

/** Writes an export of `n` chained entries to `file` and returns a checkpoint note over all of them. */
export async function buildExport(file: string, n: number, privateKeyPem: string): Promise<string> {
  const out = createWriteStream(file);
  const acc = new MerkleAccumulator();
  let prev = GENESIS_HASH;
  let batch: string[] = [];
  for (let i = 0; i < n; i++) {
    const e: Omit<AuditEntry, 'hash'> = {
      seq: i,
      time: new Date(Date.UTC(2026, 0, 1) + i * 37).toISOString(),
      actor: `user-${i % 5000}`,
      role: i % 11 === 0 ? 'access_admin' : 'researcher',
      action: ['project.read', 'room.file.read', 'room.session.open', 'datacopy.read', 'login'][i % 5] as string,
      object: `project:p-${i % 400}`,
      projectId: i % 13 === 0 ? null : `p-${i % 400}`,
      outcome: i % 17 === 0 ? 'denied' : 'success',
      reason: i % 17 === 0 ? 'not a member of the project' : null,
      requestId: `req-${i.toString(36)}-${(i * 7919).toString(36)}`,
      clientAddress: `10.0.${(i >> 8) & 255}.${i & 255}`,
      details: i % 10 === 0 ? { bytes: i * 13, path: `/data/p-${i % 400}/table.parquet` } : {},
      prevHash: prev,
    };
    const full: AuditEntry = { ...e, hash: entryHash(e) };
    prev = full.hash;
    acc.push(leafHash(full.hash));
    batch.push(exportLine(full));
    if (batch.length === 10_000 || i === n - 1) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      batch = [];
    }
  }
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
  const time = new Date(Date.UTC(2026, 0, 2)).toISOString();
  return signCheckpoint({ origin: 'bench/audit', treeSize: n, rootHash: acc.root().toString('hex'), time }, privateKeyPem);
}

/** Builds the export in a temporary directory, verifies it `runs` times each way, and removes it. */
export async function benchVerify(n = 1_000_000, runs = 3, log: (s: string) => void = console.log): Promise<VerifyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'));
  try {
    const file = join(dir, 'export.jsonl');
    const key = generateCheckpointKey();
    const t0 = performance.now();
    const checkpoint = await buildExport(file, n, key.privateKeyPem);
    const fileBytes = statSync(file).size;
    log(`built ${n} entries (${(fileBytes / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const all: VerifyBenchResult['runs'] = [];
    for (let r = 0; r < runs; r++) {
      for (const withCheckpoint of [true, false]) {
        const cpu0 = process.cpuUsage();
        const t = performance.now();
        const result = await verifyExport({ file, publicKey: key.publicKeyPem, ...(withCheckpoint ? { checkpoint } : {}) });
        const seconds = (performance.now() - t) / 1000;
        const c = process.cpuUsage(cpu0);
        const cpuSeconds = (c.user + c.system) / 1e6;
        if (!result.ok || result.entries !== n) throw new Error(`verification failed: ${JSON.stringify(result.failure)}`);
        all.push({ checkpoint: withCheckpoint, seconds, cpuSeconds });
        log(
          `verify ${withCheckpoint ? 'chain + Merkle root + checkpoint' : 'chain only                     '}: ` +
            `${seconds.toFixed(3)} s wall, ${cpuSeconds.toFixed(3)} s CPU (${Math.round(n / seconds).toLocaleString('en')} entries/s)`,
        );
      }
    }
    const full = all.filter((r) => r.checkpoint).sort((a, b) => a.seconds - b.seconds)[0] as VerifyBenchResult['runs'][number];
    const chain = Math.min(...all.filter((r) => !r.checkpoint).map((r) => r.seconds));
    log(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${availableParallelism()} cores (other work slows the wall time)`,
    );
    return {
      entries: n,
      fileBytes,
      threads: availableParallelism(),
      verifySeconds: full.seconds,
      verifyCpuSeconds: full.cpuSeconds,
      chainOnlySeconds: chain,
      runs: all,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const r = await benchVerify(n);
  const per1m = (s: number) => Number(((s * 1_000_000) / n).toFixed(3));
  console.log(
    JSON.stringify({
      bench: 'audit-verify',
      entries: r.entries,
      verify_1m_s: per1m(r.verifySeconds),
      verify_1m_cpu_s: per1m(r.verifyCpuSeconds),
      chain_only_1m_s: per1m(r.chainOnlySeconds),
    }),
  );
}
