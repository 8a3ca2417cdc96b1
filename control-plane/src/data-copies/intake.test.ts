import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCatalogue } from '../catalog/index.ts';
import { InputError } from '../errors/index.ts';
import { manualClock } from '../platform/index.ts';
import { lit, openDuck } from './duckdb.ts';
import { generateRegisters } from './generator.ts';
import { intakeDelivery, sweepIntakeLeftovers, type IntakeInput } from './intake.ts';

let root: string;
let srcDir: string;
const clock = manualClock('2026-01-15T10:00:00Z');
const catalogue = demoCatalogue();

const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** Lists every file under the data directory (including dot files). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Writes the generated `dataset` as CSV, optionally editing its text. */
async function csvOf(dataset: string, name: string, edit?: (text: string) => string): Promise<string> {
  const duck = await openDuck({ threads: 1 });
  const path = join(root, 'deliveries', name);
  await duck.conn.run(`COPY (FROM read_parquet(${lit(join(srcDir, `${dataset}.parquet`))})) TO ${lit(path)} (FORMAT csv, HEADER true)`);
  duck.close();
  if (edit) await writeFile(path, edit(await readFile(path, 'utf8')));
  return path;
}

async function deliver(file: string, name: string, manifest: Partial<IntakeInput['manifest']> = {}, dataDir = join(root, 'data')) {
  const rows = (await readFile(file, 'utf8')).split('\n').filter(Boolean).length - 1;
  return intakeDelivery(
    { dataDir, clock },
    { file, name, catalogue, manifest: { dataset: 'prescriptions', version: '2026-01', sha256: await sha(file), rowCount: rows, ...manifest } },
  );
}

async function rejection(p: Promise<unknown>): Promise<{ message: string; errors: { row: number | null; column: string | null; reason: string }[] }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  const e = err as InputError;
  expect(e.reason).toBe('delivery_rejected');
  return { message: e.message, errors: (e.details?.errors ?? []) as never };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'intake-test-'));
  srcDir = join(root, 'src');
  await generateRegisters({ rows: 1000, seed: 11, outDir: srcDir, datasets: ['prescriptions', 'patient_episodes'] });
  await writeFile(join(root, 'keep'), '');
  await import('node:fs/promises').then((fs) => fs.mkdir(join(root, 'deliveries')));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('intake', () => {
  it('stores a good CSV delivery as read-only Parquet with its row count and hashes', async () => {
    const file = await csvOf('prescriptions', 'good.csv');
    const dataDir = join(root, 'data-good');
    const progress: number[] = [];
    const r = await intakeDelivery(
      { dataDir, clock },
      {
        file,
        name: 'good.csv',
        catalogue,
        manifest: { dataset: 'prescriptions', version: '2026-01', sha256: await sha(file), rowCount: 1000 },
        onProgress: (p) => progress.push(p.done),
      },
    );
    // The period the delivery's period variable spans, counted here from the CSV itself.
    const [head, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
    const col = head!.split(',').indexOf('dispense_date');
    const dates = lines.map((l) => l.split(',')[col]!).sort();
    expect(r).toMatchObject({
      dataset: 'prescriptions',
      version: '2026-01',
      path: 'registers/prescriptions/2026-01/data.parquet',
      rowCount: 1000,
      receivedAt: '2026-01-15T10:00:00.000Z',
      period: { from: dates[0], to: dates.at(-1) },
    });
    expect(progress.at(-1)).toBe(1000);
    expect((await filesUnder(dataDir)).sort()).toEqual([join(dataDir, 'registers/prescriptions/2026-01/delivery.json'), join(dataDir, r.path)].sort());
    const duck = await openDuck({ threads: 1 });
    const reader = await duck.conn.runAndReadAll(
      `SELECT count(*) AS n FROM read_parquet(${lit(join(dataDir, r.path))}) a JOIN read_parquet(${lit(join(srcDir, 'prescriptions.parquet'))}) b USING (fnr, dispense_date, atc_code, ddd, packages)`,
    );
    duck.close();
    expect(Number(reader.getRowObjectsJS()[0]?.n)).toBe(1000);
    // Immutable: the same version again is a conflict.
    await expect(
      intakeDelivery(
        { dataDir, clock },
        { file, name: 'good.csv', catalogue, manifest: { dataset: 'prescriptions', version: '2026-01', sha256: await sha(file), rowCount: 1000 } },
      ),
    ).rejects.toMatchObject({ reason: 'version_exists' });
  });

  it('stores a good Parquet delivery', async () => {
    const file = join(srcDir, 'patient_episodes.parquet');
    const dataDir = join(root, 'data-parquet');
    const r = await intakeDelivery(
      { dataDir, clock },
      { file, name: 'npr-2026.parquet', catalogue, manifest: { dataset: 'patient_episodes', version: 'v1', sha256: await sha(file), rowCount: 1000 } },
    );
    expect(r.rowCount).toBe(1000);
    expect((await filesUnder(dataDir)).sort()).toEqual([
      join(dataDir, 'registers/patient_episodes/v1/data.parquet'),
      join(dataDir, 'registers/patient_episodes/v1/delivery.json'),
    ]);
  });

  it('rejects a checksum mismatch and leaves nothing behind', async () => {
    const file = await csvOf('prescriptions', 'sum.csv');
    const { errors } = await rejection(deliver(file, 'sum.csv', { sha256: 'a'.repeat(64) }));
    expect(errors).toEqual([{ row: null, column: null, reason: `sha256 mismatch: manifest says ${'a'.repeat(64)}, file is ${await sha(file)}` }]);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('rejects a wrong type with row, column and value', async () => {
    const file = await csvOf('prescriptions', 'type.csv', (t) => {
      const lines = t.split('\n');
      lines[5] = lines[5]!.replace(/,\d{4}-\d{2}-\d{2},/, ',2019-13-45,');
      return lines.join('\n');
    });
    const { message, errors } = await rejection(deliver(file, 'type.csv'));
    expect(errors[0]).toEqual({ row: 5, column: 'dispense_date', reason: "wrong type: '2019-13-45' is not a date" });
    expect(message).toContain('row 5, column dispense_date');
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('rejects an unknown code', async () => {
    const file = await csvOf('prescriptions', 'code.csv', (t) => {
      const lines = t.split('\n');
      lines[7] = lines[7]!.replace(/,[A-Z]\d\d[A-Z]{2}\d\d,/, ',X99ZZ99,');
      return lines.join('\n');
    });
    const { errors } = await rejection(deliver(file, 'code.csv'));
    expect(errors).toEqual([{ row: 7, column: 'atc_code', reason: "unknown code 'X99ZZ99' (not in code list atc)" }]);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('rejects a missing column and an invalid identity number', async () => {
    const missing = await csvOf('prescriptions', 'missing.csv', (t) =>
      t
        .split('\n')
        .map((l) => l.split(',').slice(0, 4).join(','))
        .join('\n'),
    );
    const a = await rejection(deliver(missing, 'missing.csv'));
    expect(a.errors).toEqual([{ row: null, column: 'packages', reason: 'missing column' }]);
    const badFnr = await csvOf('prescriptions', 'fnr.csv', (t) => {
      const lines = t.split('\n');
      lines[3] = `12345678901${lines[3]!.slice(11)}`;
      return lines.join('\n');
    });
    const b = await rejection(deliver(badFnr, 'fnr.csv'));
    expect(b.errors).toEqual([{ row: 3, column: 'fnr', reason: "invalid identity number '12345678901' (11 digits with valid check digits expected)" }]);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('rejects a truncated CSV and a truncated Parquet file', async () => {
    const file = await csvOf('prescriptions', 'trunc.csv');
    const full = await sha(file);
    const text = await readFile(file, 'utf8');
    const cut = text.lastIndexOf(',', text.length - 30);
    await truncate(file, cut);
    const lastRow = text.slice(0, cut).split('\n').length - 1;
    const { errors } = await rejection(deliver(file, 'trunc.csv', { sha256: full, rowCount: 1000 }));
    expect(errors[0]?.reason).toMatch(/^sha256 mismatch/);
    expect(errors[1]).toMatchObject({ row: lastRow, column: null });
    expect(errors[1]?.reason).toMatch(/record has \d of 5 fields \(truncated record\)/);

    const pq = join(root, 'deliveries', 'trunc.parquet');
    await writeFile(pq, (await readFile(join(srcDir, 'patient_episodes.parquet'))).subarray(0, 5000));
    const p = await rejection(deliver(pq, 'trunc.parquet', { dataset: 'patient_episodes', rowCount: 1000 }));
    expect(p.errors).toEqual([{ row: null, column: null, reason: 'truncated or not a Parquet file: the PAR1 footer is missing' }]);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('rejects non-UTF-8 bytes with their line', async () => {
    const file = await csvOf('prescriptions', 'latin1.csv');
    const bytes = await readFile(file);
    const lines = bytes.toString('latin1').split('\n');
    lines[9] = `${lines[9]}`.replace(/,(\d+)$/, ',\xe6$1');
    await writeFile(file, Buffer.from(lines.join('\n'), 'latin1'));
    const { errors } = await rejection(deliver(file, 'latin1.csv'));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.row).toBe(9);
    expect(errors[0]?.reason).toMatch(/^not valid UTF-8 at byte offset \d+ \(line 10\)$/);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('refuses a file name with ../ before reading anything', async () => {
    const file = await csvOf('prescriptions', 'ok.csv');
    for (const name of ['../ok.csv', '../../etc/passwd.csv', 'a/../ok.csv', '..\\ok.csv', '.hidden.csv']) {
      const { errors } = await rejection(deliver(file, name));
      expect(errors[0]?.reason).toContain(`file name '${name}' refused`);
    }
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('rejects a wrong row count', async () => {
    const file = await csvOf('prescriptions', 'count.csv');
    const { errors } = await rejection(deliver(file, 'count.csv', { rowCount: 1001 }));
    expect(errors).toEqual([{ row: null, column: null, reason: 'row count 1000, manifest says 1001' }]);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('leaves nothing behind when interrupted while writing Parquet', async () => {
    const big = await generateRegisters({ rows: 400_000, seed: 12, outDir: join(root, 'big'), datasets: ['prescriptions'] });
    const file = join(root, 'deliveries', 'big.csv');
    const duck = await openDuck({ threads: 1 });
    await duck.conn.run(`COPY (FROM read_parquet(${lit(big.files[0]!.path)})) TO ${lit(file)} (FORMAT csv, HEADER true)`);
    duck.close();
    const ctl = new AbortController();
    const stages: string[] = [];
    const p = intakeDelivery(
      { dataDir: join(root, 'data'), clock },
      {
        file,
        name: 'big.csv',
        catalogue,
        manifest: { dataset: 'prescriptions', version: 'big', sha256: await sha(file), rowCount: 400_000 },
        onProgress: (pr) => {
          if (!stages.includes(pr.stage)) stages.push(pr.stage);
          if (pr.stage === 'store' && pr.done === 0) setTimeout(() => ctl.abort(), 50);
        },
        signal: ctl.signal,
      },
    );
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(stages).toEqual(['checksum', 'store']);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });

  it('leaves nothing behind when aborted, and sweeps what a killed process left', async () => {
    const file = await csvOf('prescriptions', 'abort.csv');
    const ctl = new AbortController();
    const p = intakeDelivery(
      { dataDir: join(root, 'data'), clock },
      {
        file,
        name: 'abort.csv',
        catalogue,
        manifest: { dataset: 'prescriptions', version: 'x', sha256: await sha(file), rowCount: 1000 },
        onProgress: (pr) => pr.stage === 'store' && ctl.abort(),
        signal: ctl.signal,
      },
    );
    await expect(p).rejects.toThrow();
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
    const left = join(root, 'data', 'registers', 'prescriptions', '.intake-dead.tmp');
    await mkdir(left);
    await appendFile(join(left, 'data.parquet'), 'partial');
    expect(await sweepIntakeLeftovers(join(root, 'data'))).toEqual(['registers/prescriptions/.intake-dead.tmp']);
    expect(await filesUnder(join(root, 'data'))).toEqual([]);
  });
});
