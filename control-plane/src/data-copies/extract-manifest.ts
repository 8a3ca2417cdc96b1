/**
 * The manifest of an approved data copy (`manifest.json` beside its files) and its verification.
 * A room mounts the copy read-only; researchers read the manifest to know what they have.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { sha256File } from './generator.ts';
import { lit, openDuck, rowsOf } from './duckdb.ts';
import { CopyManifestSchema } from './schemas.ts';

export { CopyManifestSchema, type CopyFile, type CopyManifest } from './schemas.ts';

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
