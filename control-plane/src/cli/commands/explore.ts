/**
 * `tre explore`: protected counts across the registers without a room (issue 14), for any
 * researcher or project lead. `count` takes a query document (`--query FILE`, JSON) or flags;
 * every figure it prints is the server's protected answer (suppressed under the threshold,
 * cell-key perturbed) — the CLI never sees an exact count.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DummyAnswer, ExploreAnswer, ExploreCell, ExploreQueryInput, ExploreRulesAnswer } from '../../explore/schemas.ts';
import { CliError, requireOpt, stringOpt, type CommandArgs, type CommandGroup } from '../command.ts';

const list = (args: CommandArgs, name: string): string[] => {
  const v = args.values[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all
    .flatMap((x) => String(x).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
};

/** The query document from `--query FILE`, with any flags laid over it. */
async function queryOf(args: CommandArgs): Promise<ExploreQueryInput> {
  const file = stringOpt(args, 'query');
  let q: Record<string, unknown> = {};
  if (file) {
    try {
      q = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`cannot read the query document ${file}: ${(err as Error).message}`, 2);
    }
  }
  const datasets = list(args, 'dataset');
  if (datasets.length) q.datasets = datasets;
  const by = list(args, 'by');
  if (by.length) q.by = by;
  const measure = stringOpt(args, 'measure');
  if (measure) q.measure = measure;
  const cohort: Record<string, unknown> = { ...((q.cohort as object | undefined) ?? {}) };
  const years = stringOpt(args, 'birth-years');
  if (years) {
    const m = /^(\d{4})?-(\d{4})?$/.exec(years);
    if (!m) throw new CliError('--birth-years must look like 1950-1970, 1950- or -1970', 2);
    if (m[1]) cohort.birthYearFrom = Number(m[1]);
    if (m[2]) cohort.birthYearTo = Number(m[2]);
  }
  for (const [flag, key] of [
    ['sex', 'sex'],
    ['icd10', 'icd10'],
    ['atc', 'atc'],
  ] as const) {
    const v = list(args, flag);
    if (v.length) cohort[key] = v;
  }
  if (Object.keys(cohort).length) q.cohort = cohort;
  const from = stringOpt(args, 'from');
  const to = stringOpt(args, 'to');
  if (from || to) {
    if (!from || !to) throw new CliError('--from and --to go together', 2);
    q.period = { from, to };
  }
  if (!q.datasets) throw new CliError('name at least one --dataset (or give --query FILE)', 2);
  return q as unknown as ExploreQueryInput;
}

const shown = (n: number | null, t: number) => (n === null ? `<${t}` : String(n));

function table(a: ExploreAnswer): string {
  const t = a.protection.threshold;
  const head = [...a.by, 'persons', 'records', ...(a.query.measure ? ['mean', 'median', 'q1', 'q3'] : [])];
  const row = (c: ExploreCell) => [
    ...c.labels.map((l) => l ?? '(missing)'),
    shown(c.persons, t),
    shown(c.records, t),
    ...(c.stats ? [c.stats.mean, c.stats.median, c.stats.q1, c.stats.q3].map((x) => (x === null ? '–' : String(x))) : []),
  ];
  const rows = [head, ...a.cells.map(row)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((x, i) => x.padEnd(widths[i]!)).join('  '));
  return [...lines, '', a.protection.notice, `query ${a.queryId}; ${a.budget.used} of ${a.budget.limit} queries used today`].join('\n');
}

export const commands: CommandGroup = {
  count: {
    summary: 'Protected counts of persons and records across the registers, by up to three variables',
    usage:
      'tre explore count [--query FILE] [--dataset D]... [--by DATASET.VARIABLE]... [--birth-years FROM-TO] [--sex F,M] [--icd10 CODES] [--atc CODES] [--from DATE --to DATE] [--measure DATASET.VARIABLE] [--json]',
    options: {
      query: { type: 'string' },
      dataset: { type: 'string', multiple: true },
      by: { type: 'string', multiple: true },
      measure: { type: 'string' },
      'birth-years': { type: 'string' },
      sex: { type: 'string', multiple: true },
      icd10: { type: 'string', multiple: true },
      atc: { type: 'string', multiple: true },
      from: { type: 'string' },
      to: { type: 'string' },
    },
    async run(ctx, args) {
      const answer = await (await ctx.api()).request<ExploreAnswer>('POST', '/api/explore/count', await queryOf(args));
      return { data: answer, text: table(answer) };
    },
  },
  dummy: {
    summary: "Synthetic dummy data with a permit's exact files, columns and types (no real person), to write and test an analysis before the copy exists",
    usage: 'tre explore dummy (--permit PERMIT | --project PROJECT) --out DIR [--rows N] [--seed S] [--json]',
    options: { permit: { type: 'string' }, project: { type: 'string' }, out: { type: 'string' }, rows: { type: 'string' }, seed: { type: 'string' } },
    async run(ctx, args) {
      const out = requireOpt(args, 'out');
      const permitId = stringOpt(args, 'permit');
      const projectId = stringOpt(args, 'project');
      if (!permitId === !projectId) throw new CliError('give one of --permit and --project', 2);
      const num = (name: string) => {
        const v = stringOpt(args, name);
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v)) throw new CliError(`--${name} must be a number`, 2);
        return Number(v);
      };
      const body = { ...(permitId ? { permitId } : { projectId }), rows: num('rows'), seed: num('seed') };
      const a = await (await ctx.api()).request<DummyAnswer>('POST', '/api/explore/dummy', body);
      await mkdir(out, { recursive: true });
      for (const f of a.files) await writeFile(join(out, f.name), Buffer.from(f.contentBase64, 'base64'));
      await writeFile(join(out, 'README_SYNTHETIC.md'), a.readme);
      const files = a.files.map((f) => ({ name: f.name, rows: f.rows, sha256: f.sha256 }));
      return {
        data: {
          synthetic: true,
          permitId: a.permitId,
          permitVersion: a.permitVersion,
          out,
          files: [...files.map((f) => f.name), 'README_SYNTHETIC.md'],
          details: files,
        },
        text: [
          `synthetic data of permit ${a.permitId} v${a.permitVersion} in ${out}:`,
          ...files.map((f) => `  ${f.name} (${f.rows} rows)`),
          '  README_SYNTHETIC.md',
        ].join('\n'),
      };
    },
  },
  rules: {
    summary: "The explorer's protection in force and your query budget today",
    usage: 'tre explore rules [--json]',
    async run(ctx) {
      const r = await (await ctx.api()).request<ExploreRulesAnswer>('GET', '/api/explore/rules');
      return { data: r, text: `${r.protection.notice}\n${r.budget.used} of ${r.budget.limit} queries used today; resets ${r.budget.resetsAt}` };
    },
  },
};
