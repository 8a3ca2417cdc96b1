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
import type { Principal } from '../identity/index.ts';
import type { AirlockTableCheck } from './table-checks.ts';

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
