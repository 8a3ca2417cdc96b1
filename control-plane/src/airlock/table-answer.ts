/**
 * What a table check may tell whom. The check computes over the project's data, so its table
 * (row and column labels, cell values) and the cells each rule names are data. Inside the room
 * (a caller vouched for by the room's channel) the researcher sees them: the room holds the data
 * anyway. Outside a room (a bearer token, the web UI's session) the answer would leave the
 * platform with no reviewer, so every table, passing or not, is answered with its verdict and the
 * number of findings per rule, never its labels or values (`shownOutsideRoom`). Otherwise a spec
 * indexed by `person_id` and `income` would hand the copy's rows to a laptop as "row labels" of a
 * failing table, and passing tables one record apart would be differenced.
 */
import type { Principal } from '../platform/index.ts';
import type { z } from 'zod';
import type { FileChecks, WithheldFileCheck, withheldTableSchema } from './schemas.ts';
import type { AirlockTableCheck } from './table-requests.ts';
import { kindCheckForMember, shownOutsideRoom } from './check-kind-run.ts';

type Result = AirlockTableCheck['result'];

/** How many cells (or findings) each rule named, in place of the table. */
type WithheldTable = z.infer<typeof withheldTableSchema>;

export function tableAnswerFor(principal: Principal, result: Result, source: 'copy' | 'output'): Result & { withheld?: WithheldTable } {
  if (principal.via === 'room' || shownOutsideRoom(result.status, { kind: source })) return result;
  const what = `a table with status '${result.status}'`;
  return withheldTable(result, `${what} is shown only inside the room; run the check there (analyserom-airlock check-table)`);
}

/**
 * A staged export file's check results as its requester (or another member) sees them outside
 * the room: a table that did not pass loses its labels and values as above, and what the checks
 * quote of the file (a pseudonym or national id found, in the file or in any entry of an archive;
 * a number that differs from the checked table) loses the quoted value, keeping the line.
 * Reviewers and auditors see everything.
 */
export function fileChecksForMember(checks: FileChecks): FileChecks {
  const table = checks.table;
  let shown = table;
  if (table && !shownOutsideRoom(table.status, table.source)) {
    shown = {
      ...withheldTable(table, 'a table that did not pass is shown only inside the room and to its reviewers'),
      source: table.source,
      match: table.match,
    };
  }
  if (shown?.match) shown = { ...shown, match: { ...shown.match, unmatched: shown.match.unmatched.map(({ line }) => ({ line })) } };
  return { ...checks, file: withoutQuotes(checks.file), table: shown, ...(checks.check ? { check: kindCheckForMember(checks.check) } : {}) };
}

function withheldTable(result: Result, detail: string): Result & { withheld: WithheldTable } {
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
    withheld: { reason: 'table_only_in_room', detail, findings },
  };
}

function withoutQuotes(check: FileChecks['file']): WithheldFileCheck {
  const { entries, findings, ...rest } = check;
  return {
    ...rest,
    findings: findings.map((f) => ('value' in f ? (({ value: _value, ...kept }) => kept)(f) : f)),
    ...(entries ? { entries: entries.map(withoutQuotes) } : {}),
  };
}
