/**
 * Differencing: a new table that, set against an earlier release, reveals a
 * group smaller than the threshold. Two tables over populations that differ
 * by a few people (a cohort with and without one hospital, ages 0–17 and
 * 0–18) each pass on their own; their difference is a cell of those few.
 *
 * The check projects both tables onto the variables they share (summing the
 * record counts over the others; no shared variable: the grand totals) and
 * flags every shared cell whose counts differ by more than 0 and less than
 * the threshold. Identical populations give differences of 0 and pass.
 * Unrelated tables sharing a variable may be flagged too: a finding asks for
 * review, it does not fail the table.
 *
 * The ledger is the lead's to persist (per project): one `LedgerTable` per
 * released table, made by `ledgerTableOf` from the check result at release.
 */
import type { Label } from './table-stats.ts';

/** One released table, as the differencing check needs it. Contains true record counts: keep it inside the control plane. */
export interface LedgerTable {
  /** The release this table belongs to, e.g. `export-123/table.csv`. */
  id: string;
  /** Where the records came from (dataset or file identity); informative. */
  source: string;
  /** The table's grouping variables, rows then columns. */
  variables: string[];
  /** Inner cells with at least one record: labels in `variables` order, then the record count. */
  cells: Array<{ labels: Label[]; count: number }>;
  /**
   * The sums the release printed besides its inner cells (margins), each as the variables it
   * is over: `[rows]` and `[columns]` for a table's margins, `[]` for its grand total. Absent
   * (entries from before secondary suppression): none. Read by `secondary-table.ts`.
   */
  margins?: string[][];
  /**
   * The figures the release blanked (primary and secondary suppression), inner cells and
   * margins alike: the variables the figure is over and its labels. Absent: none blanked, so
   * every figure counts as released (conservative for older entries).
   */
  withheld?: Array<{ over: string[]; labels: Label[] }>;
}

export interface DifferencingFinding {
  /** The earlier release's `LedgerTable.id`. */
  earlier: string;
  /** The shared variables the difference is over (`[]`: grand totals). */
  variables: string[];
  labels: Label[];
  /** |earlier − new| record count of that cell. */
  difference: number;
}

export function checkDifferencing(candidate: LedgerTable, earlier: readonly LedgerTable[], threshold: number): DifferencingFinding[] {
  const findings: DifferencingFinding[] = [];
  for (const past of earlier) {
    const shared = candidate.variables.filter((v) => past.variables.includes(v));
    const a = project(candidate, shared);
    const b = project(past, shared);
    const keys = new Set([...a.keys(), ...b.keys()]);
    for (const key of keys) {
      const difference = Math.abs((a.get(key)?.count ?? 0) - (b.get(key)?.count ?? 0));
      if (difference > 0 && difference < threshold) {
        findings.push({ earlier: past.id, variables: shared, labels: (a.get(key) ?? b.get(key))!.labels, difference });
      }
    }
  }
  return findings;
}

function project(table: LedgerTable, variables: string[]): Map<string, { labels: Label[]; count: number }> {
  const positions = variables.map((v) => table.variables.indexOf(v));
  const out = new Map<string, { labels: Label[]; count: number }>();
  for (const cell of table.cells) {
    const labels = positions.map((p) => cell.labels[p] ?? null);
    const key = JSON.stringify(labels);
    const entry = out.get(key);
    if (entry) entry.count += cell.count;
    else out.set(key, { labels, count: cell.count });
  }
  return out;
}
