/** `tre exports` through the real command against a real control plane. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROSSTAB, SAFE_CSV, microdataCsv, startAirlock, type AirlockTest } from './support.ts';
import { runTre, type TreResult } from '../support/tre.ts';

let t: AirlockTest;
const dir = mkdtempSync(join(tmpdir(), 'tre-exports-cli-'));

beforeAll(async () => {
  t = await startAirlock();
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tre(as: string, args: string[]): Promise<TreResult> {
  return runTre(args, { TRE_URL: t.p.url, TRE_TOKEN: await t.p.token(as), TRE_CONFIG_DIR: dir });
}

describe('tre exports', () => {
  it('request, list, show, review by two administrators, download verified', async () => {
    t.output('researcher', 'out/t1.csv', SAFE_CSV);
    t.output('researcher', 'micro.csv', microdataCsv());
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ source: { output: 'micro.csv' }, spec: CROSSTAB }));
    const req = await tre('researcher', [
      'exports',
      'request',
      t.projectId,
      '--purpose',
      'paper tables',
      '--file',
      'out/t1.csv',
      '--describe',
      'counts by group',
      '--table',
      `out/t1.csv=${spec}`,
      '--json',
    ]);
    expect(req.code).toBe(0);
    expect(req.json).toMatchObject({ status: 'in_review', checksStatus: 'fail', files: [{ id: 'f1', name: 'out/t1.csv' }] });
    const id = req.json.id;

    const listed = await tre('researcher', ['exports', 'list', t.projectId]);
    expect(listed.stdout).toContain(`${id}  in_review checks:fail   reviews:0/2`);
    const queue = await tre('admin1', ['exports', 'list', '--json']);
    expect(queue.json.map((r: { id: string }) => r.id)).toContain(id);
    const shown = await tre('admin1', ['exports', 'show', id, '--json']);
    expect(shown.json.files[0].checks.table.rules.threshold).toContainEqual({ row: ['east'], col: ['f'] });

    const noReason = await tre('admin1', ['exports', 'review', id, '--decision', 'approve']);
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain('a reason is required to approve over a failed check');
    expect((await tre('admin1', ['exports', 'review', id, '--decision', 'approve', '--reason', 'east row removed from the paper'])).stdout).toContain(
      'sealed until the other reviewers decide',
    );
    expect((await tre('admin2', ['exports', 'review', id, '--decision', 'approve', '--reason', 'agree'])).stdout).toContain('decided, approved');

    const out = join(dir, 'downloads');
    const dl = await tre('lead', ['exports', 'download', id, '--out', out, '--json']);
    expect(dl.code).toBe(0);
    expect(dl.json).toEqual([{ id: 'f1', path: join(out, 't1.csv'), sha256: req.json.files[0].sha256, bytes: SAFE_CSV.length }]);
    expect(readFileSync(join(out, 't1.csv'), 'utf8')).toBe(SAFE_CSV);
  });

  it('withdraw, then resubmit as a new version', async () => {
    t.output('researcher', 'w.csv', SAFE_CSV);
    const req = await tre('researcher', ['exports', 'request', t.projectId, '--purpose', 'p', '--file', 'w.csv', '--describe', 'd', '--json']);
    expect((await tre('researcher', ['exports', 'withdraw', req.json.id, '--reason', 'wrong file'])).stdout).toContain('withdrawn');
    const again = await tre('researcher', ['exports', 'resubmit', req.json.id, '--file', 'w.csv', '--describe', 'right file', '--json']);
    expect(again.json).toMatchObject({ version: 2, previousId: req.json.id, purpose: 'p' });
  });
});
