/**
 * The explorer's copy of a register version, with the record keys beside it.
 *
 * Per stored register version (by its sha256) one Parquet file under `<dataDir>/explore/<dataset>/`
 * holds the version's variables with:
 * - `tre_person UBIGINT` = identity number · 2^27 + record key: the person and their key in one
 *   integer, unique per person (the identity number is under 10^11, so it fits 64 bits), so that
 *   linking and counting group on one integer column, and `tre_person mod 2^27` is the key: the
 *   cell's key is a sum over what the count already groups, with no column or join besides;
 *   other direct identifiers are dropped;
 * - the record key: the first 27 bits of SHA-256(secret ‖ identity number), the secret being the
 *   platform's kept secret `explore-record-key` (32 random bytes, sealed in the store). 27 bits
 *   give the cell key a resolution of 1/2^27, far finer than any perturbation table's steps. Keyed SHA-256 in DuckDB rather than HMAC because DuckDB has no HMAC and a Node
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
import { KEY_MODULUS } from './ptable.ts';

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The layout of explore files; part of their name, so a change of layout never reads an old file. */
const LAYOUT = 'p27';

/** Where the explore file of `version` lives. */
export function exploreFilePath(dataDir: string, dataset: string, version: DatasetVersion): string {
  return join(dataDir, 'explore', dataset, `${version.sha256}.${LAYOUT}.parquet`);
}

/** The SQL that writes the explore file of `source` (a register version's Parquet) to `out`. */
export function exploreFileSql(dataset: Dataset, source: string, out: string, secretHex: string): string {
  const person = ident(dataset.personVariable);
  const cols = dataset.variables.filter((v) => v.class !== 'direct_identifier').map((v) => `s.${ident(v.name)}`);
  const fnr = `k.fnr`;
  return `COPY (
    WITH k AS (
      SELECT fnr, CAST(('0x' || substr(sha256(${lit(secretHex)} || fnr), 1, 8)) AS UBIGINT) % ${KEY_MODULUS} AS rkey,
             CAST(${fnrBirthYearSql(fnr)} AS SMALLINT) AS tre_birth_year,
             CASE WHEN CAST(substr(${fnr}, 9, 1) AS INTEGER) % 2 = 1 THEN '1' ELSE '2' END AS tre_sex
      FROM (SELECT DISTINCT CAST(${person} AS VARCHAR) AS fnr FROM read_parquet(${lit(source)}) WHERE ${person} IS NOT NULL) k
    )
    SELECT CAST(k.fnr AS UBIGINT) * ${KEY_MODULUS} + k.rkey AS tre_person, k.tre_birth_year, k.tre_sex${cols.length ? `, ${cols.join(', ')}` : ''}
    FROM read_parquet(${lit(source)}) s JOIN k ON k.fnr = CAST(s.${person} AS VARCHAR)
    ORDER BY tre_person
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
