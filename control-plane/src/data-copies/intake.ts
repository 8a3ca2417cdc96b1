/**
 * Intake: a data controller's delivery (CSV or Parquet, any size) plus its manifest becomes an
 * immutable, checked Parquet version of a catalogue dataset, or is rejected leaving nothing behind.
 *
 * Checks, in order: the delivered file name (no path, no `..`), the manifest (dataset known, version
 * new), one streaming pass for SHA-256 and UTF-8, Parquet's footer magic, then in DuckDB the columns
 * (none missing, none unexpected), every value (type, code list, required, identity-number check
 * digits), the CSV's structure (a short last record means a truncated file) and the row count.
 * A rejection is an `InputError` with reason `delivery_rejected` and `details.errors`: the first
 * errors as `{ row, column, reason }` (`row`/`column` null for file-level errors).
 *
 * Storage (the layout of `platform/paths.ts`): `<dataDir>/registers/<dataset>/<version>/` holding
 * `data.parquet` and `delivery.json` (the manifest, the delivered name and both hashes), written as a
 * dot-named temporary directory beside it and renamed when complete, then made read-only. Any
 * failure or abort removes the temporary directory; `sweepIntakeLeftovers` removes those a killed
 * process left.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import type { Catalogue } from '../catalog/index.ts';
import { ConflictError, InputError, NotFoundError } from '../errors/index.ts';
import type { Clock } from '../platform/index.ts';
import { ident, lit, openDuck, rowsOf, runWithProgress } from './duckdb.ts';
import { type Progress, sha256File } from './generator.ts';
import { csvViewSql, parquetViewSql, rowErrorsSql, typedSelectSql } from './intake-checks.ts';
import { scanFile } from './intake-scan.ts';
import type { IntakeResult } from './schemas.ts';

export const DeliveryManifestSchema = z.object({
  dataset: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'letters, digits, dot, dash, underscore; not starting with a dot'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/i)
    .transform((s) => s.toLowerCase()),
  rowCount: z.number().int().nonnegative(),
});

export interface DeliveryError {
  row: number | null;
  column: string | null;
  reason: string;
}

export interface IntakeDeps {
  dataDir: string;
  clock: Clock;
}

export interface IntakeInput {
  /** Where the delivered bytes are now (e.g. an upload spool file). */
  file: string;
  /** The file name as delivered by the data controller; decides the format (`.csv` / `.parquet`). */
  name: string;
  manifest: z.input<typeof DeliveryManifestSchema>;
  catalogue: Catalogue;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export type { IntakeResult } from './schemas.ts';

const MAX_ERRORS = 20;

function reject(errors: DeliveryError[]): never {
  const first = errors[0]!;
  const where = [first.row !== null ? `row ${first.row}` : null, first.column ? `column ${first.column}` : null].filter(Boolean).join(', ');
  throw new InputError(`delivery rejected: ${where ? `${where}: ` : ''}${first.reason}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, {
    reason: 'delivery_rejected',
    details: { errors },
  });
}

/** A delivered name must be a plain file name: no directories, no `..`, no control characters. */
export function checkDeliveredName(name: string): 'csv' | 'parquet' {
  if (name === '' || name.includes('/') || name.includes('\\') || name.split(/[/\\]/).includes('..') || name.startsWith('.') || /[\x00-\x1f]/.test(name)) {
    reject([{ row: null, column: null, reason: `file name '${name}' refused: a plain file name is required (no path, no '..', not hidden)` }]);
  }
  const ext = extname(name).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet') return 'parquet';
  reject([{ row: null, column: null, reason: `file name '${name}' refused: only .csv and .parquet deliveries are accepted` }]);
}

/** Reads the CSV header line (first line), splitting on commas outside double quotes. */
async function csvHeader(path: string): Promise<string[]> {
  let line = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
    const s = chunk as string;
    const nl = s.indexOf('\n');
    line += nl === -1 ? s : s.slice(0, nl);
    if (nl !== -1 || line.length > 1 << 20) break;
  }
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur.replace(/\r$/, ''));
  return out.map((h) => h.trim());
}

/** DuckDB's CSV errors carry a line number; make them delivery errors. */
function csvParseError(err: unknown): DeliveryError | null {
  const msg = err instanceof Error ? err.message : String(err);
  if (!/CSV|csv/.test(msg)) return null;
  const line = /line:?\s*(\d+)/i.exec(msg)?.[1] ?? /Line:\s*(\d+)/.exec(msg)?.[1];
  const row = line ? Number(line) - 1 : null;
  if (/Expected Number of Columns|column|Found:/i.test(msg) && /Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)/i.test(msg)) {
    const [, expected, found] = /Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)/i.exec(msg)!;
    return { row, column: null, reason: `record has ${found} of ${expected} fields${Number(found) < Number(expected) ? ' (truncated record)' : ''}` };
  }
  if (/unterminated quote|quote/i.test(msg)) return { row, column: null, reason: 'unterminated quoted field (truncated file?)' };
  return { row, column: null, reason: `unreadable CSV: ${msg.split('\n')[0]}` };
}

/** Checks a delivery and stores it; see the module comment for the contract. */
export async function intakeDelivery(deps: IntakeDeps, input: IntakeInput): Promise<IntakeResult> {
  const format = checkDeliveredName(input.name);
  const m = DeliveryManifestSchema.safeParse(input.manifest);
  if (!m.success) throw new InputError(`invalid delivery manifest: ${z.prettifyError(m.error)}`, { reason: 'invalid_manifest' });
  const manifest = m.data;
  const ds = input.catalogue.datasets.find((d) => d.name === manifest.dataset);
  if (!ds) throw new NotFoundError(`dataset ${manifest.dataset} is not in the catalogue`, { reason: 'unknown_dataset' });
  const dir = join(deps.dataDir, 'registers', ds.name);
  const target = join(dir, manifest.version);
  const exists = () =>
    stat(target).then(
      () => true,
      () => false,
    );
  if (ds.versions.some((v) => v.version === manifest.version) || (await exists())) {
    throw new ConflictError(`${ds.name} version ${manifest.version} is already stored; versions are immutable`, { reason: 'version_exists' });
  }
  const total = manifest.rowCount;
  const progress = (stage: string, fraction: number) => input.onProgress?.({ stage, done: Math.round(fraction * total), total });

  const size = (await stat(input.file)).size;
  const scan = await scanFile(input.file, { utf8: format === 'csv', onBytes: (b) => progress('checksum', size ? b / size : 1), signal: input.signal });
  if (scan.badUtf8) {
    reject([{ row: scan.badUtf8.line - 1, column: null, reason: `not valid UTF-8 at byte offset ${scan.badUtf8.offset} (line ${scan.badUtf8.line})` }]);
  }
  const errors: DeliveryError[] = [];
  if (scan.sha256 !== manifest.sha256) {
    errors.push({ row: null, column: null, reason: `sha256 mismatch: manifest says ${manifest.sha256}, file is ${scan.sha256}` });
  }
  if (format === 'parquet' && (scan.head.subarray(0, 4).toString('latin1') !== 'PAR1' || scan.tail.subarray(-4).toString('latin1') !== 'PAR1')) {
    errors.push({ row: null, column: null, reason: 'truncated or not a Parquet file: the PAR1 footer is missing' });
    reject(errors);
  }

  await mkdir(dir, { recursive: true });
  const tmpDir = join(dir, `.intake-${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(tmpDir);
  const tmp = join(tmpDir, 'data.parquet');
  const duck = await openDuck({ threads: 2 });
  try {
    const header =
      format === 'csv'
        ? await csvHeader(input.file)
        : (await rowsOf<{ column_name: string }>(duck.conn, `DESCRIBE SELECT * FROM read_parquet(${lit(input.file)})`)).map((r) => r.column_name);
    const expected = ds.variables.map((v) => v.name);
    for (const name of expected.filter((c) => !header.includes(c))) errors.push({ row: null, column: name, reason: 'missing column' });
    for (const name of header.filter((c) => !expected.includes(c)))
      errors.push({ row: null, column: name, reason: 'unexpected column (not in the catalogue)' });
    if (new Set(header).size !== header.length) errors.push({ row: null, column: null, reason: 'duplicate column names in the header' });
    if (errors.some((e) => e.column !== null)) reject(errors);

    await duck.conn.run(format === 'csv' ? csvViewSql(input.file, header) : parquetViewSql(input.file, header));
    let rowErrors: DeliveryError[];
    try {
      const sql = rowErrorsSql(ds, input.catalogue.codeLists, MAX_ERRORS);
      rowErrors = (await rowsOf<{ row: bigint; column: string; reason: string }>(duck.conn, sql)).map((r) => ({
        row: Number(r.row),
        column: r.column,
        reason: r.reason,
      }));
    } catch (err) {
      input.signal?.throwIfAborted();
      const parsed = format === 'csv' ? csvParseError(err) : null;
      if (!parsed) throw err;
      rowErrors = [parsed];
    }
    errors.push(...rowErrors);
    if (errors.length) reject(errors.slice(0, MAX_ERRORS));

    progress('store', 0);
    const rows = await runWithProgress(
      duck.conn,
      `COPY (${typedSelectSql(ds)}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
      (f) => progress('store', f),
      input.signal,
    );
    if (rows !== manifest.rowCount) {
      const truncated = rows < manifest.rowCount && format === 'csv' && !scan.endsWithNewline ? ' (the file does not end with a line break: truncated?)' : '';
      reject([{ row: null, column: null, reason: `row count ${rows}, manifest says ${manifest.rowCount}${truncated}` }]);
    }
    const period = await measuredPeriod(duck.conn, ds.periodVariable, tmp);
    duck.close();
    if (await exists()) throw new ConflictError(`${ds.name} version ${manifest.version} was stored meanwhile`, { reason: 'version_exists' });
    const result: IntakeResult = {
      dataset: ds.name,
      version: manifest.version,
      path: join('registers', ds.name, manifest.version, 'data.parquet'),
      rowCount: rows,
      deliveredSha256: scan.sha256,
      sha256: await sha256File(tmp),
      bytes: (await stat(tmp)).size,
      receivedAt: deps.clock.now().toISOString(),
      period,
    };
    await writeFile(join(tmpDir, 'delivery.json'), `${JSON.stringify({ ...result, deliveredName: input.name, manifest }, null, 2)}\n`);
    await chmod(tmp, 0o444);
    await chmod(join(tmpDir, 'delivery.json'), 0o444);
    await chmod(tmpDir, 0o555);
    await rename(tmpDir, target);
    progress('store', 1);
    return result;
  } finally {
    duck.close();
    if (
      await stat(tmpDir).then(
        () => true,
        () => false,
      )
    ) {
      await chmod(tmpDir, 0o700);
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
}

/**
 * The first and last date of the period variable in the stored file: what this version holds,
 * which the application checks hold a data period to (`projects/application-checks.ts`).
 */
async function measuredPeriod(conn: Parameters<typeof rowsOf>[0], variable: string | null, file: string): Promise<IntakeResult['period']> {
  if (!variable) return null;
  const [r] = await rowsOf<{ from: string | null; to: string | null }>(
    conn,
    `SELECT CAST(min(${ident(variable)}) AS VARCHAR) AS "from", CAST(max(${ident(variable)}) AS VARCHAR) AS "to" FROM read_parquet(${lit(file)})`,
  );
  return r?.from && r.to ? { from: r.from, to: r.to } : null;
}

/** Removes temporary intake files a killed process left behind. Run at start-up, before intake is offered. */
export async function sweepIntakeLeftovers(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'registers');
  const removed: string[] = [];
  const datasets = await readdir(root).catch(() => [] as string[]);
  for (const d of datasets) {
    for (const f of await readdir(join(root, d)).catch(() => [] as string[])) {
      if (f.startsWith('.intake-') && f.endsWith('.tmp')) {
        await chmod(join(root, d, f), 0o700).catch(() => undefined);
        await rm(join(root, d, f), { recursive: true, force: true });
        removed.push(join('registers', d, f));
      }
    }
  }
  return removed;
}
