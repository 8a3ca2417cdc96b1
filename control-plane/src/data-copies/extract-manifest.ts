/**
 * The manifest of an approved data copy (`manifest.json` beside its files) and its verification.
 * A room mounts the copy read-only; researchers read the manifest to know what they have.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { sha256File } from './generator.ts';
import { lit, openDuck, rowsOf } from './duckdb.ts';

export const CopyFileSchema = z.object({
  /** File name inside the copy directory. */
  name: z.string().regex(/^[a-z0-9_]+\.(parquet|csv)$/),
  dataset: z.string(),
  format: z.enum(['parquet', 'csv']),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type CopyFile = z.infer<typeof CopyFileSchema>;

export const CopyManifestSchema = z.object({
  kind: z.literal('analyserom.data-copy'),
  projectId: z.string(),
  permitId: z.string(),
  permitVersion: z.number().int(),
  copyVersion: z.number().int(),
  createdAt: z.string(),
  legalBasis: z.object({ code: z.string(), honoursOptOut: z.boolean() }),
  period: z.object({ from: z.string(), to: z.string() }),
  linkage: z.boolean(),
  cohort: z.array(z.record(z.string(), z.unknown())),
  pseudonym: z.object({
    scheme: z.enum(['aes-256-prf', 'hmac-sha256']),
    column: z.literal('person_id'),
    /** Non-secret fingerprint of the project key: equal fingerprints mean comparable pseudonyms. */
    keyFingerprint: z.string(),
  }),
  datasets: z.array(
    z.object({
      dataset: z.string(),
      sourceVersion: z.string(),
      sourceSha256: z.string(),
      rows: z.number().int().nonnegative(),
      persons: z.number().int().nonnegative(),
      droppedDirectIdentifiers: z.array(z.string()),
      variables: z.array(
        z.object({
          name: z.string(),
          type: z.string(),
          label: z.string(),
          unit: z.string().nullable(),
          codeList: z.string().nullable(),
          class: z.string(),
        }),
      ),
    }),
  ),
  files: z.array(CopyFileSchema),
});
export type CopyManifest = z.infer<typeof CopyManifestSchema>;

export interface CopyCheck {
  ok: boolean;
  problems: string[];
}

/** Re-reads a copy directory and checks every file against its manifest (hash, size, rows). */
export async function verifyCopy(dir: string): Promise<CopyCheck> {
  const manifest = CopyManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const problems: string[] = [];
  const duck = await openDuck({ threads: 1 });
  try {
    for (const f of manifest.files) {
      const path = join(dir, f.name);
      const st = await stat(path).catch(() => null);
      if (!st) {
        problems.push(`${f.name}: missing`);
        continue;
      }
      if (st.size !== f.bytes) problems.push(`${f.name}: ${st.size} bytes, manifest says ${f.bytes}`);
      const sha = await sha256File(path);
      if (sha !== f.sha256) problems.push(`${f.name}: sha256 ${sha}, manifest says ${f.sha256}`);
      const reader = f.format === 'parquet' ? `read_parquet(${lit(path)})` : `read_csv(${lit(path)}, header = true, all_varchar = true)`;
      const [r] = await rowsOf<{ n: bigint }>(duck.conn, `SELECT count(*) AS n FROM ${reader}`);
      if (Number(r?.n) !== f.rows) problems.push(`${f.name}: ${Number(r?.n)} rows, manifest says ${f.rows}`);
    }
  } finally {
    duck.close();
  }
  return { ok: problems.length === 0, problems };
}
