/**
 * An ACRO-compatible `results.json` built from the checks the airlock stored for an export's files,
 * in the schema ACRO 1.0's `Records.finalise_json` writes (acro/record.py), so SACRO-Viewer opens it:
 *
 *   {"version": "1.0.1", "results": {"output_0": {uid, status, type, properties, files: [{name, sdc}],
 *    outcome, command, summary, timestamp, comments, exception}, ...}}
 *
 * One output per staged file, in file order (`output_0` is `f1`). A file with a table check is a
 * `table` (its `sdc` block is ACRO's `get_table_sdc`: `summary` with `suppressed` and a count per
 * rule, `cells` with `[row, col]` positions; `outcome` is ACRO's per-cell DataFrame as
 * `DataFrame.to_json()` writes it, column label → row label → `"ok"` or the rules it failed, each
 * followed by `"; "`); any other file is ACRO's `custom` output (`sdc` and `outcome` empty, status
 * from the file check); a file whose request named a regression, survival, histogram or pie check
 * is an output of that type. Checks carry ACRO 1.0.1's names (`MinimumThresholdCheck`, …, and
 * `PresenceOfLinkedTableCheck` for differencing) and each output its `fair` block of verdicts;
 * `properties.airlock` names the staged file and the source the check recomputed.
 * Values are never copied: positions and counts only (the released file holds the values).
 * `timestamp` is when the file was staged and `comments` holds the requester's description.
 */
import { canonicalJson } from '../audit/index.ts';
import type { AirlockFile } from './schemas.ts';

/** The ACRO version whose `results.json` schema this follows. */
export const ACRO_SCHEMA_VERSION = '1.0.1';

type Label = string | number | boolean | null;
type CellRef = { row: Label[]; col: Label[] };
type Table = NonNullable<AirlockFile['checks']['table']>;

/**
 * Our rule names → the check names ACRO 1.0.1 writes (`acro/checks.json`: `MinimumThresholdCheck`,
 * `NKCheck`, …), the same map the room's helper uses (`analyserom_acro/tables.py`), so a release
 * record's `results.json` and the one `acro.finalise()` wrote in the room name checks alike.
 * `negative` has no ACRO 1.0.1 check and keeps our name.
 */
const RULES = [
  ['threshold', 'MinimumThresholdCheck'],
  ['zeros', 'PresenceOfZeroCheck'],
  ['nk', 'NKCheck'],
  ['p-ratio', 'PPercentCheck'],
  ['dof', 'MinimumDoFCheck'],
  ['missing', 'MissingCheck'],
  ['negative', 'negative'],
] as const;
const FAILING = new Set<string>(['MinimumThresholdCheck', 'PresenceOfZeroCheck', 'NKCheck', 'PPercentCheck', 'MinimumDoFCheck']);
const LINKED = 'PresenceOfLinkedTableCheck';
const ACRO_NAME: Record<string, string> = Object.fromEntries(RULES);

export interface AcroOutput {
  uid: string;
  status: 'pass' | 'review' | 'fail';
  type: string;
  properties: Record<string, unknown>;
  files: Array<{ name: string; sdc: Record<string, unknown> }>;
  outcome: Record<string, Record<string, string>>;
  command: string;
  summary: string;
  timestamp: string;
  comments: string[];
  exception: string;
  /** ACRO 1.0.1's FAIR block: each check's verdict, and the model's or table's variables. */
  fair: { check_status: Record<string, 'pass' | 'review' | 'fail'>; dependent: string; independent: string[] };
}

export interface AcroResults {
  version: string;
  results: Record<string, AcroOutput>;
}

/** pandas' `to_json` key of a label: the value as text, a MultiIndex tuple as Python prints it. */
function labelKey(labels: readonly Label[]): string {
  const one = (l: Label) => (l === null ? 'None' : typeof l === 'boolean' ? (l ? 'True' : 'False') : String(l));
  if (labels.length === 1) return one(labels[0] as Label);
  return `(${labels.map((l) => (typeof l === 'string' ? `'${l}'` : one(l))).join(', ')})`;
}

function positions(table: Table['table'], refs: readonly CellRef[]): Array<[number, number]> {
  const rows = new Map(table.rowLabels.map((l, i) => [canonicalJson(l), i]));
  const cols = new Map(table.colLabels.map((l, i) => [canonicalJson(l), i]));
  const out: Array<[number, number]> = [];
  for (const r of refs) {
    const i = rows.get(canonicalJson(r.row));
    const j = cols.get(canonicalJson(r.col));
    if (i !== undefined && j !== undefined) out.push([i, j]);
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

type Shaped = Pick<AcroOutput, 'type' | 'properties' | 'files' | 'outcome' | 'command' | 'summary' | 'fair'>;

const verdicts = (summary: Record<string, unknown>): AcroOutput['fair']['check_status'] =>
  Object.fromEntries(
    Object.entries(summary)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .map(([name, n]) => [name, n === 0 ? 'pass' : FAILING.has(name) ? 'fail' : 'review']),
  );

function tableOutput(file: AirlockFile, table: Table): Shaped {
  const { differencing: _differencing, ...cellRules } = table.rules;
  const rules: Record<string, CellRef[] | undefined> = cellRules;
  const suppressed = (rules.suppressed ?? []).length > 0;
  const summary: Record<string, unknown> = { suppressed };
  const cells: Record<string, Array<[number, number]>> = {};
  const failed = new Map<string, string>();
  for (const [ours, acro] of RULES) {
    const at = positions(table.table, rules[ours] ?? []);
    summary[acro] = at.length;
    cells[acro] = at;
    for (const [i, j] of at) failed.set(`${i}/${j}`, `${failed.get(`${i}/${j}`) ?? ''}${acro}; `);
  }
  const differencing = table.rules.differencing ?? [];
  if (table.rules.differencing !== undefined) {
    summary[LINKED] = differencing.length;
    cells[LINKED] = [];
  }
  const outcome: Record<string, Record<string, string>> = {};
  table.table.colLabels.forEach((col, j) => {
    const column: Record<string, string> = {};
    table.table.rowLabels.forEach((row, i) => {
      column[labelKey(row)] = failed.get(`${i}/${j}`) ?? 'ok';
    });
    outcome[labelKey(col)] = column;
  });
  const counts = RULES.filter(([, acro]) => (summary[acro] as number) > 0).map(
    ([, acro]) => `${acro}: ${summary[acro]} cells ${suppressed ? 'suppressed' : 'may need suppressing'}; `,
  );
  const spec = file.tableRequest?.spec;
  const fair = {
    check_status: verdicts(summary),
    dependent: typeof spec?.values === 'string' ? spec.values : 'unknown',
    independent: [...(spec?.index ?? []), ...(spec?.columns ?? [])],
  };
  return {
    type: 'table',
    fair,
    properties: { method: spec?.method ?? 'table', airlock: { file: file.id, name: file.name, sha256: file.sha256, source: table.source } },
    files: [{ name: '', sdc: { summary, cells } }],
    outcome,
    command: `airlock table check ${canonicalJson(file.tableRequest)}`,
    summary: `${table.status}${counts.length || differencing.length ? '; ' : ''}${counts.join('')}${differencing.length ? `differencing: ${differencing.length} earlier tables; ` : ''}`,
  };
}

type KindCheck = NonNullable<AirlockFile['checks']['check']>;

/**
 * A regression, survival table, histogram or pie chart: ACRO 1.0.1's output of that type, its `sdc`
 * summary counting what each of the report's rules named (a regression's dof rule: 1 when it failed).
 */
function kindOutput(file: AirlockFile, check: KindCheck): Shaped {
  const summary: Record<string, unknown> = {};
  const rules = 'rules' in check.report ? (check.report.rules as Record<string, unknown>) : {};
  for (const [rule, found] of Object.entries(rules)) {
    const name = ACRO_NAME[rule] ?? rule;
    if (Array.isArray(found)) summary[name] = found.length;
    else if (found && typeof found === 'object' && 'passed' in found) summary[name] = (found as { passed: boolean }).passed ? 0 : 1;
  }
  const spec = check.spec as Record<string, unknown>;
  const dependent = check.kind === 'regression' ? String(spec.dependent) : check.kind === 'survival' ? String(spec.event) : 'unknown';
  const independent =
    check.kind === 'regression' ? (spec.independent as string[]) : [spec.duration, spec.column, spec.group].filter((v): v is string => typeof v === 'string');
  return {
    type: check.kind,
    properties: {
      method: check.kind === 'regression' ? String(spec.method) : check.kind,
      airlock: { file: file.id, name: file.name, sha256: file.sha256, source: check.source },
    },
    files: [{ name: '', sdc: { summary, cells: {} } }],
    outcome: {},
    command: `airlock ${check.kind} check ${canonicalJson({ source: check.source, spec: check.spec })}`,
    summary: `${check.report.status}; ${Object.entries(summary)
      .map(([name, n]) => `${name}: ${n}; `)
      .join('')}`,
    fair: { check_status: verdicts(summary), dependent, independent },
  };
}

/** `results.json` for an export's files; `payloadName` is where each file sits beside it. */
export function acroResults(files: readonly AirlockFile[], payloadName: (f: AirlockFile) => string): AcroResults {
  const results: Record<string, AcroOutput> = {};
  files.forEach((file, i) => {
    const uid = `output_${i}`;
    const table = file.checks.table;
    const check = file.checks.check;
    const shaped: Shaped = table
      ? tableOutput(file, table)
      : check
        ? kindOutput(file, check)
        : {
            type: 'custom',
            properties: { airlock: { file: file.id, name: file.name, sha256: file.sha256, contentType: file.contentType } },
            files: [{ name: '', sdc: {} }],
            outcome: {},
            command: 'custom',
            summary: `${file.checkStatus}; file content check: ${file.checks.fileStatus}`,
            fair: { check_status: {}, dependent: 'unknown', independent: [] },
          };
    const { fair, ...rest } = shaped;
    // In the key order ACRO's `finalise_json` writes, `fair` last.
    results[uid] = {
      uid,
      status: file.checkStatus,
      ...rest,
      files: rest.files.map((f) => ({ ...f, name: payloadName(file) })),
      timestamp: file.stagedAt,
      comments: [file.description],
      exception: '',
      fair,
    };
  });
  return { version: ACRO_SCHEMA_VERSION, results };
}
