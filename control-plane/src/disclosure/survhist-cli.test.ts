/** `tre outputs check-survival | check-histogram | check-pie` end to end: the real CLI process, its stdout parsed. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
let dir: string;

async function tre(...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [main, ...args]);
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tre-charts-'));
  const rows = ['t,died,x,sex'];
  for (let i = 0; i < 40; i++) rows.push(`${1 + (i % 4)},${i % 2},${(i % 4) + 0.5},${i < 30 ? 'F' : 'M'}`);
  await writeFile(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
  await writeFile(join(dir, 'km.json'), JSON.stringify({ duration: 't', event: 'died' }));
});

describe('tre outputs check-survival', () => {
  it('prints the pooled table under the default profile and the ACRO 1.0.1 verdict under --profile acro', async () => {
    const data = join(dir, 'data.csv');
    // Events at t = 2 and t = 4 only, 10 each: exactly the threshold, no pooling.
    const pooled = await tre('outputs', 'check-survival', '--data', data, '--spec', join(dir, 'km.json'), '--json');
    expect(pooled.code).toBe(0);
    expect(pooled.out).toMatchObject({ status: 'pass', rule: 'pool', pooled: false, nobs: 40 });
    expect((pooled.out.table as Array<{ time: number; events: number }>).map((s) => [s.time, s.events])).toEqual([
      [2, 10],
      [4, 10],
    ]);
    const acro = await tre(
      'outputs',
      'check-survival',
      '--data',
      data,
      '--spec',
      '{"duration":"t","event":"died","group":null}',
      '--profile',
      'acro',
      '--json',
    );
    expect(acro.out).toMatchObject({ status: 'fail', rule: 'acro-1.0', rules: { dof: { value: 0, threshold: 10, passed: false } } });
  });

  it('exits 2 naming the field of a bad spec', async () => {
    const res = await tre('outputs', 'check-survival', '--data', join(dir, 'data.csv'), '--spec', '{"duration":"t","event":"sex"}', '--json');
    expect(res.code).toBe(2);
    expect(res.out).toEqual({
      error: {
        message: "invalid survival spec: event: column 'sex' is VARCHAR, not 0/1 or boolean",
        details: { reason: 'invalid_survival_spec', field: 'event' },
      },
    });
  });
});

describe('tre outputs check-histogram and check-pie', () => {
  it('writes the checked plot with --plot, the same bytes the report carries', async () => {
    const prefix = join(dir, 'hist');
    const res = await tre(
      'outputs',
      'check-histogram',
      '--data',
      join(dir, 'data.csv'),
      '--spec',
      '{"column":"x","bins":[0,1,2,3,4,5]}',
      '--plot',
      prefix,
      '--json',
    );
    expect(res.code).toBe(0);
    expect(res.out).toMatchObject({ status: 'fail', rules: { threshold: [], zeros: [{ bin: 4 }] } });
    const ok = await tre(
      'outputs',
      'check-histogram',
      '--data',
      join(dir, 'data.csv'),
      '--spec',
      '{"column":"x","bins":[0,1,2,3,4]}',
      '--plot',
      prefix,
      '--json',
    );
    expect(ok.out).toMatchObject({ status: 'pass' });
    const plot = ok.out.plot as { svg: string; pngBase64: string };
    expect(await readFile(`${prefix}.svg`, 'utf8')).toBe(plot.svg);
    expect((await readFile(`${prefix}.png`)).toString('base64')).toBe(plot.pngBase64);
  });

  it('checks a pie chart of a column', async () => {
    const res = await tre('outputs', 'check-pie', '--data', join(dir, 'data.csv'), '--spec', '{"column":"sex"}', '--json');
    expect(res.out).toMatchObject({
      status: 'pass',
      slices: [
        { label: 'F', count: 30 },
        { label: 'M', count: 10 },
      ],
    });
  });
});
