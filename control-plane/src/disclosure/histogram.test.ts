import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { loadPolicySet, resolvePolicy, type TableRules } from '../policies/index.ts';
import { checkHistogram, equalWidthEdges } from './histogram.ts';
import { HistogramReportSchema, type HistogramReport } from './histogram-report.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/survhist/', import.meta.url));
let conn: DuckDBConnection;
let dir: string;
let acro: TableRules;
let strict: TableRules;
let fileNo = 0;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
  dir = await mkdtemp(join(tmpdir(), 'histogram-'));
  const set = await loadPolicySet();
  acro = resolvePolicy(set, { profile: 'acro' }).tables;
  strict = resolvePolicy(set).tables;
});

async function csv(header: string, rows: Array<Array<string | number>>): Promise<string> {
  const path = join(dir, `h${++fileNo}.csv`);
  await writeFile(path, `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`);
  return path;
}

const rep = (n: number, v: number | string): number[] => Array.from({ length: n }, () => v as number);
const column = (values: Array<number | string>) =>
  csv(
    'x',
    values.map((v) => [v]),
  );

async function check(file: string, spec: object, rules: TableRules = acro): Promise<HistogramReport> {
  return HistogramReportSchema.parse(await checkHistogram(conn, { source: { file }, spec, rules }));
}

async function refusal(file: string, spec: object, rules = strict): Promise<InputError> {
  const err = await checkHistogram(conn, { source: { file }, spec, rules }).catch((e: unknown) => e);
  if (!(err instanceof InputError)) throw new Error(`expected an InputError, got ${String(err)}`);
  return err;
}

type Bin = { lower: number; upper: number; count: number };
const plain = (r: HistogramReport) => r.bins.map(({ lower, upper, count }) => ({ lower, upper, count }));

describe('bins as numpy counts them', () => {
  it('agrees with np.histogram for a bin count, for edges, and per group', async () => {
    const expected = JSON.parse(await readFile(join(fixtures, 'hist.json'), 'utf8')) as { count7: Bin[]; edges: Bin[]; count7ByGrp: Record<string, Bin[]> };
    const file = join(fixtures, 'hist.csv');
    expect(plain(await check(file, { column: 'x', bins: 7 }))).toEqual(expected.count7);
    expect(plain(await check(file, { column: 'x', bins: [0, 20, 35, 50, 65, 80, 120] }))).toEqual(expected.edges);
    const grouped = await check(file, { column: 'x', bins: 7, group: 'grp' });
    for (const g of ['p', 'q']) expect(plain({ ...grouped, bins: grouped.bins.filter((b) => b.group === g) })).toEqual(expected.count7ByGrp[g]);
  });

  it('closes the last bin, leaves values outside given edges out, and widens a single value by 0.5', async () => {
    const file = await column([...rep(10, 0), ...rep(10, 1), ...rep(10, 2), -1, 3]);
    expect(plain(await check(file, { column: 'x', bins: [0, 1, 2] }))).toEqual([
      { lower: 0, upper: 1, count: 10 },
      { lower: 1, upper: 2, count: 20 },
    ]);
    expect(equalWidthEdges(5, 5, 2)).toEqual([4.5, 5, 5.5]);
  });
});

describe('ACRO 1.0 rules on the bins', () => {
  it('a bin of threshold records passes, threshold - 1 fails; an empty bin fails where zeros are disclosive', async () => {
    const edges = { column: 'x', bins: [0, 1, 2, 3] };
    const pass = await check(await column([...rep(10, 0.5), ...rep(10, 1.5), ...rep(11, 2.5)]), edges);
    expect(pass).toMatchObject({ status: 'pass', rules: { threshold: [], zeros: [] }, edgesFromData: false });
    expect(pass.plot?.svg).toContain('<svg');
    const low = await check(await column([...rep(10, 0.5), ...rep(9, 1.5), ...rep(11, 2.5)]), edges);
    expect(low).toMatchObject({ status: 'fail', rules: { threshold: [{ bin: 1 }], zeros: [] } });
    expect(low.plot).toBeUndefined();
    const empty = await check(await column([...rep(10, 0.5), ...rep(11, 2.5)]), edges);
    expect(empty).toMatchObject({ status: 'fail', rules: { threshold: [], zeros: [{ bin: 1 }] } });
    const lenient = await check(await column([...rep(10, 0.5), ...rep(11, 2.5)]), edges, { ...acro, zerosDisclosive: false });
    expect(lenient).toMatchObject({ status: 'pass', rules: { threshold: [], zeros: [] } });
  });

  it('names the group of a failing bin', async () => {
    const rows = [
      ...rep(10, 0.5).map((v) => [v, 'a']),
      ...rep(10, 1.5).map((v) => [v, 'a']),
      ...rep(10, 0.5).map((v) => [v, 'b']),
      ...rep(3, 1.5).map((v) => [v, 'b']),
    ];
    const report = await check(await csv('x,g', rows), { column: 'x', bins: [0, 1, 2], group: 'g' });
    expect(report).toMatchObject({ status: 'fail', rules: { threshold: [{ bin: 1, group: 'b' }], zeros: [] } });
    expect(report.bins.map((b) => [b.group, b.count])).toEqual([
      ['a', 10],
      ['a', 10],
      ['b', 10],
      ['b', 3],
    ]);
  });

  it('edges from the data pass with a note in the acro profile and go to a reviewer in the default one', async () => {
    const file = await column([...rep(10, 1), ...rep(10, 2)]);
    const a = await check(file, { column: 'x', bins: 2 });
    expect(a).toMatchObject({ status: 'pass', edgesFromData: true });
    expect(a.notes).toContain('the outer bin edges are the minimum and maximum of the data: check they are not disclosive, or give the edges');
    const d = await check(file, { column: 'x', bins: 2 }, strict);
    expect(d).toMatchObject({ status: 'review', edgesFromData: true });
    expect(d.plot).toBeUndefined();
  });
});

describe('the plot is rendered from the checked counts', () => {
  it('gives the same SVG and PNG bytes for the same counts, a PNG of the figure size, escaped labels', async () => {
    const file = await csv('x,g', [...rep(10, 0.5).map((v) => [v, '<b>&']), ...rep(12, 1.5).map((v) => [v, '<b>&'])]);
    const spec = { column: 'x', bins: [0, 1, 2], group: 'g' };
    const [one, two] = [await check(file, spec), await check(file, spec)];
    expect(one.plot).toEqual(two.plot);
    expect(one.plot!.svg).toContain('x: &lt;b&gt;&amp;');
    expect(one.plot!.svg).not.toContain('<b>');
    const png = PNG.sync.read(Buffer.from(one.plot!.pngBase64, 'base64'));
    expect([png.width, png.height]).toEqual([640, 320]);
    // The taller bar (12) reaches the top of the plot area; the other is 10/12 of it.
    expect(one.plot!.svg).toContain('height="240"');
    expect(one.plot!.svg).toContain('height="200"');
  });
});

describe('bad specs are refused naming the field', () => {
  it('400 for an unknown or non-numeric column, bad edges, too many bins', async () => {
    const file = await csv('x,s', [
      [1, 'a'],
      [2, 'b'],
    ]);
    expect((await refusal(file, { column: 'y' })).details).toEqual({ field: 'column', column: 'y' });
    expect((await refusal(file, { column: 's' })).details).toEqual({ field: 'column' });
    expect((await refusal(file, { column: 'x', bins: [0, 2, 1] })).details).toEqual({ field: 'bins' });
    expect((await refusal(file, { column: 'x', bins: 0 })).details).toEqual({ field: 'bins' });
    expect((await refusal(file, { column: 'x', bins: [1] })).details).toEqual({ field: 'bins' });
    expect(await refusal(file, { column: 'x', bins: 201 })).toMatchObject({ reason: 'too_many_bins', details: { field: 'bins', bins: 201, limit: 200 } });
    expect((await check(file, { column: 'x', bins: 200 })).bins).toHaveLength(200);
    expect((await refusal(file, { column: 'x', bin: 3 })).reason).toBe('invalid_histogram_spec');
  });

  it('400 past the policy limit of groups', async () => {
    const file = await csv(
      'x,g',
      Array.from({ length: 30 }, (_, i) => [i, `g${i % 3}`]),
    );
    const few = { ...strict, histograms: { ...strict.histograms!, maxGroups: 2 } };
    expect(await refusal(file, { column: 'x', group: 'g' }, few)).toMatchObject({
      reason: 'too_many_groups',
      details: { field: 'group', groups: 3, limit: 2 },
    });
  });
});
