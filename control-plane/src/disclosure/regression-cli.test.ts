/** `tre outputs check-regression` end to end: the real CLI process, its stdout parsed. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/statsmodels/', import.meta.url));
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

const specOf = (name: string) => (JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as { spec: unknown }).spec;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tre-regression-'));
  await writeFile(join(dir, 'dof9.json'), JSON.stringify(specOf('logit_dof9')));
  await writeFile(join(dir, 'bad.json'), JSON.stringify({ method: 'ols', dependent: 'y', independent: ['x1', 'x7'] }));
});

describe('tre outputs check-regression', () => {
  it('prints status, nobs, dof, params and the dof rule with the acro profile', async () => {
    const { code, out } = await tre(
      'outputs',
      'check-regression',
      '--data',
      join(FIXTURES, 'logit_dof9.csv'),
      '--spec',
      join(dir, 'dof9.json'),
      '--profile',
      'acro',
      '--json',
    );
    expect(code).toBe(0);
    expect(out).toMatchObject({
      status: 'fail',
      method: 'logit',
      nobs: 12,
      dof: 9,
      rules: { dof: { value: 9, threshold: 10, passed: false } },
      summary: 'fail; dof=9 < 10',
    });
    const params = (out as { params: Record<string, Record<string, number>> }).params;
    expect(Object.keys(params)).toEqual(['const', 'x1', 'x2']);
    expect(Object.keys(params.x1!)).toEqual(['coef', 'se', 'z', 'p']);
  });

  it('exits 2 naming an unknown column', async () => {
    const { code, out } = await tre('outputs', 'check-regression', '--data', join(FIXTURES, 'ols_numeric.csv'), '--spec', join(dir, 'bad.json'), '--json');
    expect(code).toBe(2);
    expect(out).toEqual({
      error: { message: "the data has no column 'x7' (independent[1])", details: { reason: 'unknown_column', column: 'x7', field: 'independent[1]' } },
    });
  });
});
