/**
 * The per-permit extract: the approved data copy of one project.
 *
 * From checked source versions it writes, per permitted dataset, only the permitted variables of
 * the rows inside the permit's period and cohort, minus opted-out persons where the legal basis
 * honours opt-out — or, under the legal basis consent, of exactly the persons whose consent is in
 * force (the opt-out then decides nothing) — with the identity number replaced by the project pseudonym `person_id` and every other
 * direct identifier dropped. Files (Parquet, and CSV for tools without a Parquet reader) and
 * `manifest.json` are written into a temporary directory that is renamed into place only when
 * complete, then made read-only; on any failure or abort the temporary directory is removed.
 *
 * The result names the real persons in the copy (for citizens' insight). The caller stores that
 * list under platform keys and never puts it in a room.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../catalog/index.ts';
import { ConflictError, InputError } from '../errors/index.ts';
import type { Clock } from '../platform/index.ts';
import { ident, lit, openDuck, rowsOf, runWithProgress } from './duckdb.ts';
import { extractHelper } from './extract-helper.ts';
import { aesPidSource, hmacPidSource, type PidSource } from './extract-pids.ts';
import { countDistinctPairs, PersonList, PersonLog, unionIds } from './person-log.ts';
import { CopyManifestSchema, type CopyFile, type CopyManifest } from './extract-manifest.ts';
import { cohortSql, parseScope, personConditions, planExtract, type ExtractScopeInput, type SourceFile } from './extract-scope.ts';
import type { Progress } from './generator.ts';
import { keyFingerprint, type PseudonymScheme } from './pseudonym.ts';

export interface ExtractDeps {
  clock: Clock;
  /** Where copies live: `<copiesDir>/<projectId>/v<copyVersion>/`. */
  copiesDir: string;
}

export interface ExtractInput {
  scope: ExtractScopeInput;
  /** The catalogue's datasets (at least the permitted and cohort ones). */
  catalogue: Dataset[];
  /** The stored source version of each permitted and cohort dataset. */
  sources: SourceFile[];
  /** The project's 32-byte pseudonym key. */
  key: Uint8Array;
  /** Identity numbers of persons who have opted out (reservasjon) now. */
  optedOut: Iterable<string>;
  /**
   * Under a scope that requires consent: the identity numbers of the persons whose consent is in
   * force now, and the consent text's version. The copy holds exactly these persons (within the
   * scope); without it such an extract is refused.
   */
  consent?: { version: string; nationalIds: Iterable<string> };
  /** 1 for the first copy, +1 for each permit amendment. */
  copyVersion: number;
  /** Default both; `parquet` alone for the benchmark. */
  formats?: ('parquet' | 'csv')[];
  scheme?: PseudonymScheme;
  /** DuckDB threads; default `EXTRACT_THREADS` (more than the cores, see there). */
  threads?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface ExtractResult {
  dir: string;
  manifest: CopyManifest;
  /** The real identity numbers in the copy, ascending (platform-only; never into a room). */
  persons: PersonList;
}

/**
 * DuckDB threads for an extract: two more than the cores. The aes-256-prf pseudonym function runs
 * on the one JavaScript thread, and a DuckDB thread that calls it waits, off the CPU, until it
 * returns; with only as many threads as cores, a core idles during each such wait (measured with
 * the first, slower version of the function: a quarter of the copy's core time on 2 cores). The
 * extra threads keep the cores busy meanwhile. On a loaded 2-core machine, interleaved pairs of the
 * COPY gave 4 threads against 2 a median of 0.89 and 0.77 of the time in two runs, 1.06 in a third:
 * worth re-checking on a quiet machine (`BENCH_EXTRACT_THREADS=2 npm run bench:extract`).
 */
export const EXTRACT_THREADS = availableParallelism() + 2;

export async function createExtract(deps: ExtractDeps, input: ExtractInput): Promise<ExtractResult> {
  const scope = parseScope(input.scope);
  if (!Number.isInteger(input.copyVersion) || input.copyVersion < 1) throw new InputError('copyVersion must be a positive integer');
  const scheme = input.scheme ?? 'aes-256-prf';
  const formats = input.formats ?? ['parquet', 'csv'];
  const plans = planExtract(scope, input.catalogue, input.sources);
  const projectDir = join(deps.copiesDir, scope.projectId);
  const finalDir = join(projectDir, `v${input.copyVersion}`);
  if (await stat(finalDir).catch(() => null)) {
    throw new ConflictError(`copy version ${input.copyVersion} of project ${scope.projectId} exists`, { reason: 'copy_exists' });
  }
  await mkdir(projectDir, { recursive: true });
  const tmpDir = join(projectDir, `.tmp-v${input.copyVersion}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmpDir);
  const duck = await openDuck({ threads: input.threads ?? EXTRACT_THREADS, tempDir: join(tmpDir, '.spill') });
  const helper = extractHelper();
  try {
    const { conn } = duck;
    const optOut = scope.legalBasis.honoursOptOut ? [...new Set(input.optedOut)] : [];
    if (optOut.length) {
      await conn.run('CREATE TABLE tre_optout (fnr VARCHAR PRIMARY KEY)');
      const app = await conn.createAppender('tre_optout');
      for (const f of optOut) {
        app.appendVarchar(f);
        app.endRow();
      }
      app.closeSync();
    }
    const consented = scope.legalBasis.requiresConsent ? [...new Set(input.consent?.nationalIds ?? [])] : null;
    if (consented) {
      if (!input.consent) throw new ConflictError('a consent extract needs the set of consents in force', { reason: 'consent_set_missing' });
      await conn.run('CREATE TABLE tre_consent (fnr VARCHAR PRIMARY KEY)');
      const app = await conn.createAppender('tre_consent');
      for (const f of consented) {
        app.appendVarchar(f);
        app.endRow();
      }
      app.closeSync();
    }
    const cohort = cohortSql(scope, input.catalogue, input.sources);
    if (cohort) await conn.run(`CREATE TABLE tre_cohort AS SELECT DISTINCT fnr FROM (${cohort})`);

    const totals = await Promise.all(
      plans.map(async (p) => Number((await rowsOf<{ n: bigint }>(conn, `SELECT count(*) AS n FROM read_parquet(${lit(p.source.path)})`))[0]?.n ?? 0)),
    );
    const total = totals.reduce((a, b) => a + b, 0);
    let doneBefore = 0;
    const personsPerDataset: Float64Array[] = [];
    const files: CopyFile[] = [];
    const datasets: CopyManifest['datasets'] = [];

    for (const [i, plan] of plans.entries()) {
      const ds = plan.dataset;
      const person = `s.${ident(ds.personVariable)}`;
      const from = `read_parquet(${lit(plan.source.path)}) s`;
      const conds = [plan.where, ...personConditions(scope, person)];
      if (cohort) conds.push(`${person} IN (SELECT fnr FROM tre_cohort)`);
      if (optOut.length) conds.push(`${person} NOT IN (SELECT fnr FROM tre_optout)`);
      if (consented) conds.push(`${person} IN (SELECT fnr FROM tre_consent)`);
      const where = conds.join(' AND ');
      const domain = scope.linkage ? 'person' : ds.name;
      const log = new PersonLog();
      const pid: PidSource =
        scheme === 'aes-256-prf'
          ? aesPidSource(conn, input.key, domain, log)
          : await hmacPidSource(duck.instance, conn, input.key, domain, `SELECT ${person} AS fnr FROM ${from} WHERE ${where}`, log);
      const cols = plan.variables.filter((v) => v.name !== ds.personVariable).map((v) => `s.${ident(v.name)}`);
      const select = `SELECT ${pid.expr(person)} AS person_id${cols.length ? `, ${cols.join(', ')}` : ''} FROM ${from} ${pid.join(person)} WHERE ${where}`;
      const parquetName = `${ds.name}.parquet`;
      const parquetPath = join(tmpDir, parquetName);
      const rows = await runWithProgress(
        conn,
        `COPY (${select}) TO ${lit(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`,
        (f) => input.onProgress?.({ stage: ds.name, done: doneBefore + Math.round(f * totals[i]!), total }),
        input.signal,
      );
      doneBefore += totals[i]!;
      input.onProgress?.({ stage: ds.name, done: doneBefore, total });
      const persons = await log.distinctWith(helper.dedupe);
      // Hashed on the helper's thread while this one checks the pseudonyms (the helper has done its
      // share of the persons first: it takes requests in order).
      const hashes = new Map<string, Promise<string>>();
      const startHash = (name: string) => {
        const h = helper.hash(join(tmpDir, name));
        h.catch(() => undefined); // awaited below; a failure meanwhile must not go unhandled
        hashes.set(name, h);
      };
      if (formats.includes('parquet')) startHash(parquetName);
      // Distinct pseudonyms must equal distinct persons: a 64-bit collision would merge two people.
      const { hi, lo } = pid.pairs(persons);
      const pseudonyms = countDistinctPairs(hi, lo);
      if (pseudonyms !== persons.length) {
        throw new Error(`pseudonym collision in ${ds.name}: ${persons.length} persons, ${pseudonyms} pseudonyms`);
      }
      personsPerDataset.push(persons);
      const written: [string, 'parquet' | 'csv'][] = [];
      if (formats.includes('parquet')) written.push([parquetName, 'parquet']);
      if (formats.includes('csv')) {
        const csvName = `${ds.name}.csv`;
        await runWithProgress(
          conn,
          `COPY (FROM read_parquet(${lit(parquetPath)})) TO ${lit(join(tmpDir, csvName))} (FORMAT csv, HEADER true)`,
          undefined,
          input.signal,
        );
        written.push([csvName, 'csv']);
        startHash(csvName);
      }
      if (!formats.includes('parquet')) await rm(parquetPath);
      for (const [name, format] of written) {
        const path = join(tmpDir, name);
        files.push({ name, dataset: ds.name, format, rows, bytes: (await stat(path)).size, sha256: await hashes.get(name)! });
      }
      datasets.push({
        dataset: ds.name,
        sourceVersion: plan.source.version,
        sourceSha256: plan.source.sha256,
        rows,
        persons: persons.length,
        droppedDirectIdentifiers: plan.dropped,
        variables: [
          { name: 'person_id', type: 'integer', label: 'Project pseudonym of the person', unit: null, codeList: null, class: 'indirect_identifier' },
          ...plan.variables
            .filter((v) => v.name !== ds.personVariable)
            .map((v) => ({ name: v.name, type: v.type, label: v.label, unit: v.unit, codeList: v.codeList, class: v.class })),
        ],
      });
    }

    const persons = new PersonList(unionIds(personsPerDataset));
    const manifest = CopyManifestSchema.parse({
      kind: 'analyserom.data-copy',
      projectId: scope.projectId,
      permitId: scope.permitId,
      permitVersion: scope.permitVersion,
      copyVersion: input.copyVersion,
      createdAt: deps.clock.now().toISOString(),
      legalBasis: scope.legalBasis,
      consent: consented ? { version: input.consent!.version, inForce: consented.length, included: persons.count } : null,
      period: scope.period,
      linkage: scope.linkage,
      cohort: scope.cohort,
      pseudonym: { scheme, column: 'person_id', keyFingerprint: keyFingerprint(input.key) },
      datasets,
      files,
    });
    await writeFile(join(tmpDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    duck.close();
    await rm(join(tmpDir, '.spill'), { recursive: true, force: true });
    for (const f of [...files.map((f) => f.name), 'manifest.json']) await chmod(join(tmpDir, f), 0o444);
    await rename(tmpDir, finalDir);
    await chmod(finalDir, 0o555);
    return { dir: finalDir, manifest, persons };
  } catch (err) {
    duck.close();
    await rm(tmpDir, { recursive: true, force: true });
    throw err;
  }
}
