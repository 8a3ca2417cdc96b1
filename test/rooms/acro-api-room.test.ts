/**
 * ACRO's API in a real (bubblewrap) room: an ACRO 1.0.1 script in Python (`from acro import
 * ACRO`) and an ACRO-R script (`library(acro)`), unchanged, check their tables through the room's
 * channel; inside the room failing tables are shown, and `finalise` writes to /outputs the
 * results.json ACRO 1.0.1 writes: for the same data, the same cells flagged at the same positions
 * (test/airlock/acro-api/acro-1.0.1-results.json, made by ACRO 1.0.1 itself).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { roomAccess, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';
import { runInRoom, type RunResult } from './room-client.ts';

const SKIP = roomsUnavailable();
const REFERENCE = JSON.parse(readFileSync(new URL('../airlock/acro-api/acro-1.0.1-results.json', import.meta.url), 'utf8'));
let p: RoomsPlatform;
let roomId = '';
const paths = () => platformPaths(p.dataDir);

beforeAll(async () => {
  if (SKIP) return;
  p = await startRoomsPlatform();
  roomId = (await p.startRoom('researcher')).id;
}, 180_000);
afterAll(async () => {
  await p?.stop();
});

/** Writes a script into the researcher's home (the room's /home/researcher) and runs it there. */
async function runScript(name: string, interpreter: string, code: string): Promise<RunResult> {
  writeFileSync(join(paths().home(p.projectId, 'researcher'), name), code);
  const { endpoint, spec } = await roomAccess(p, roomId);
  return runInRoom(endpoint, spec, [interpreter, `/home/researcher/${name}`], 120);
}

/**
 * What SACRO-Viewer checks when it opens a folder (sacro/models.py ACROOutputs): a version, and
 * every output with at least one named file; then each file against checksums/<name>.txt.
 */
function sacroViewerProblems(folder: string): string[] {
  const dir = join(paths().outputs(p.projectId, 'researcher'), folder);
  const data = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const problems: string[] = typeof data.version === 'string' ? [] : ['no version'];
  for (const [uid, out] of Object.entries<{ files: { name: string }[] }>(data.results)) {
    if (!out.files?.length) problems.push(`${uid}: no file`);
    for (const f of out.files ?? []) {
      const sum = createHash('sha256')
        .update(readFileSync(join(dir, f.name)))
        .digest('hex');
      if (readFileSync(join(dir, 'checksums', `${f.name}.txt`), 'utf8') !== sum) problems.push(`${uid}: ${f.name} checksum`);
    }
  }
  return problems;
}

const results = (folder: string) => JSON.parse(readFileSync(join(paths().outputs(p.projectId, 'researcher'), folder, 'results.json'), 'utf8'));

/** The data of make-reference.py: 2012 has 1 and 2 records, under the threshold of 10. */
const PY_DATA = `import json, pandas as pd
df = pd.DataFrame({"year": [2010] * 30 + [2011] * 25 + [2012] * 3, "grant": ["a", "b"] * 29, "inc": [float(i) for i in range(58)]})
`;

describe.skipIf(SKIP)(`ACRO's API in a room${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('an ACRO 1.0.1 Python script runs unchanged; the failing table is shown in the room and flagged at the cells ACRO flags', async () => {
    const res = await runScript(
      'acro_grants.py',
      '/usr/bin/python3',
      `${PY_DATA}
from acro import ACRO
acro = ACRO(suppress=False)
table = acro.crosstab(df.year, df.grant)
acro.pivot_table(df, index=["year"], values=["inc"], aggfunc=["mean", "std"])
acro.finalise("ACRO_PY", "json")
strict = ACRO(suppress=True)
redacted = strict.crosstab(df.year, df.grant)
strict.finalise("ACRO_PY_SUPPRESSED")
print(json.dumps({"table": table.to_csv(), "redacted": redacted.to_csv()}))
`,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const printed = JSON.parse(res.stdout);
    // The default profile: counts rounded to 5, cells of 7 or fewer records blanked (NaN, so floats, as ACRO's redacted tables).
    expect(printed.table).toBe('year,a,b\n2010,15.0,15.0\n2011,15.0,10.0\n2012,,\n');
    expect(printed.redacted).toBe(printed.table);

    const ours = results('ACRO_PY');
    const crosstab = ours.results.output_0;
    const acro = REFERENCE.results.output_0;
    expect(crosstab.status).toBe(acro.status);
    expect(crosstab.files[0].sdc.cells.MinimumThresholdCheck).toEqual(acro.files[0].sdc.cells.MinimumThresholdCheck);
    expect(crosstab.files[0].sdc.summary.MinimumThresholdCheck).toBe(acro.files[0].sdc.summary.MinimumThresholdCheck);
    expect(crosstab.outcome).toEqual({
      a: { '2010': 'ok', '2011': 'ok', '2012': 'MinimumThresholdCheck; suppressed; ' },
      b: { '2010': 'ok', '2011': 'ok', '2012': 'MinimumThresholdCheck; suppressed; ' },
    });
    expect(crosstab.command).toBe(`table = ${acro.command}`);
    expect(crosstab.analyserom).toMatchObject({ notebook: '/home/researcher/acro_grants.py', source: { kind: 'output' } });
    expect(ours.results.output_1.status).toBe(REFERENCE.results.output_1.status);
    expect(sacroViewerProblems('ACRO_PY')).toEqual([]);
    expect(results('ACRO_PY_SUPPRESSED').results.output_0).toMatchObject({
      status: 'review',
      exception: 'Suppression automatically applied where needed',
      properties: { mitigation: 'suppress' },
    });

    const audit = await p.deps.store.query<{ client_address: string }>(
      "SELECT client_address FROM audit_log WHERE action = 'output.check-table' AND outcome = 'success' ORDER BY seq",
    );
    expect(audit.map((a) => a.client_address)).toEqual([`room:${roomId}`, `room:${roomId}`, `room:${roomId}`]);
  });

  it("an ACRO-R script runs with the room's R: library(acro), acro_crosstab, acro_finalise", async () => {
    const res = await runScript(
      'acro_grants.R',
      '/usr/bin/Rscript',
      `library(acro)
df <- data.frame(year = c(rep(2010, 30), rep(2011, 25), rep(2012, 3)), grant = rep(c("a", "b"), 29), inc = as.numeric(0:57))
acro_init()
table <- acro_crosstab(df$year, df$grant)
print(table)
pivot <- acro_pivot_table(df, values = "inc", index = "year", aggfunc = "mean")
acro_add_comments("output_0", "from R")
acro_rename_output("output_1", "mean_income")
refused <- tryCatch(acro_pivot_table(df, values = "inc", index = "year", aggfunc = "bogus"), error = function(e) conditionMessage(e))
acro_finalise("ACRO_R", "json")
cat(jsonlite::toJSON(list(a = table[["a"]], rows = rownames(table), mean = pivot[["inc"]], refused = refused), na = "null", auto_unbox = TRUE))
`,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const last = res.stdout.trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toEqual({
      a: [15, 15, null],
      rows: ['2010', '2011', '2012'],
      mean: [14.5, 42, null],
      refused: "AirlockError: 400 unknown aggfunc 'bogus'; known: count, mean, sum, median, std, min, max, mode",
    });
    const ours = results('ACRO_R');
    expect(Object.keys(ours.results)).toEqual(['output_0', 'mean_income']);
    expect(ours.results.output_0).toMatchObject({
      status: 'fail',
      command: 'acro_crosstab(df$year, df$grant)',
      comments: ['from R'],
      files: [
        {
          name: 'output_0_0.csv',
          sdc: {
            cells: {
              MinimumThresholdCheck: [
                [2, 0],
                [2, 1],
              ],
            },
          },
        },
      ],
      analyserom: { spec: { index: ['year'], columns: ['grant'] } },
    });
    expect(ours.results.mean_income.files[0].name).toBe('mean_income_0.csv');
    expect(sacroViewerProblems('ACRO_R')).toEqual([]);
  });

  it('a regression with 9 residual degrees of freedom is shown in the room and recorded as failing; perfect separation is an error, in Python and R', async () => {
    const res = await runScript(
      'acro_models.py',
      '/usr/bin/python3',
      `import json, pandas as pd
from acro import ACRO
acro = ACRO()
df = pd.DataFrame({"x1": [float(i) for i in range(12)], "x2": [float((i * 7) % 5) for i in range(12)]})
df["y"] = 1 + 2 * df.x1 - df.x2 + pd.Series([0.3, -0.2, 0.1, 0.0, -0.4, 0.2, 0.1, -0.1, 0.3, -0.3, 0.2, -0.2])
model = acro.olsr("y ~ x1 + x2", data=df)
separated = pd.DataFrame({"x": [float(i) for i in range(30)], "won": [0] * 15 + [1] * 15})
try:
    acro.logitr("won ~ x", data=separated)
    error = None
except Exception as err:
    error = str(err)
times = pd.DataFrame({"t": [1, 2, 3, 4] * 30, "died": ([1] * 4 + [0] * 4) * 15})
ax, curve = acro.surv_func(times.t, times.died, "plot")
few = acro.hist(pd.DataFrame({"v": list(range(30))}), "v", bins=[0, 10, 25, 30])
acro.finalise("ACRO_MODELS")
print(json.dumps({"dof": model.df_resid, "params": list(model.params.index), "error": error, "curve": curve, "few": few}))
`,
    );
    expect(res.stderr).toBe('');
    const printed = JSON.parse(res.stdout.trim().split('\n').at(-1)!);
    expect(printed).toMatchObject({ dof: 9, params: ['Intercept', 'x1', 'x2'] });
    expect(printed.error).toMatch(/^400 .*separat/i);
    // The survival plot is drawn in the room from the checked table; a histogram with a bin of 5 gets no figure.
    expect(printed.curve).toMatch(/^\/outputs\/\.acro\/artifacts\/kaplan-meier_\d+\.png$/);
    expect(printed.few).toBe('');
    const recorded = results('ACRO_MODELS').results;
    expect(sacroViewerProblems('ACRO_MODELS')).toEqual([]);
    expect(recorded.output_1).toMatchObject({ type: 'survival plot', files: [{ name: printed.curve.split('/').at(-1) }] });
    // Without a figure the checked counts are its file: SACRO-Viewer opens only outputs with one.
    expect(recorded.output_2).toMatchObject({
      type: 'histogram',
      status: 'fail',
      files: [{ name: 'output_2_0.csv' }],
      analyserom: { check: 'check-histogram' },
    });
    expect(results('ACRO_MODELS').results.output_0).toMatchObject({
      status: 'fail',
      type: 'regression',
      properties: { method: 'ols', dof: 9 },
      files: [{ sdc: { summary: { MinimumDoFCheck: 1 } } }],
    });
    const r = await runScript(
      'acro_models.R',
      '/usr/bin/Rscript',
      `library(acro)
df <- data.frame(x1 = as.numeric(0:11), x2 = as.numeric((0:11 * 7) %% 5))
df$y <- 1 + 2 * df$x1 - df$x2 + c(0.3, -0.2, 0.1, 0.0, -0.4, 0.2, 0.1, -0.1, 0.3, -0.3, 0.2, -0.2)
acro_init()
model <- acro_lm(y ~ x1 + x2, data = df)
cat(jsonlite::toJSON(list(rows = rownames(model), dof = attr(model, "df.residual"), status = attr(model, "status")), auto_unbox = TRUE))
`,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ rows: ['Intercept', 'x1', 'x2'], dof: 9, status: 'fail' });
  });
});
