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
 * from the file check). What ACRO does not record and we do: our rule names beyond ACRO's five
 * (`zeros`, `dof`, `differencing`) are in `sdc` too, and `properties.airlock` names the staged file.
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

/** Our rule names → ACRO's (`nk` is ACRO's `nk-rule`); the order of ACRO's `get_table_sdc`, then ours. */
const RULES = [
  ['negative', 'negative'],
  ['missing', 'missing'],
  ['threshold', 'threshold'],
  ['p-ratio', 'p-ratio'],
  ['nk', 'nk-rule'],
  ['zeros', 'zeros'],
  ['dof', 'dof'],
] as const;

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

function tableOutput(file: AirlockFile, table: Table): Pick<AcroOutput, 'type' | 'properties' | 'files' | 'outcome' | 'command' | 'summary'> {
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
  if (differencing.length > 0) summary.differencing = differencing.length;
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
  return {
    type: 'table',
    properties: { method: spec?.method ?? 'table', airlock: { file: file.id, name: file.name, sha256: file.sha256, source: table.source } },
    files: [{ name: '', sdc: { summary, cells } }],
    outcome,
    command: `airlock table check ${canonicalJson(file.tableRequest)}`,
    summary: `${table.status}${counts.length || differencing.length ? '; ' : ''}${counts.join('')}${differencing.length ? `differencing: ${differencing.length} earlier tables; ` : ''}`,
  };
}

/** `results.json` for an export's files; `payloadName` is where each file sits beside it. */
export function acroResults(files: readonly AirlockFile[], payloadName: (f: AirlockFile) => string): AcroResults {
  const results: Record<string, AcroOutput> = {};
  files.forEach((file, i) => {
    const uid = `output_${i}`;
    const table = file.checks.table;
    const shaped = table
      ? tableOutput(file, table)
      : {
          type: 'custom',
          properties: { airlock: { file: file.id, name: file.name, sha256: file.sha256, contentType: file.contentType } },
          files: [{ name: '', sdc: {} }],
          outcome: {},
          command: 'custom',
          summary: `${file.checkStatus}; file content check: ${file.checks.fileStatus}`,
        };
    results[uid] = {
      uid,
      status: file.checkStatus,
      ...shaped,
      files: shaped.files.map((f) => ({ ...f, name: payloadName(file) })),
      timestamp: file.stagedAt,
      comments: [file.description],
      exception: '',
    };
  });
  return { version: ACRO_SCHEMA_VERSION, results };
}
