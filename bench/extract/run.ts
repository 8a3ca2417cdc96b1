/**
 * bench/extract: what a pseudonymised per-permit extract costs over a plain DuckDB copy.
 *
 * Generates a 10-million-row patient-episode register (1 million persons), then times
 * (a) a plain DuckDB COPY of 4 columns (fnr, admission_date, main_diagnosis, health_trust) with a
 *     5-year period filter to Parquet, and
 * (b) the real extract (`createExtract`) of the same columns and rows: identity number replaced by
 *     the project pseudonym, checks, sha256 and manifest, Parquet only (the CSV twin is timed apart).
 * Each is run REPEAT times, alternating, and the fastest run of each is compared, because the
 * machine is shared. The HMAC-SHA-256 scheme is timed once for reference.
 * Last line: {"bench":"extract","rows":…,"plain_s":…,"pseudo_s":…,"ratio":…}.
 *
 * Env: BENCH_ROWS (default 10000000), BENCH_REPEAT (default 5), BENCH_DIR (default a temp dir,
 * removed after; a given BENCH_DIR is kept and its generated register reused when rows and seed match),
 * BENCH_EXTRACT_THREADS (DuckDB threads of the extract; default the extract's own default).
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DATASETS } from '../../control-plane/src/catalog/index.ts';
import {
  createExtract,
  generateRegisters,
  newPseudonymKey,
  type GenerateResult,
  type PseudonymScheme,
  lit,
  openDuck,
  rowsOf,
} from '../../control-plane/src/data-copies/index.ts';
import { systemClock } from '../../control-plane/src/platform/index.ts';

const SEED = 2026;
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const PERIOD = { from: '2015-01-01', to: '2019-12-31' };
const COLUMNS = ['fnr', 'admission_date', 'main_diagnosis', 'health_trust'];
const EXTRACT_THREADS = process.env.BENCH_EXTRACT_THREADS ? Number(process.env.BENCH_EXTRACT_THREADS) : undefined;

const dir = process.env.BENCH_DIR ?? (await mkdtemp(join(tmpdir(), 'bench-extract-')));
const secs = (t0: number) => (performance.now() - t0) / 1000;
const fmt = (s: number) => s.toFixed(3);

try {
  const t0 = performance.now();
  const previous = await readFile(join(dir, 'src', 'generated.json'), 'utf8').then(
    (s) => JSON.parse(s) as GenerateResult,
    () => null,
  );
  const gen =
    previous && previous.rows === ROWS && previous.seed === SEED && previous.files[0]?.dataset === 'patient_episodes'
      ? previous
      : await generateRegisters({ rows: ROWS, seed: SEED, outDir: join(dir, 'src'), datasets: ['patient_episodes'] });
  const file = gen.files[0]!;
  console.log(`${gen === previous ? 'reused' : 'generated'} ${file.rows} rows (${gen.persons} persons) in ${fmt(secs(t0))} s`);
  console.log(
    `load average before timing: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores`,
  );

  const duck = await openDuck();
  const where = `admission_date BETWEEN DATE ${lit(PERIOD.from)} AND DATE ${lit(PERIOD.to)}`;
  const [sel] = await rowsOf<{ n: bigint; p: bigint }>(
    duck.conn,
    `SELECT count(*) AS n, count(DISTINCT fnr) AS p FROM read_parquet(${lit(file.path)}) WHERE ${where}`,
  );
  const rowsOut = Number(sel?.n);
  console.log(`period ${PERIOD.from}..${PERIOD.to}: ${rowsOut} rows, ${Number(sel?.p)} distinct persons`);

  const plain = async (i: number) => {
    const t = performance.now();
    await duck.conn.run(
      `COPY (SELECT ${COLUMNS.join(', ')} FROM read_parquet(${lit(file.path)}) WHERE ${where}) TO ${lit(join(dir, `plain-${i}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
    );
    return secs(t);
  };
  const key = newPseudonymKey();
  let version = 0;
  const pseudo = async (scheme: PseudonymScheme, formats: ('parquet' | 'csv')[] = ['parquet']) => {
    const copiesDir = await mkdtemp(join(dir, 'copies-'));
    const t = performance.now();
    const r = await createExtract(
      { clock: systemClock, copiesDir },
      {
        scope: {
          projectId: 'bench',
          permitId: 'pmt_bench',
          permitVersion: 1,
          legalBasis: { code: 'ehds-art-68', honoursOptOut: true },
          period: PERIOD,
          linkage: true,
          datasets: [{ dataset: 'patient_episodes', variables: COLUMNS }],
        },
        catalogue: DEMO_DATASETS,
        sources: [{ dataset: 'patient_episodes', version: 'bench', path: file.path, sha256: file.sha256 }],
        key,
        optedOut: [],
        copyVersion: ++version,
        formats,
        scheme,
        threads: EXTRACT_THREADS,
      },
    );
    const s = secs(t);
    await chmod(r.dir, 0o755);
    await rm(copiesDir, { recursive: true, force: true });
    return s;
  };

  const plainRuns: number[] = [];
  const pseudoRuns: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    plainRuns.push(await plain(i));
    pseudoRuns.push(await pseudo('aes-256-prf'));
    console.log(`run ${i + 1}: plain ${fmt(plainRuns[i]!)} s, pseudonymised ${fmt(pseudoRuns[i]!)} s`);
  }
  const hmac = await pseudo('hmac-sha256');
  const withCsv = await pseudo('aes-256-prf', ['parquet', 'csv']);
  duck.close();

  const plainS = Math.min(...plainRuns);
  const pseudoS = Math.min(...pseudoRuns);
  const paired = plainRuns.map((p, i) => pseudoRuns[i]! / p).sort((a, b) => a - b);
  const pairedMedian = paired[Math.floor(paired.length / 2)]!;
  console.log(`(a) plain copy, best of ${REPEAT}:            ${fmt(plainS)} s (${(ROWS / plainS / 1e6).toFixed(1)} M source rows/s)`);
  console.log(`(b) pseudonymised extract (aes-256-prf):  ${fmt(pseudoS)} s, ratio ${(pseudoS / plainS).toFixed(2)}`);
  console.log(`    median of the ${REPEAT} back-to-back ratios: ${pairedMedian.toFixed(2)} (a shared machine makes single runs noisy)`);
  console.log(`    same with hmac-sha256 scheme (once):  ${fmt(hmac)} s, ratio ${(hmac / plainS).toFixed(2)}`);
  console.log(`    aes-256-prf with the CSV twin (once): ${fmt(withCsv)} s`);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    JSON.stringify({
      bench: 'extract',
      rows: ROWS,
      rows_out: rowsOut,
      plain_s: Number(fmt(plainS)),
      pseudo_s: Number(fmt(pseudoS)),
      ratio: Number((pseudoS / plainS).toFixed(3)),
      paired_median_ratio: Number(pairedMedian.toFixed(3)),
      hmac_s: Number(fmt(hmac)),
      hmac_ratio: Number((hmac / plainS).toFixed(3)),
    }),
  );
} finally {
  if (!process.env.BENCH_DIR) await rm(dir, { recursive: true, force: true });
}
