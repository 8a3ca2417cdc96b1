/** `tre outputs ...` end to end: the real CLI process, its stdout parsed. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
let dir: string;

async function tre(...args: string[]): Promise<{ code: number; out: unknown }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [main, ...args]);
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tre-outputs-'));
  const rows = ['year,sex'];
  for (let i = 0; i < 12; i++) rows.push('2019,F');
  for (let i = 0; i < 9; i++) rows.push('2019,M');
  for (let i = 0; i < 10; i++) rows.push('2020,M');
  await writeFile(join(dir, 'data.csv'), `${rows.join('\n')}\n`);
  await writeFile(
    join(dir, 'spec.json'),
    JSON.stringify({ method: 'crosstab', index: ['year'], columns: ['sex'], values: null, aggfunc: null, margins: true }),
  );
  await writeFile(
    join(dir, 'bad.json'),
    JSON.stringify({ method: 'crosstab', index: ['year'], columns: ['gender'], values: null, aggfunc: null, margins: false }),
  );
});

describe('tre outputs check-table', () => {
  it('prints status, table and every rule with the acro profile', async () => {
    const { code, out } = await tre('outputs', 'check-table', '--data', join(dir, 'data.csv'), '--spec', join(dir, 'spec.json'), '--profile', 'acro', '--json');
    expect(code).toBe(0);
    expect(out).toEqual({
      status: 'fail',
      table: {
        rowLabels: [[2019], [2020], ['All']],
        colLabels: [['F'], ['M'], ['All']],
        values: [
          [12, 9, 21],
          [0, 10, 10],
          [12, 19, 31],
        ],
      },
      rules: {
        threshold: [
          { row: [2019], col: ['M'] },
          { row: [2020], col: ['F'] },
        ],
        zeros: [{ row: [2020], col: ['F'] }],
        nk: [],
        'p-ratio': [],
        dof: [],
        missing: [],
        negative: [],
      },
    });
  });

  it("prints the default profile's secondary suppressions apart from the primary ones, in JSON and in text", async () => {
    const args = ['outputs', 'check-table', '--data', join(dir, 'data.csv'), '--spec', join(dir, 'spec.json'), '--profile', 'default'];
    const { code, out } = await tre(...args, '--json');
    expect(code).toBe(0);
    const { table, rules } = out as { table: unknown; rules: Record<string, unknown> };
    // 2020·F (no records) is blanked; its row's total would give it, then the columns' the rest.
    expect(table).toEqual({
      rowLabels: [[2019], [2020], ['All']],
      colLabels: [['F'], ['M'], ['All']],
      values: [
        [null, null, 20],
        [null, null, 10],
        [10, 20, 30],
      ],
    });
    expect(rules.suppressed).toEqual([{ row: [2020], col: ['F'] }]);
    expect(rules.secondary).toEqual([
      { row: [2019], col: ['F'], reason: 'margin' },
      { row: [2019], col: ['M'], reason: 'margin' },
      { row: [2020], col: ['M'], reason: 'margin' },
    ]);
    const text = await promisify(execFile)(process.execPath, [main, ...args]);
    expect(text.stdout.split('\n').filter((l) => /suppressed|secondary|blanked/.test(l))).toEqual([
      'suppressed: 1 cell(s)',
      'secondary: 3 cell(s)',
      '  blanked 2019 × F: margin',
      '  blanked 2019 × M: margin',
      '  blanked 2020 × M: margin',
    ]);
  });

  it('applies rule flags over the profile', async () => {
    const { out } = await tre(
      'outputs',
      'check-table',
      '--data',
      join(dir, 'data.csv'),
      '--spec',
      join(dir, 'spec.json'),
      '--profile',
      'acro',
      '--threshold',
      '9',
      '--zeros-not-disclosive',
      '--json',
    );
    expect((out as { rules: { threshold: unknown; zeros: unknown } }).rules).toMatchObject({ threshold: [{ row: [2020], col: ['F'] }], zeros: [] });
  });

  it('names an unknown column and exits 1', async () => {
    const { code, out } = await tre('outputs', 'check-table', '--data', join(dir, 'data.csv'), '--spec', join(dir, 'bad.json'), '--json');
    expect(code).toBe(1);
    expect(out).toEqual({ error: { message: "unknown column 'gender' in columns; the data has: year, sex", details: { field: 'columns', column: 'gender' } } });
  });
});

describe('tre outputs check-table --profile acro-0.4', () => {
  it('judges a cell of 10 records whose values are all missing as ACRO 0.4.12 does, where the acro profile (ACRO 1.0.1) passes it', async () => {
    const lines = ['g,c,v', ...Array.from({ length: 10 }, () => 'a,x,'), ...Array.from({ length: 10 }, () => 'b,x,2')];
    await writeFile(join(dir, 'missing.csv'), `${lines.join('\n')}\n`);
    await writeFile(join(dir, 'mean.json'), JSON.stringify({ method: 'crosstab', index: ['g'], columns: ['c'], values: 'v', aggfunc: 'mean', margins: false }));
    const run = (profile: string) =>
      tre('outputs', 'check-table', '--data', join(dir, 'missing.csv'), '--spec', join(dir, 'mean.json'), '--profile', profile, '--json');
    const table = { rowLabels: [['a'], ['b']], colLabels: [['x']], values: [[null], [2]] };
    const none = { threshold: [], zeros: [], nk: [], 'p-ratio': [], dof: [], missing: [], negative: [] };
    expect(await run('acro')).toEqual({ code: 0, out: { status: 'pass', table, rules: none } });
    const a = [{ row: ['a'], col: ['x'] }];
    expect(await run('acro-0.4')).toEqual({ code: 0, out: { status: 'fail', table, rules: { ...none, threshold: a, 'p-ratio': a } } });
  });
});

describe('tre outputs check-table --policy', () => {
  it('rejects a malformed policy file naming its line and key, exit 2', async () => {
    await writeFile(join(dir, 'policy.yaml'), 'kind: profile\nname: mine\ntables:\n  threshold: -3\n');
    const { code, out } = await tre(
      'outputs',
      'check-table',
      '--data',
      join(dir, 'data.csv'),
      '--spec',
      join(dir, 'spec.json'),
      '--policy',
      join(dir, 'policy.yaml'),
      '--json',
    );
    expect(code).toBe(2);
    const message = (out as { error: { message: string } }).error.message;
    expect(message).toContain(`${join(dir, 'policy.yaml')}:4: tables.threshold: Too small: expected number to be >0`);
    expect(message).toContain(`${join(dir, 'policy.yaml')}:1: files: Invalid input: expected object, received undefined`);
  });
});

describe('tre outputs check-file', () => {
  it('reports small counts in a CSV table', async () => {
    await writeFile(join(dir, 'counts.csv'), 'sex,n\nF,12\nM,4\n');
    const { out } = await tre('outputs', 'check-file', join(dir, 'counts.csv'), '--json');
    expect(out).toMatchObject({ name: 'counts.csv', status: 'review', findings: [{ check: 'small-count', line: 3, value: '4', column: 'n' }] });
  });
});
