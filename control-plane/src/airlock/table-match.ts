/**
 * Does the exported CSV hold the table that was checked? A request names a table's source and
 * spec so the engine can recompute and check it; without this comparison a safe spec could
 * vouch for a different file. Every number in the file's value cells (right of the row-label
 * columns) must be one of the checked table's values or labels, as printed (a value written
 * with fewer decimals matches when it is that value rounded). Anything else goes to review,
 * with where it was found. Files that are not CSV are left to the reviewers.
 */
import type { CheckedTable } from '../disclosure/index.ts';

export interface TableMatch {
  matches: boolean;
  /** Numbers in the file the checked table does not hold (at most 20), by line. */
  unmatched: Array<{ line: number; value: string }>;
  unmatchedCount: number;
}

const NUMBER = /^-?(\d+)(?:\.(\d+))?(?:[eE][-+]?\d+)?$/;

function delimiterOf(firstLine: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const);
  return counts.sort((a, b) => b[1] - a[1])[0]![0];
}

function splitLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function matchCheckedTable(text: string, table: CheckedTable, labelColumns: number): TableMatch {
  const allowed: number[] = [];
  for (const v of [...table.values.flat(), ...table.colLabels.flat(), ...table.rowLabels.flat()]) {
    if (typeof v === 'number' && Number.isFinite(v)) allowed.push(v);
  }
  allowed.sort((a, b) => a - b);
  const lines = text.split(/\r?\n/);
  const delimiter = delimiterOf(lines[0] ?? '');
  const unmatched: TableMatch['unmatched'] = [];
  let unmatchedCount = 0;
  lines.forEach((line, i) => {
    if (line === '') return;
    for (const cell of splitLine(line, delimiter).slice(labelColumns)) {
      const t = cell.trim();
      const m = NUMBER.exec(t);
      if (!m) continue;
      const value = Number(t);
      const tolerance = m[2] === undefined && !/[eE]/.test(t) ? 0.5 : 0.5 * 10 ** -m[2]!.length;
      if (!hasNear(allowed, value, Math.max(tolerance, Math.abs(value) * 1e-9))) {
        unmatchedCount++;
        if (unmatched.length < 20) unmatched.push({ line: i + 1, value: t });
      }
    }
  });
  return { matches: unmatchedCount === 0, unmatched, unmatchedCount };
}

/** Integers printed as integers must match exactly; decimals within half their last digit. */
function hasNear(sorted: number[], value: number, tolerance: number): boolean {
  const exact = tolerance === 0.5 && Number.isInteger(value);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value - tolerance) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sorted.length && sorted[i]! <= value + tolerance; i++) {
    if (!exact || sorted[i] === value) return true;
    // An integer in the file may be a mean printed without decimals: within half a unit.
    if (!Number.isInteger(sorted[i]!)) return true;
  }
  return false;
}
