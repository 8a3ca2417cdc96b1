/**
 * `tre outputs`: the airlock's automated checks, run locally (no server):
 * a researcher or reviewer can see exactly what the airlock will say.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DomainError, InputError } from '../../errors/index.ts';
import {
  checkFile,
  checkHistogram,
  checkPie,
  checkRegression,
  checkSurvival,
  checkTable,
  type RegressionReport,
  type TableCheckResult,
} from '../../disclosure/index.ts';
import { loadPolicySet, loadProfileFile, profilePolicy, resolvePolicy, TableRulesSchema, type Policy, type TableRules } from '../../policies/index.ts';
import { CliError, requireOpt, requirePositional, stringOpt, type CommandArgs, type CommandGroup } from '../command.ts';

async function policyFrom(args: CommandArgs): Promise<Policy> {
  try {
    const file = stringOpt(args, 'policy');
    if (file !== undefined) return profilePolicy(await loadProfileFile(file), file);
    return resolvePolicy(await loadPolicySet(), { profile: stringOpt(args, 'profile') ?? 'default' });
  } catch (err) {
    if (err instanceof DomainError) throw new CliError(err.message, 2, err.details);
    throw err;
  }
}

function numberOpt(args: CommandArgs, name: string): number | undefined {
  const text = stringOpt(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number, not '${text}'`, 2);
  return n;
}

const FLAG_OF: Record<string, string> = { threshold: 'threshold', 'nk.n': 'nk-n', 'nk.k': 'nk-k', pRatio: 'p', dof: 'dof' };

async function tableRulesFrom(args: CommandArgs) {
  const base = (await policyFrom(args)).tables;
  const candidate = {
    ...base,
    threshold: numberOpt(args, 'threshold') ?? base.threshold,
    nk: { ...base.nk, n: numberOpt(args, 'nk-n') ?? base.nk.n, k: numberOpt(args, 'nk-k') ?? base.nk.k },
    pRatio: numberOpt(args, 'p') ?? base.pRatio,
    dof: numberOpt(args, 'dof') ?? base.dof,
    checkMissing: args.values['check-missing'] === true || base.checkMissing,
    zerosDisclosive: args.values['zeros-not-disclosive'] === true ? false : base.zerosDisclosive,
  };
  const parsed = TableRulesSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    throw new CliError(`--${FLAG_OF[key] ?? key}: ${issue.message}`, 2);
  }
  return parsed.data;
}

function tableText(result: TableCheckResult): string {
  const { rowLabels, colLabels, values } = result.table;
  const cell = (v: unknown) => (v === null ? '' : String(v));
  const lines = [`status: ${result.status}`, ''];
  lines.push(['', ...colLabels.map((c) => c.map(cell).join(' / '))].join('\t'));
  rowLabels.forEach((r, i) => lines.push([r.map(cell).join(' / '), ...(values[i] ?? []).map(cell)].join('\t')));
  lines.push('');
  for (const [rule, cells] of Object.entries(result.rules)) {
    if (cells.length > 0) lines.push(`${rule}: ${cells.length} cell(s)`);
  }
  // Secondary suppressions, apart from the primary ones, each with why it was blanked.
  for (const s of result.rules.secondary ?? []) lines.push(`  blanked ${s.row.map(cell).join(' / ')} × ${s.col.map(cell).join(' / ')}: ${s.reason}`);
  return lines.join('\n');
}

function regressionText(report: RegressionReport): string {
  const lines = [`status: ${report.status} (${report.summary})`, `${report.method}: ${report.nobs} records, ${report.dropped} dropped for missing values`, ''];
  lines.push(['', 'coef', 'se', report.method === 'ols' ? 't' : 'z', 'p'].join('\t'));
  const cell = (v: number | null) => (v === null ? '' : v.toPrecision(6));
  for (const [name, param] of Object.entries(report.params)) {
    const stat = 't' in param ? param.t : param.z;
    lines.push([name, cell(param.coef), cell(param.se), cell(stat), cell(param.p)].join('\t'));
  }
  return lines.join('\n');
}

export const commands: CommandGroup = {
  'check-table': {
    summary: 'Compute a table from a CSV/Parquet file and run the disclosure checks (no server needed)',
    usage:
      'tre outputs check-table --data FILE --spec SPEC.json [--policy FILE] [--profile acro] [--threshold N] [--nk-n N] [--nk-k X] [--p X] [--dof N] [--check-missing] [--zeros-not-disclosive] [--json]',
    options: {
      data: { type: 'string' },
      spec: { type: 'string' },
      policy: { type: 'string' },
      profile: { type: 'string' },
      threshold: { type: 'string' },
      'nk-n': { type: 'string' },
      'nk-k': { type: 'string' },
      p: { type: 'string' },
      dof: { type: 'string' },
      'check-missing': { type: 'boolean' },
      'zeros-not-disclosive': { type: 'boolean' },
    },
    async run(_ctx, args) {
      const data = requireOpt(args, 'data');
      const specFile = requireOpt(args, 'spec');
      let spec: unknown;
      try {
        spec = JSON.parse(await readFile(specFile, 'utf8'));
      } catch (err) {
        throw new CliError(`cannot read ${specFile} as JSON: ${(err as Error).message}`, 2);
      }
      const rules = await tableRulesFrom(args);
      const instance = await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      try {
        const result = await checkTable(conn, { source: { file: data }, spec, rules });
        const out = { status: result.status, table: result.table, rules: result.rules };
        return { data: out, text: tableText(result) };
      } catch (err) {
        if (err instanceof DomainError) throw new CliError(err.message, 1, err.details);
        throw err;
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    },
  },
  'check-regression': {
    summary: 'Fit an OLS, logit or probit model to a CSV/Parquet file and check its residual degrees of freedom (no server needed)',
    usage: 'tre outputs check-regression --data FILE --spec SPEC.json [--policy FILE] [--profile acro] [--json]',
    options: {
      data: { type: 'string' },
      spec: { type: 'string' },
      policy: { type: 'string' },
      profile: { type: 'string' },
    },
    async run(_ctx, args) {
      // A spec or data the check cannot use is the caller's input (exit 2), as a 400 from the API.
      const report = await offlineCheck(args, (conn, file, spec, rules) => checkRegression(conn, { source: { file }, spec, rules }));
      return { data: report, text: regressionText(report) };
    },
  },
  'check-file': {
    summary: 'Check one output file: type by content, size, identity numbers, pseudonyms, small counts',
    usage: 'tre outputs check-file FILE [--policy FILE] [--profile NAME] [--pseudonyms FILE] [--json]',
    options: { policy: { type: 'string' }, profile: { type: 'string' }, pseudonyms: { type: 'string' } },
    async run(_ctx, args) {
      const file = requirePositional(args, 0, 'FILE');
      const policy = await policyFrom(args);
      const list = stringOpt(args, 'pseudonyms');
      const pseudonyms =
        list === undefined
          ? undefined
          : new Set(
              (await readFile(list, 'utf8'))
                .split(/\r?\n/)
                .map((l) => l.trim())
                .filter(Boolean),
            );
      const result = await checkFile(file, { rules: policy.files, tableThreshold: policy.tables.threshold, pseudonyms });
      const findings = result.findings.map((f) => ('line' in f ? `  line ${f.line}: ${f.check} ${f.value}` : `  ${f.check}: ${f.message}`));
      return { data: result, text: [`${result.name}: ${result.status} (${result.type.mime})`, ...findings].join('\n') };
    },
  },
  'check-survival': {
    summary: 'Compute a Kaplan-Meier table from a CSV/Parquet file and check it under the policy (no server needed)',
    usage: 'tre outputs check-survival --data FILE --spec \'{"duration":"t","event":"died","group":null}\'|SPEC.json [--policy FILE] [--profile acro] [--json]',
    options: { data: { type: 'string' }, spec: { type: 'string' }, policy: { type: 'string' }, profile: { type: 'string' } },
    async run(_ctx, args) {
      const report = await offlineCheck(args, (conn, file, spec, rules) => checkSurvival(conn, { source: { file }, spec, rules }));
      const steps = report.table.map(
        (s) => `${s.group === undefined ? '' : `${String(s.group)}\t`}${s.time}\t${s.atRisk}\t${s.events}\t${s.censored}\t${s.survival.toFixed(4)}`,
      );
      return {
        data: report,
        text: [`status: ${report.status} (${report.rule}${report.pooled ? ', pooled' : ''})`, '', 'time\tat risk\tevents\tcensored\tsurvival', ...steps].join(
          '\n',
        ),
      };
    },
  },
  'check-histogram': {
    summary: 'Count the bins of a histogram from a CSV/Parquet file, check them, and render the plot when they pass (no server needed)',
    usage:
      'tre outputs check-histogram --data FILE --spec \'{"column":"x","bins":20,"group":null}\'|SPEC.json [--plot PREFIX] [--policy FILE] [--profile acro] [--json]',
    options: { data: { type: 'string' }, spec: { type: 'string' }, policy: { type: 'string' }, profile: { type: 'string' }, plot: { type: 'string' } },
    async run(_ctx, args) {
      const report = await offlineCheck(args, (conn, file, spec, rules) => checkHistogram(conn, { source: { file }, spec, rules }));
      await writePlot(args, report.plot);
      const bins = report.bins.map((b) => `${b.group === undefined ? '' : `${String(b.group)}\t`}[${b.lower}, ${b.upper})\t${b.count ?? ''}`);
      return { data: report, text: [`status: ${report.status}`, ...report.notes, '', ...bins].join('\n') };
    },
  },
  'check-pie': {
    summary: 'Count the categories of a pie chart from a CSV/Parquet file, check them, and render the chart when they pass (no server needed)',
    usage: 'tre outputs check-pie --data FILE --spec \'{"column":"c"}\'|SPEC.json [--plot PREFIX] [--policy FILE] [--profile acro] [--json]',
    options: { data: { type: 'string' }, spec: { type: 'string' }, policy: { type: 'string' }, profile: { type: 'string' }, plot: { type: 'string' } },
    async run(_ctx, args) {
      const report = await offlineCheck(args, (conn, file, spec, rules) => checkPie(conn, { source: { file }, spec, rules }));
      await writePlot(args, report.plot);
      const slices = report.slices.map((s) => `${String(s.label)}\t${s.count}`);
      return { data: report, text: [`status: ${report.status}`, ...report.notes, '', ...slices].join('\n') };
    },
  },
};

/** `--spec`: the JSON itself (starting with `{`) or a file holding it. */
async function specOf(args: CommandArgs): Promise<unknown> {
  const given = requireOpt(args, 'spec');
  const inline = given.trimStart().startsWith('{');
  try {
    return JSON.parse(inline ? given : await readFile(given, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${inline ? 'the spec' : given} as JSON: ${(err as Error).message}`, 2);
  }
}

/** Runs one engine check on `--data` under the policy in a fresh in-memory DuckDB; a spec or data it cannot use exits 2. */
async function offlineCheck<R>(args: CommandArgs, check: (conn: DuckDBConnection, file: string, spec: unknown, rules: TableRules) => Promise<R>): Promise<R> {
  const data = requireOpt(args, 'data');
  const spec = await specOf(args);
  const rules = (await policyFrom(args)).tables;
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await check(conn, data, spec, rules);
  } catch (err) {
    if (err instanceof InputError) throw new CliError(err.message, 2, { reason: err.reason, ...err.details });
    if (err instanceof DomainError) throw new CliError(err.message, 1, err.details);
    throw err;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** `--plot PREFIX`: the checked plot as PREFIX.svg and PREFIX.png; none is written for a check that did not pass. */
async function writePlot(args: CommandArgs, plot: { svg: string; pngBase64: string } | undefined): Promise<void> {
  const prefix = stringOpt(args, 'plot');
  if (prefix === undefined || plot === undefined) return;
  await writeFile(`${prefix}.svg`, plot.svg);
  await writeFile(`${prefix}.png`, Buffer.from(plot.pngBase64, 'base64'));
}
