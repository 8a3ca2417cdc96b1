/**
 * What a table check may tell whom. The check computes over the project's data, so its table
 * (row and column labels, cell values) and the cells each rule names are data. Inside the room
 * (a caller vouched for by the room's channel) the researcher sees them: the room holds the data
 * anyway. Outside a room (a bearer token, the web UI's session) the answer has left the platform,
 * and only a table that passes every rule under the project's policy may be shown; a failing or
 * review table is answered with its verdict and the number of findings per rule, never its labels
 * or values. Otherwise a spec indexed by `person_id` and `income` would hand the copy's rows to a
 * laptop as "row labels" of a failing table, with no review.
 */
import type { Principal } from '../platform/index.ts';
import type { AirlockTableCheck } from './table-requests.ts';

type Result = AirlockTableCheck['result'];

export interface WithheldTable {
  reason: 'table_only_in_room';
  detail: string;
  /** How many cells (or findings) each rule named. */
  findings: Record<string, number>;
}

export function tableAnswerFor(principal: Principal, result: Result): Result & { withheld?: WithheldTable } {
  if (principal.via === 'room' || result.status === 'pass') return result;
  const findings: Record<string, number> = {};
  const rules: Record<string, unknown[]> = {};
  for (const [rule, found] of Object.entries(result.rules)) {
    if (!Array.isArray(found)) continue;
    findings[rule] = found.length;
    rules[rule] = [];
  }
  return {
    ...result,
    table: { rowLabels: [], colLabels: [], values: [] },
    rules: rules as Result['rules'],
    withheld: {
      reason: 'table_only_in_room',
      detail: `a table with status '${result.status}' is shown only inside the room; run the check there (analyserom-airlock check-table)`,
      findings,
    },
  };
}

/**
 * A staged export file's check results as its requester (or another member) sees them outside
 * the room: a table that did not pass loses its labels and values as above, and what the checks
 * quote of the file (a pseudonym or national id found, a number that differs from the checked
 * table) loses the quoted value, keeping the line. Reviewers and auditors see everything.
 */
export function fileChecksForMember(checks: unknown): unknown {
  if (!isRecord(checks)) return checks;
  const out: Record<string, unknown> = { ...checks };
  if (isRecord(checks.file) && Array.isArray(checks.file.findings)) {
    out.file = { ...checks.file, findings: checks.file.findings.map(withoutValue) };
  }
  if (isRecord(checks.table)) {
    const table = checks.table;
    let shown: Record<string, unknown> = table;
    if (table.status !== 'pass' && isRecord(table.rules)) {
      const findings: Record<string, number> = {};
      const rules: Record<string, unknown[]> = {};
      for (const [rule, found] of Object.entries(table.rules)) {
        if (!Array.isArray(found)) continue;
        findings[rule] = found.length;
        rules[rule] = [];
      }
      shown = {
        ...table, table: { rowLabels: [], colLabels: [], values: [] }, rules,
        withheld: { reason: 'table_only_in_room', detail: 'a table that did not pass is shown only inside the room and to its reviewers', findings },
      };
    }
    if (isRecord(shown.match) && Array.isArray(shown.match.unmatched)) {
      shown = { ...shown, match: { ...shown.match, unmatched: shown.match.unmatched.map(withoutValue) } };
    }
    out.table = shown;
  }
  return out;
}

function withoutValue(f: unknown): unknown {
  if (!isRecord(f) || !('value' in f)) return f;
  const { value: _value, ...rest } = f;
  return rest;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
