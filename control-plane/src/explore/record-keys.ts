/**
 * The explorer's copy of a register version, with the record keys beside it.
 *
 * Per stored register version (by its sha256) one Parquet file under `<dataDir>/explore/<dataset>/`
 * holds the version's variables with:
 * - `tre_pid BIGINT`: the person variable (the 11-digit identity number) as a number, so that
 *   linking and counting persons groups on an integer, not a string; other direct identifiers dropped;
 * - `tre_rkey UINTEGER`: the person's record key, the first 32 bits of SHA-256(secret ‖ identity
 *   number), the secret being the platform's kept secret `explore-record-key` (32 random bytes, sealed
 *   in the store). Keyed SHA-256 in DuckDB rather than HMAC because DuckDB has no HMAC and a Node
 *   function would cost a call per vector; the keys never leave the server, so the length-extension
 *   property that HMAC guards against is not reachable. The key is fixed per person: the same in every
 *   register and every version, derived rather than stored, so no table of keys has to be joined;
 * - `tre_birth_year SMALLINT`, `tre_sex VARCHAR` ('1' male, '2' female): read once from the identity
 *   number with the extract's own rules (`fnrBirthYearSql`; the sex digit's parity, as `personConditions`).
 *
 * Built once on first use, written under a temporary name and renamed into place, so a reader never
 * sees half a file; every later query reads it and pays no join for the keys.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset, DatasetVersion } from '../catalog/index.ts';
import { fnrBirthYearSql, lit } from '../data-copies/index.ts';
import type { DuckDBConnection } from '@duckdb/node-api';

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Where the explore file of `version` lives. */
export function exploreFilePath(dataDir: string, dataset: string, version: DatasetVersion): string {
  return join(dataDir, 'explore', dataset, `${version.sha256}.parquet`);
}

/** The SQL that writes the explore file of `source` (a register version's Parquet) to `out`. */
export function exploreFileSql(dataset: Dataset, source: string, out: string, secretHex: string): string {
  const person = ident(dataset.personVariable);
  const cols = dataset.variables.filter((v) => v.class !== 'direct_identifier').map((v) => `s.${ident(v.name)}`);
  const fnr = `k.fnr`;
  return `COPY (
    WITH k AS (
      SELECT fnr, CAST(('0x' || substr(sha256(${lit(secretHex)} || fnr), 1, 8)) AS UBIGINT)::UINTEGER AS tre_rkey,
             CAST(${fnrBirthYearSql(fnr)} AS SMALLINT) AS tre_birth_year,
             CASE WHEN CAST(substr(${fnr}, 9, 1) AS INTEGER) % 2 = 1 THEN '1' ELSE '2' END AS tre_sex
      FROM (SELECT DISTINCT CAST(${person} AS VARCHAR) AS fnr FROM read_parquet(${lit(source)}) WHERE ${person} IS NOT NULL) k
    )
    SELECT CAST(k.fnr AS BIGINT) AS tre_pid, k.tre_rkey, k.tre_birth_year, k.tre_sex${cols.length ? `, ${cols.join(', ')}` : ''}
    FROM read_parquet(${lit(source)}) s JOIN k ON k.fnr = CAST(s.${person} AS VARCHAR)
    ORDER BY tre_pid
  ) TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd)`;
}

const building = new Map<string, Promise<string>>();

/**
 * The explore file of a version, built on first use. Concurrent callers share one build; two
 * control planes building the same file both write a complete file under their own name and the
 * last rename wins with identical content.
 */
export function ensureExploreFile(
  conn: () => Promise<DuckDBConnection>,
  input: { dataDir: string; dataset: Dataset; version: DatasetVersion; secretHex: string },
): Promise<string> {
  const out = exploreFilePath(input.dataDir, input.dataset.name, input.version);
  if (existsSync(out)) return Promise.resolve(out);
  const pending = building.get(out);
  if (pending) return pending;
  const job = (async () => {
    await mkdir(join(input.dataDir, 'explore', input.dataset.name), { recursive: true });
    const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
    const c = await conn();
    try {
      await c.run(exploreFileSql(input.dataset, join(input.dataDir, input.version.path), tmp, input.secretHex));
      await rename(tmp, out);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    } finally {
      c.closeSync();
    }
    return out;
  })().finally(() => building.delete(out));
  building.set(out, job);
  return job;
}
