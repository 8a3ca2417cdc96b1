import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { defaultPolicyDir, loadPolicySet, parsePolicyText, resolvePolicy } from './index.ts';

async function policyDir(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'policies-'));
  const dir = join(root, 'policies');
  await mkdir(join(dir, 'overrides'), { recursive: true });
  for (const name of ['default.yaml', 'acro.yaml']) await writeFile(join(dir, name), await readFile(join(defaultPolicyDir, name), 'utf8'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

function caught(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

const acroText = () => readFile(join(defaultPolicyDir, 'acro.yaml'), 'utf8');

describe('policy files', () => {
  it('the acro profile holds ACRO 1.0 parameters', async () => {
    const policy = resolvePolicy(await loadPolicySet(), { profile: 'acro' });
    expect(policy).toEqual({
      profile: 'acro',
      tables: {
        threshold: 10,
        thresholdCountsMissing: false,
        zerosDisclosive: true,
        nk: { n: 2, k: 0.9, failAtK: false },
        pRatio: 0.1,
        dof: 10,
        checkMissing: false,
        roundingBase: null,
        suppressAtOrBelow: null,
        differencing: false,
        maxCells: 100000,
        checkBudgetMs: 30000,
        maxModelParams: 100,
        maxModelIterations: 35,
        maxModelCells: 5000000,
        modelLevelThreshold: null,
        survival: { rule: 'acro-1.0', threshold: 10, maxGroups: 20, maxSteps: 100000 },
        histograms: { maxBins: 200, maxGroups: 20, maxSlices: 50, dataEdges: 'note' },
      },
      files: {
        maxFileBytes: 104857600,
        maxRequestBytes: 524288000,
        allowArchives: false,
        maxUnpackedBytes: 104857600,
        scanNationalIds: true,
        scanPseudonyms: true,
        scanSmallCounts: true,
        scanBudgetMs: 10000,
      },
      review: { exportApprovals: 2, importApprovals: 1 },
      sources: ['policies/acro.yaml'],
    });
  });

  it('the default profile turns rounding, suppression, differencing and missing-value review on', async () => {
    const { tables, review } = resolvePolicy(await loadPolicySet());
    expect(tables).toMatchObject({ roundingBase: 5, suppressAtOrBelow: 7, differencing: true, checkMissing: true, nk: { failAtK: true } });
    expect(review.exportApprovals).toBe(2);
  });

  it('rejects a value out of range naming file, line and key', async () => {
    const text = (await acroText()).replace('k: 0.9 ', 'k: 1.5 ');
    const err = caught(() => parsePolicyText('policies/acro.yaml', text));
    expect(err.message).toBe('invalid policy: policies/acro.yaml:12: tables.nk.k: Too big: expected number to be <=1');
    expect(err.details).toMatchObject({ file: 'policies/acro.yaml', line: 12, key: 'tables.nk.k' });
  });

  it('rejects an unknown key at its own line', async () => {
    const text = (await acroText()).replace('  dof: 10', '  dof: 10\n  treshold: 5');
    const err = caught(() => parsePolicyText('policies/acro.yaml', text));
    expect(err.details).toMatchObject({ line: 16, key: 'tables.treshold' });
    expect(err.message).toContain('policies/acro.yaml:16: tables.treshold: unknown key');
  });

  it('rejects a wrong type and a missing key', async () => {
    const text = (await acroText()).replace('  threshold: 10 ', '  threshold: ten ').replace(/ {2}dof: 10.*\n/, '');
    const err = caught(() => parsePolicyText('p.yaml', text));
    expect(err.details?.issues).toEqual([
      { file: 'p.yaml', line: 7, column: 3, key: 'tables.threshold', message: 'Invalid input: expected number, received string' },
      { file: 'p.yaml', line: 6, column: 1, key: 'tables.dof', message: 'Invalid input: expected number, received undefined' },
    ]);
  });

  it('rejects a YAML syntax error at its line', () => {
    const err = caught(() => parsePolicyText('p.yaml', 'kind: profile\nname: x\ntables: [1, 2\n'));
    expect(err.details).toMatchObject({ file: 'p.yaml', key: '' });
    expect(err.message).toMatch(/^invalid policy: p\.yaml:\d+: /);
  });

  it('rejects an override naming an unknown profile', async () => {
    const dir = await policyDir({ 'overrides/p1.yaml': 'kind: override\nscope: { project: p1 }\nprofile: strict\n' });
    await expect(loadPolicySet(dir)).rejects.toThrow("policies/overrides/p1.yaml:3: profile: unknown profile 'strict'");
  });

  it('rejects a dataset override that chooses a profile', async () => {
    const dir = await policyDir({ 'overrides/npr.yaml': 'kind: override\nscope: { dataset: npr }\nprofile: acro\n' });
    await expect(loadPolicySet(dir)).rejects.toThrow('policies/overrides/npr.yaml:3: profile: only a project override may choose a profile');
  });
});

describe('resolvePolicy', () => {
  it('applies the project override on its chosen profile, then the strictest of the datasets', async () => {
    const dir = await policyDir({
      'overrides/p1.yaml': 'kind: override\nscope: { project: p1 }\nprofile: acro\ntables: { threshold: 5 }\nreview: { exportApprovals: 3 }\n',
      'overrides/npr.yaml': 'kind: override\nscope: { dataset: npr }\ntables: { threshold: 20, nk: { k: 0.8 } }\n',
      'overrides/mfr.yaml': 'kind: override\nscope: { dataset: mfr }\ntables: { roundingBase: 3, pRatio: 0.2 }\nfiles: { allowArchives: true }\n',
    });
    const set = await loadPolicySet(dir);
    expect(resolvePolicy(set, { project: 'p1' }).tables.threshold).toBe(5);
    const p = resolvePolicy(set, { project: 'p1', datasets: ['npr', 'mfr', 'kpr'] });
    expect(p.profile).toBe('acro');
    expect(p.tables).toMatchObject({ threshold: 20, nk: { n: 2, k: 0.8, failAtK: false }, pRatio: 0.2, roundingBase: 3 });
    expect(p.files.allowArchives).toBe(false);
    expect(p.review.exportApprovals).toBe(3);
    expect(p.sources).toEqual(['policies/acro.yaml', 'policies/overrides/p1.yaml', 'policies/overrides/npr.yaml', 'policies/overrides/mfr.yaml']);
  });

  it('an override patches single survival and histogram keys; of two datasets the stricter survival and histogram rules hold', async () => {
    const dir = await policyDir({
      'overrides/p1.yaml': 'kind: override\nscope: { project: p1 }\ntables: { survival: { threshold: 20 }, histograms: { maxBins: 50 } }\n',
      'overrides/npr.yaml':
        'kind: override\nscope: { dataset: npr }\ntables: { survival: { rule: acro-1.0, maxGroups: 5 }, histograms: { dataEdges: note } }\n',
    });
    const set = await loadPolicySet(dir);
    const own = resolvePolicy(set, { project: 'p1' }).tables;
    expect([own.survival, own.histograms]).toEqual([
      { rule: 'pool', threshold: 20, maxGroups: 20, maxSteps: 100000 },
      { maxBins: 50, maxGroups: 20, maxSlices: 50, dataEdges: 'review' },
    ]);
    const both = resolvePolicy(set, { project: 'p1', datasets: ['npr', 'kpr'] }).tables;
    expect([both.survival, both.histograms]).toEqual([
      { rule: 'acro-1.0', threshold: 20, maxGroups: 5, maxSteps: 100000 },
      { maxBins: 50, maxGroups: 20, maxSlices: 50, dataEdges: 'review' },
    ]);
  });

  it('a dataset override alone may relax a key only when it is the only dataset', async () => {
    const dir = await policyDir({ 'overrides/mfr.yaml': 'kind: override\nscope: { dataset: mfr }\ntables: { threshold: 5 }\n' });
    const set = await loadPolicySet(dir);
    expect(resolvePolicy(set, { datasets: ['mfr'] }).tables.threshold).toBe(5);
    expect(resolvePolicy(set, { datasets: ['mfr', 'npr'] }).tables.threshold).toBe(10);
  });
});
