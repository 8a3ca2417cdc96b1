/**
 * ACRO's model and plot calls in the room's helper (analyserom_acro/models.py) against a real
 * control plane: `olsr`/`ols`/`logitr`/`probit` return the control plane's estimates, which agree
 * with statsmodels fitted on the same frame (Debian's, in the test's own Python) to 1e-6 relative;
 * `surv_func` returns the checked Kaplan-Meier table and `hist` the control plane's figure, and
 * `finalise` records each as ACRO does. Over a room's channel (a unix socket vouching for the
 * room's owner, without the room itself): a check of the helper's staged frames answers whole only
 * there; the data here pass (the boundaries are the engines' tests; test/rooms shows failing ones).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from './support.ts';

const HELPER_DIR = fileURLToPath(new URL('../../workspace-images/airlock-helper', import.meta.url));
const run = promisify(execFile);

let t: AirlockTest;
let outputs: string;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startAirlock();
  outputs = t.paths.outputs(t.projectId, 'researcher');
  mkdirSync(outputs, { recursive: true });
  env = {
    PATH: process.env.PATH!,
    PYTHONPATH: HELPER_DIR,
    // The room's channel, as in a room: only there does a check of the helper's staged frames answer whole.
    ANALYSEROM_API: await t.roomChannel('researcher'),
    ANALYSEROM_PROJECT: t.projectId,
    ANALYSEROM_OUTPUTS: outputs,
  };
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

async function python(name: string, code: string) {
  const script = join(outputs, '..', name);
  writeFileSync(script, code);
  const { stdout } = await run('/usr/bin/python3', [script], { env, cwd: outputs });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

const DATA = `
import json
import numpy as np, pandas as pd, statsmodels.api as sm, statsmodels.formula.api as smf
from acro import ACRO
rng = np.random.default_rng(7)
n = 80
df = pd.DataFrame({"x1": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], size=n)})
df["y"] = 1 + 2 * df.x1 + (df.g == "b") * 0.5 + rng.normal(size=n)
df["won"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-df.x1))).astype(int)

def worst(ours, ref):
    """The largest relative difference of coefficients and standard errors, and the names of both."""
    rel = lambda a, b: float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
    return {"names": [list(ours.params.index), list(ref.params.index)],
            "coef": rel(ours.params[ref.params.index].to_numpy(), ref.params.to_numpy()),
            "se": rel(ours.bse[ref.params.index].to_numpy(), ref.bse.to_numpy()),
            "p": rel(ours.pvalues[ref.params.index].to_numpy(), ref.pvalues.to_numpy()),
            "dof": [ours.df_resid, ref.df_resid]}
`;

describe("ACRO's model and plot calls in the room's helper", () => {
  it('olsr, ols, logitr and probit return the control plane’s estimates, as statsmodels computes them', async () => {
    const res = await python(
      'acro_models.py',
      `${DATA}
acro = ACRO()
out = {
  "olsr": worst(acro.olsr("y ~ x1 + C(g)", data=df), smf.ols("y ~ x1 + C(g)", data=df).fit()),
  "ols": worst(acro.ols(df.y, sm.add_constant(df[["x1"]])), sm.OLS(df.y, sm.add_constant(df[["x1"]])).fit()),
  "logitr": worst(acro.logitr("won ~ x1", data=df), smf.logit("won ~ x1", data=df).fit(disp=0)),
  "probit": worst(acro.probit(df.won, sm.add_constant(df[["x1"]])), sm.Probit(df.won, sm.add_constant(df[["x1"]])).fit(disp=0)),
}
acro.finalise("MODELS")
print(json.dumps(out))
`,
    );
    expect(res.olsr.names).toEqual([
      ['Intercept', 'C(g)[T.b]', 'C(g)[T.c]', 'x1'],
      ['Intercept', 'C(g)[T.b]', 'C(g)[T.c]', 'x1'],
    ]);
    expect(res.ols.names).toEqual([
      ['const', 'x1'],
      ['const', 'x1'],
    ]);
    for (const model of ['olsr', 'ols', 'logitr', 'probit']) {
      expect(res[model].coef, model).toBeLessThan(1e-6);
      expect(res[model].se, model).toBeLessThan(1e-6);
      expect(res[model].p, model).toBeLessThan(1e-6);
      expect(res[model].dof[0], model).toBe(res[model].dof[1]);
    }
    const results = JSON.parse(readFileSync(join(outputs, 'MODELS', 'results.json'), 'utf8'));
    expect(results.results.output_0).toMatchObject({
      status: 'pass',
      type: 'regression',
      properties: { method: 'ols', dof: 76 },
      files: [{ name: 'output_0_0.csv', sdc: { summary: { MinimumDoFCheck: 0 }, cells: { MinimumDoFCheck: [] } } }],
      command: '"olsr": worst(acro.olsr("y ~ x1 + C(g)", data=df), smf.ols("y ~ x1 + C(g)", data=df).fit()),',
      analyserom: { check: 'check-regression', spec: { method: 'ols', dependent: 'y', independent: ['x1', 'g'], categorical: ['g'], constant: true } },
    });
    expect(readFileSync(join(outputs, 'MODELS', 'output_0_0.csv'), 'utf8').split('\n')[0]).toBe(',coef,std err,t,P>|t|');
    // Only models in this session: the dof threshold applied is the one their reports name.
    expect(JSON.parse(readFileSync(join(outputs, 'MODELS', 'config.json'), 'utf8'))).toMatchObject({ safe_dof_threshold: 10 });
  });

  it('surv_func returns the checked Kaplan-Meier table; hist returns the figure the control plane drew', async () => {
    const res = await python(
      'acro_plots.py',
      `${DATA}
acro = ACRO()
times = pd.DataFrame({"t": np.repeat([1, 2, 3, 4], 30), "died": np.tile([1] * 15 + [0] * 15, 4)})
table = acro.surv_func(times.t, times.died, "table")
ref = sm.SurvfuncRight(times.t, times.died)
# Edges given: in the default profile, edges taken from the data's minimum and maximum go to a reviewer.
figure = acro.hist(pd.DataFrame({"v": np.arange(200) % 50}), "v", bins=[0, 10, 20, 30, 40, 50])
acro.finalise("PLOTS")
print(json.dumps({"times": list(table.index), "surv": list(table["Surv prob"]), "ref": list(ref.surv_prob),
                  "atRisk": list(table["num at risk"]), "figure": figure}))
`,
    );
    expect(res.times).toEqual([1, 2, 3, 4]);
    expect(res.atRisk).toEqual([120, 90, 60, 30]);
    res.surv.forEach((s: number, i: number) => expect(Math.abs(s - res.ref[i])).toBeLessThan(1e-9));
    expect(res.figure).toMatch(/\/\.acro\/artifacts\/histogram_\d+\.png$/);
    expect(readFileSync(res.figure).subarray(1, 4).toString()).toBe('PNG');
    const results = JSON.parse(readFileSync(join(outputs, 'PLOTS', 'results.json'), 'utf8'));
    expect(results.results.output_0).toMatchObject({ type: 'table', properties: { method: 'surv_func' }, analyserom: { check: 'check-survival' } });
    expect(results.results.output_1).toMatchObject({
      status: 'pass',
      type: 'histogram',
      files: [{ name: expect.stringMatching(/^histogram_\d+\.png$/) }],
      analyserom: { check: 'check-histogram', spec: { column: 'v', bins: [0, 10, 20, 30, 40, 50], group: null } },
    });
  });

  it('pie returns the chart the control plane drew from the checked category counts', async () => {
    const res = await python(
      'acro_pie.py',
      `${DATA}
acro = ACRO()
chart = acro.pie(pd.DataFrame({"c": ["x"] * 20 + ["y"] * 30}), "c")
acro.finalise("PIE")
print(json.dumps({"chart": chart}))
`,
    );
    expect(readFileSync(res.chart).subarray(1, 4).toString()).toBe('PNG');
    const results = JSON.parse(readFileSync(join(outputs, 'PIE', 'results.json'), 'utf8'));
    expect(results.results.output_0).toMatchObject({
      status: 'pass',
      type: 'pie chart',
      files: [{ name: expect.stringMatching(/^pie_\d+\.png$/) }],
      analyserom: { check: 'check-pie', spec: { column: 'c' } },
    });
  });

  it('the helper’s check-regression and check-histogram commands save what was released beside the record', async () => {
    const rows = ['x,y'];
    for (let i = 0; i < 40; i++) rows.push(`${i},${3 + 2 * i + ((i * 7) % 5) / 10}`);
    t.output('researcher', 'fit.csv', `${rows.join('\n')}\n`);
    const helper = join(HELPER_DIR, 'analyserom_airlock.py');
    const spec = JSON.stringify({ method: 'ols', dependent: 'y', independent: ['x'], categorical: [], constant: true });
    // Saving under the source's own name would overwrite the records checked: refused before asking.
    const clash = await run('/usr/bin/python3', [helper, 'check-regression', '--output', 'fit.csv', '--spec', spec, '--save', 'fit'], { env }).catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(clash).toMatchObject({ code: 1, stderr: expect.stringContaining('would overwrite its own source fit.csv') });
    // As from a notebook cell (`!analyserom-airlock ...`): the kernel's JPY_SESSION_NAME is the notebook saved with the record.
    const fit = await run('/usr/bin/python3', [helper, 'check-regression', '--output', 'fit.csv', '--spec', spec, '--save', 'model'], {
      env: { ...env, JPY_SESSION_NAME: '/home/researcher/model.ipynb' },
    });
    expect(JSON.parse(fit.stdout)).toEqual({
      status: 'pass',
      record: join(outputs, 'model.check.json'),
      files: [join(outputs, 'model.csv')],
    });
    const table = readFileSync(join(outputs, 'model.csv'), 'utf8').split('\r\n');
    expect(table[0]).toBe(',coef,std err,t,P>|t|');
    expect(table[2]?.startsWith('x,2.0')).toBe(true);
    const hist = await run(
      '/usr/bin/python3',
      [helper, 'check-histogram', '--output', 'fit.csv', '--spec', '{"column": "x", "bins": [0, 10, 20, 30, 40]}', '--save', 'x_hist'],
      { env },
    ).catch((err: { code: number; stdout: string; stderr: string }) => {
      throw new Error(`exit ${err.code}: ${err.stdout} ${err.stderr}`);
    });
    expect(JSON.parse(hist.stdout).files).toEqual([join(outputs, 'x_hist.png'), join(outputs, 'x_hist.svg')]);
    expect(readFileSync(join(outputs, 'x_hist.svg'), 'utf8')).toContain('<svg');
    expect(JSON.parse(readFileSync(join(outputs, 'model.check.json'), 'utf8'))).toMatchObject({ notebook: '/home/researcher/model.ipynb' });
    expect(JSON.parse(readFileSync(join(outputs, 'x_hist.check.json'), 'utf8'))).toMatchObject({
      notebook: null,
      status: 'pass',
      bins: [{ count: 10 }, { count: 10 }, { count: 10 }, { count: 10 }],
      files: ['x_hist.png', 'x_hist.svg'],
    });
  });
});
