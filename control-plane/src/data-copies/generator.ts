/**
 * The seeded generator of synthetic registers (no real data anywhere). Rows are produced inside
 * DuckDB and streamed to Parquet, so Node never holds them; 10 million rows take seconds.
 * Each file is written under a temporary name and renamed into place when complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEMO_DATASET_NAMES } from '../catalog/index.ts';
import { InputError } from '../errors/index.ts';
import { lit, openDuck, rowsOf, runWithProgress } from './duckdb.ts';
import { MAX_PERSONS, personsSql, registerSql, sizes } from './generator-sql.ts';

export const GenerateOptionsSchema = z.object({
  /** Rows of the two event registers (patient episodes, prescriptions); the population has rows/10 persons. */
  rows: z.number().int().min(1000).max(150_000_000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  outDir: z.string().min(1),
  /** Which registers to write; all five by default. */
  datasets: z.array(z.enum(DEMO_DATASET_NAMES as [string, ...string[]])).optional(),
  threads: z.number().int().positive().optional(),
});
export type GenerateOptions = z.input<typeof GenerateOptionsSchema>;

export interface GeneratedFile {
  dataset: string;
  path: string;
  rows: number;
  sha256: string;
}

export interface GenerateResult {
  seed: number;
  rows: number;
  persons: number;
  files: GeneratedFile[];
  seconds: number;
}

export interface Progress {
  /** What is being worked on, e.g. a dataset name. */
  stage: string;
  done: number;
  total: number;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Generates the synthetic registers into `outDir` as `<dataset>.parquet` plus `generated.json`. */
export async function generateRegisters(input: GenerateOptions, onProgress?: (p: Progress) => void, signal?: AbortSignal): Promise<GenerateResult> {
  const parsed = GenerateOptionsSchema.safeParse(input);
  if (!parsed.success) throw new InputError(`invalid generator options: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const { persons, episodes, prescriptions, cancer } = sizes(opts.rows);
  if (persons > MAX_PERSONS) throw new InputError(`at most ${MAX_PERSONS} persons (rows ${opts.rows} asks for ${persons})`);
  const wanted = opts.datasets ?? DEMO_DATASET_NAMES;
  const started = performance.now();
  await mkdir(opts.outDir, { recursive: true });
  const duck = await openDuck({ threads: opts.threads });
  const files: GeneratedFile[] = [];
  try {
    onProgress?.({ stage: 'persons', done: 0, total: persons });
    await runWithProgress(duck.conn, personsSql(opts.seed, persons), undefined, signal);
    onProgress?.({ stage: 'persons', done: persons, total: persons });
    const eventRows: Record<string, number> = { patient_episodes: episodes, prescriptions, cancer };
    for (const dataset of DEMO_DATASET_NAMES.filter((d) => wanted.includes(d))) {
      const target = join(opts.outDir, `${dataset}.parquet`);
      const tmp = join(opts.outDir, `.${dataset}.parquet.tmp-${process.pid}`);
      const total = eventRows[dataset] ?? persons;
      try {
        const sql = `COPY (${registerSql(dataset, opts.seed, total, persons)}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd)`;
        await runWithProgress(duck.conn, sql, (f) => onProgress?.({ stage: dataset, done: Math.round(f * total), total }), signal);
        await rename(tmp, target);
      } finally {
        await rm(tmp, { force: true });
      }
      const [count] = await rowsOf<{ n: bigint | number }>(duck.conn, `SELECT count(*) AS n FROM read_parquet(${lit(target)})`);
      const rows = Number(count?.n ?? 0);
      onProgress?.({ stage: dataset, done: rows, total: rows });
      files.push({ dataset, path: target, rows, sha256: await sha256File(target) });
    }
  } finally {
    duck.close();
  }
  const result: GenerateResult = {
    seed: opts.seed,
    rows: opts.rows,
    persons,
    files,
    seconds: (performance.now() - started) / 1000,
  };
  await writeFile(join(opts.outDir, 'generated.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
