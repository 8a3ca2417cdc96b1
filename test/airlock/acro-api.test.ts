/**
 * ACRO's own Python API in the room (workspace-images/airlock-helper/analyserom_acro, and the
 * `acro` shim): an ACRO 1.0.1 script's tables are checked by a real control plane, returned as
 * ACRO returns them, and `finalise` writes the results.json ACRO 1.0.1 writes (compared with
 * `acro-api/acro-1.0.1-results.json`, made by ACRO 1.0.1 itself: see `acro-api/make-reference.py`).
 *
 * Run with Debian's python3 (pandas) over a room's channel (a unix socket vouching for the room's
 * owner, as in a room, without the room itself), and once over loopback with a token: outside a
 * room a check of the helper's staged frames is withheld, which the helper reports as an error
 * (test/rooms/acro-api-room.test.ts runs the same API in a real room).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAirlock, type AirlockTest } from './support.ts';

const HELPER_DIR = fileURLToPath(new URL('../../workspace-images/airlock-helper', import.meta.url));
const REFERENCE = JSON.parse(readFileSync(new URL('./acro-api/acro-1.0.1-results.json', import.meta.url), 'utf8'));
/** Debian's interpreter: it has pandas, as the room's has (a pyenv python3 on PATH may not). */
const PYTHON = '/usr/bin/python3';
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
    JPY_SESSION_NAME: '/home/researcher/grants.ipynb',
  };
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

let scripts = 0;
/** Runs `code` as a script file, as a notebook cell is (ACRO records each call's source line). */
async function python(code: string, over = env) {
  const script = join(outputs, `..`, `acro-script-${scripts++}.py`);
  writeFileSync(script, code);
  try {
    const { stdout, stderr } = await run(PYTHON, [script], { env: over, cwd: outputs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Grants by year and type: every cell has at least 15 records. */
const DATA = `
import json, pandas as pd
df = pd.DataFrame({"year": [2010] * 30 + [2011] * 40, "grant": ["a", "b"] * 35, "inc": [float(i) for i in range(70)],
                   "unused": ["secret"] * 70})
`;

async function auditCount(action: string): Promise<number> {
  const rows = await t.p.deps.store.query<{ n: string }>("SELECT count(*) AS n FROM audit_log WHERE action = $1 AND outcome = 'success'", [action]);
  return Number(rows[0]!.n);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe("ACRO's API in the room's helper", () => {
  it('runs an ACRO script unchanged: each table checked by the control plane, finalise writes ACRO 1.0.1 results', async () => {
    const before = await auditCount('output.check-table');
    const res = await python(`${DATA}
from acro import ACRO
acro = ACRO(suppress=False)
table = acro.crosstab(df.year, df.grant, margins=True)
pivot = acro.pivot_table(df, index=["year"], values=["inc"], aggfunc=["mean", "std"])
acro.add_comments("output_0", "grants by year")
acro.add_exception("output_1", "means of incomes are fine")
acro.rename_output("output_1", "income_by_year")
acro.finalise("RESULTS", "json")
print(json.dumps({"table": table.to_csv(), "pivot": pivot.to_csv(), "names": [table.index.name, table.columns.name]}))
`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const printed = JSON.parse(res.stdout);
    // The default profile rounds counts to 5, totals summed from rounded cells: the control plane's table, not pandas'.
    expect(printed.table).toBe('year,a,b,All\n2010,15,15,30\n2011,20,20,40\nAll,35,35,70\n');
    expect(printed.names).toEqual(['year', 'grant']);
    expect(printed.pivot.split('\n').slice(0, 3)).toEqual([',mean,std', ',inc,inc', 'year,,']);
    expect(printed.pivot).toContain('\n2010,14.5,8.8034');
    expect(await auditCount('output.check-table')).toBe(before + 2);

    const folder = join(outputs, 'RESULTS');
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(results.version).toBe(REFERENCE.version);
    expect(Object.keys(results.results)).toEqual(['output_0', 'income_by_year']);
    const [crosstab, pivotOut] = [results.results.output_0, results.results.income_by_year];
    // Every key ACRO 1.0.1 writes per output, in its order, and ours after them.
    expect(Object.keys(crosstab)).toEqual([...Object.keys(REFERENCE.results.output_0), 'analyserom']);
    expect(crosstab).toMatchObject({
      uid: 'output_0',
      status: 'pass',
      type: 'table',
      properties: { method: 'crosstab', mitigation: 'none' },
      files: [{ name: 'output_0_0.csv', sdc: { summary: { MinimumThresholdCheck: 0, NKCheck: 0 }, cells: { MinimumThresholdCheck: [] } } }],
      outcome: { a: { '2010': 'ok', '2011': 'ok', All: 'ok' }, All: { All: 'ok' } },
      command: 'table = acro.crosstab(df.year, df.grant, margins=True)',
      comments: ['grants by year'],
      exception: '',
    });
    expect(pivotOut).toMatchObject({ uid: 'income_by_year', exception: 'means of incomes are fine', files: [{ name: 'income_by_year_0.csv' }] });
    expect(Object.keys(pivotOut.outcome)).toEqual(Object.keys(REFERENCE.results.output_1.outcome));
    expect(readFileSync(join(folder, 'output_0_0.csv'), 'utf8')).toBe(printed.table);

    // Where the check came from: the staged columns (only those the call used), bound by their hash.
    const source = crosstab.analyserom.source;
    expect(crosstab.analyserom).toMatchObject({
      check: 'check-table',
      spec: { method: 'crosstab', index: ['year'], columns: ['grant'], values: null, aggfunc: null, margins: true },
      checkedFor: 'researcher',
      policy: { profile: 'default', sources: ['policies/default.yaml'] },
      notebook: '/home/researcher/grants.ipynb',
    });
    expect(source).toMatchObject({ kind: 'output', file: expect.stringMatching(/^\.acro\/[0-9a-f]{16}\.csv$/) });
    const staged = join(outputs, source.file);
    expect(sha256(staged)).toBe(source.sha256);
    expect(readFileSync(staged, 'utf8').split('\n')[0]).toBe('year,grant');

    // SACRO-Viewer checks each file against checksums/<name>.txt.
    const files = readdirSync(folder).filter((f) => f !== 'checksums');
    expect(files.sort()).toEqual(['config.json', 'income_by_year_0.csv', 'output_0_0.csv', 'results.json']);
    for (const f of files) expect(readFileSync(join(folder, 'checksums', `${f}.txt`), 'utf8')).toBe(sha256(join(folder, f)));
    // The folder can be requested for export as it is: each table with the check request its record names,
    // so that the airlock recomputes it from the same staged bytes and matches the saved CSV number by number.
    const req = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, {
      as: 'researcher',
      body: {
        purpose: 'ACRO outputs',
        files: [
          ...[crosstab, pivotOut].map((o) => ({
            path: `RESULTS/${o.files[0].name}`,
            description: o.command,
            table: { source: { output: o.analyserom.source.file }, spec: o.analyserom.spec },
          })),
          { path: 'RESULTS/results.json', description: 'ACRO results' },
        ],
      },
    });
    expect(req.status).toBe(201);
    expect(
      req.body.files.map((f: { checkStatus: string; checks: { table?: { match?: { matches: boolean } } } }) => [f.checkStatus, f.checks.table?.match?.matches]),
    ).toEqual([
      ['pass', true],
      ['pass', true],
      ['pass', undefined],
    ]);
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ safe_threshold: 10, safe_dof_threshold: 10, safe_nk_n: 2, safe_nk_k: 0.9, zeros_are_disclosive: true, suppress: false });
  });

  it('lays tables out as pandas does: several row variables, margins, aggfunc lists, a values level', async () => {
    // Counts are multiples of 5 of at least 10: the default profile's rounding leaves them as they are,
    // so the checked tables must equal pandas' own on the same frame (labels, level names, values).
    const res = await python(`
import json, pandas as pd
rows = []
for year, grant, kind, n in [(2010, "a", "x", 10), (2010, "a", "y", 15), (2010, "b", "x", 20), (2010, "b", "y", 10),
                             (2011, "a", "x", 25), (2011, "a", "y", 10), (2011, "b", "x", 15), (2011, "b", "y", 30)]:
    rows += [{"year": year, "grant": grant, "kind": kind, "inc": float(100 + 3 * i + year % 7)} for i in range(n)]
df = pd.DataFrame(rows)
from acro import ACRO
acro = ACRO()
checks = {
    "crosstab": (acro.crosstab([df.year, df.grant], df.kind, margins=True), pd.crosstab([df.year, df.grant], df.kind, margins=True)),
    "names": (acro.crosstab(df.year, df.kind, rownames=["Year"], colnames=["Kind"], margins=True, margins_name="Total"),
              pd.crosstab(df.year, df.kind, rownames=["Year"], colnames=["Kind"], margins=True, margins_name="Total")),
    "mean": (acro.crosstab(df.year, df.grant, values=df.inc, aggfunc="mean"), pd.crosstab(df.year, df.grant, values=df.inc, aggfunc="mean")),
    "pivot": (acro.pivot_table(df, index="year", columns="grant", values="inc", aggfunc=["mean", "count"]),
              pd.pivot_table(df, index="year", columns="grant", values="inc", aggfunc=["mean", "count"])),
    "values_level": (acro.pivot_table(df, index=["year"], columns=["kind"], values=["inc"], aggfunc="sum"),
                     pd.pivot_table(df, index=["year"], columns=["kind"], values=["inc"], aggfunc="sum")),
}
out = {}
for name, (ours, theirs) in checks.items():
    try:
        pd.testing.assert_frame_equal(ours, theirs, check_dtype=False, check_exact=False, rtol=1e-9, check_index_type=False, check_column_type=False)
        out[name] = "same"
    except AssertionError as err:
        out[name] = str(err) + "\\n" + ours.to_csv() + "\\n" + theirs.to_csv()
print(json.dumps(out))
`);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual({ crosstab: 'same', names: 'same', mean: 'same', pivot: 'same', values_level: 'same' });
  });

  it('finalise refuses a folder that exists, as ACRO does; custom outputs are recorded for review', async () => {
    const res = await python(`${DATA}
import analyserom_airlock as air
acro = air.ACRO()
open("figure.png", "wb").write(b"png")
acro.custom_output("figure.png", "a figure")
print(acro.finalise("RESULTS") is None)
acro.finalise("RESULTS2")
import os
from acro import add_to_acro
os.makedirs("made_elsewhere", exist_ok=True)
open("made_elsewhere/notes.txt", "w").write("text")
add_to_acro("made_elsewhere", "ADDED")
`);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe('True');
    const results = JSON.parse(readFileSync(join(outputs, 'RESULTS2', 'results.json'), 'utf8'));
    expect(results.results.output_0).toMatchObject({ status: 'review', type: 'custom', files: [{ name: 'figure.png', sdc: {} }], comments: ['a figure'] });
    expect(existsSync(join(outputs, 'RESULTS2', 'figure.png'))).toBe(true);
    // ACRO's add_to_acro: a folder's files as custom outputs named by their files.
    const added = JSON.parse(readFileSync(join(outputs, 'ADDED', 'results.json'), 'utf8'));
    expect(added.results).toMatchObject({ 'notes.txt': { uid: 'notes.txt', type: 'custom', status: 'review', files: [{ name: 'notes.txt' }] } });
  });

  it('outside a room (over loopback with a token) a failing table is withheld: the call raises and nothing is recorded', async () => {
    const outside = { ...env, ANALYSEROM_API: t.p.url, ANALYSEROM_TOKEN: await t.p.token('researcher') };
    const res = await python(
      `${DATA}
from acro import ACRO, AirlockError
acro = ACRO()
small = df[df.inc < 13]
try:
    acro.crosstab(small.year, small.grant)
except ValueError as err:
    print("refused:", err)
print(len(acro.results.results))
`,
      outside,
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('refused: the control plane withheld the table (table_only_in_room)');
    expect(res.stdout.trim().endsWith('0')).toBe(true);
  });

  it("refuses what ACRO's checks cannot stand behind, naming it", async () => {
    const res = await python(`${DATA}
from acro import ACRO
acro = ACRO()
for call in (lambda: acro.crosstab(df.year, df.grant, normalize=True),
             lambda: acro.pivot_table(df, index="year", values="inc", aggfunc=len),
             lambda: acro.crosstab(df.year, df.grant, values=df.inc, aggfunc="median_of_means"),
             lambda: acro.finalise("X", "xlsx")):
    try:
        call()
    except Exception as err:
        print(type(err).__name__, str(err).split(";")[0])
`);
    expect(res.stdout.trim().split('\n')).toEqual([
      'ValueError normalize is not offered: the control plane checks and returns counts',
      'ValueError aggfunc must be a name (count, mean, sum, median, std, min, max, mode)',
      "AirlockError 400 unknown aggfunc 'median_of_means'",
      'ValueError Invalid file extension. Options: {json}',
    ]);
  });
});

afterAll(() => {
  if (outputs) rmSync(join(outputs, '.acro'), { recursive: true, force: true });
});
