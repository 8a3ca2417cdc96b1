import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { loadPolicySet, resolvePolicy, type TableRules } from '../policies/index.ts';
import { PieReportSchema, type PieReport } from './histogram-report.ts';
import { checkPie } from './pie.ts';

let conn: DuckDBConnection;
let dir: string;
let acro: TableRules;
let fileNo = 0;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await mkdtemp(join(tmpdir(), 'pie-'));
  acro = resolvePolicy(await loadPolicySet(), { profile: 'acro' }).tables;
});

/** A one-column CSV `c` of `counts[label]` rows per label (empty label: a missing value). */
async function column(counts: Record<string, number>): Promise<string> {
  const rows = Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, () => label));
  const path = join(dir, `p${++fileNo}.csv`);
  await writeFile(path, `c\n${rows.join('\n')}\n`);
  return path;
}

const check = async (file: string, rules = acro, spec: object = { column: 'c' }): Promise<PieReport> =>
  PieReportSchema.parse(await checkPie(conn, { source: { file }, spec, rules }));

describe('pie charts as ACRO 1.0.1 pie judges them', () => {
  it('a slice of threshold records passes and gets the chart; threshold - 1 fails, without one', async () => {
    const pass = await check(await column({ a: 10, b: 30, c: 10 }));
    expect(pass).toMatchObject({
      status: 'pass',
      nobs: 50,
      slices: [
        { label: 'b', count: 30 },
        { label: 'a', count: 10 },
        { label: 'c', count: 10 },
      ],
      rules: { threshold: [] },
    });
    expect(pass.plot?.svg.match(/<path /g)).toHaveLength(3);
    const fail = await check(await column({ a: 10, b: 9, c: 30 }));
    expect(fail).toMatchObject({ status: 'fail', rules: { threshold: ['b'] } });
    expect(fail.plot).toBeUndefined();
  });

  it('leaves missing values out, as value_counts does', async () => {
    const report = await check(await column({ a: 12, '': 3 }));
    expect(report).toMatchObject({ status: 'pass', nobs: 12, slices: [{ label: 'a', count: 12 }] });
  });

  it('400 for an unknown column, a bad spec, and past the policy limit of slices', async () => {
    const file = await column({ a: 12, b: 12, c: 12 });
    const refusal = async (rules: TableRules, spec: object) => {
      const err = await checkPie(conn, { source: { file }, spec, rules }).catch((e: unknown) => e);
      if (!(err instanceof InputError)) throw new Error('expected an InputError');
      return err;
    };
    expect(await refusal(acro, { column: 'd' })).toMatchObject({ reason: 'unknown_column', details: { field: 'column', column: 'd' } });
    expect(await refusal(acro, { columns: 'c' })).toMatchObject({ reason: 'invalid_pie_spec' });
    const few = { ...acro, histograms: { ...acro.histograms!, maxSlices: 2 } };
    expect(await refusal(few, { column: 'c' })).toMatchObject({ reason: 'too_many_slices', details: { field: 'column', limit: 2 } });
  });
});
