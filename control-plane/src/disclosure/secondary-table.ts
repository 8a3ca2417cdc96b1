/**
 * A checked table's secondary suppression problem (see `secondary.ts`): its inner cells, the
 * margins it prints as sums of them, and the sums the project's earlier releases printed over
 * the same records, from the ledger.
 *
 * An earlier release E printed its inner cells and its margins (`LedgerTable.margins`), each
 * family of figures partitioning E's records by the variables it is over (T). Projected onto
 * the variables T shares with this table, a group of those figures is known when none of them
 * was blanked (`LedgerTable.withheld`); it is a relation over this table's inner cells when it
 * holds on the true counts: when this table's cells of the group add up to the same number of
 * records. A group whose counts differ covers other records (another population), which is the
 * differencing check's concern, not a linear relation.
 *
 * Rounding (the default profile rounds counts to 5 and prints margins as sums of the rounded
 * cells, as OpenSAFELY does): the margins' relations hold exactly on the printed values, so a
 * cell blanked in a row whose other cells and total are printed is recovered as its rounded
 * value, and rounding protects nothing there; an earlier release's rounded figures give its
 * relations to within the rounding, which for cells of 7 or fewer is disclosure enough. Both
 * are treated as exact relations.
 *
 * The figures of the earlier release that are not over variables this table has, and its
 * empty cells (the ledger keeps cells with records only), give no relation here.
 */
import type { LedgerTable } from './differencing.ts';
import { planSecondary, type SecondaryReason } from './secondary.ts';
import type { NormalizedSpec } from './table-spec.ts';
import { keyOf, type CellStats, type Label, type StatsGrid } from './stats-grid.ts';

/** A grid position the plan blanks, with its reason. */
export interface SecondaryPosition {
  r: number;
  c: number;
  reason: SecondaryReason;
}

export interface SecondaryResult {
  positions: SecondaryPosition[];
  fallback: boolean;
}

/**
 * The cells to blank besides the primary ones (`blank`), in row-major order of the grid.
 * `earlier`: the project's released tables.
 */
export function secondaryPositions(
  spec: NormalizedSpec,
  grid: StatsGrid,
  blank: (cell: CellStats) => boolean,
  earlier: readonly LedgerTable[] = [],
  budget?: number,
): SecondaryResult {
  const innerRows = grid.rows.flatMap((_, r) => (grid.rowIsMargin[r] ? [] : [r]));
  const innerCols = grid.cols.flatMap((_, c) => (grid.colIsMargin[c] ? [] : [c]));
  const nic = innerCols.length;
  const counts = new Float64Array(innerRows.length * nic);
  const primaryCells: number[] = [];
  innerRows.forEach((r, ri) => {
    innerCols.forEach((c, ci) => {
      const cell = grid.cells[r]![c]!;
      counts[ri * nic + ci] = cell.n;
      if (blank(cell)) primaryCells.push(ri * nic + ci);
    });
  });
  const rowIds = (r: number) => (grid.rowIsMargin[r] ? innerRows.map((_, ri) => ri) : [innerRows.indexOf(r)]);
  const colIds = (c: number) => (grid.colIsMargin[c] ? innerCols.map((_, ci) => ci) : [innerCols.indexOf(c)]);
  const sums: Array<{ cells: number[]; count: number; r: number; c: number; partitions?: number[][] }> = [];
  const primarySums: number[] = [];
  grid.rows.forEach((_, r) => {
    grid.cols.forEach((_, c) => {
      if (!grid.rowIsMargin[r] && !grid.colIsMargin[c]) return;
      const cell = grid.cells[r]![c]!;
      const cols = colIds(c);
      if (blank(cell)) primarySums.push(sums.length);
      sums.push({ cells: rowIds(r).flatMap((ri) => cols.map((ci) => ri * nic + ci)), count: cell.n, r, c });
    });
  });
  // The grand total is the sum of the row totals, and of the column totals.
  const grand = sums.findIndex((s) => grid.rowIsMargin[s.r] && grid.colIsMargin[s.c]);
  if (grand >= 0) {
    const rowTotals = sums.flatMap((s, i) => (!grid.rowIsMargin[s.r] && grid.colIsMargin[s.c] ? [i] : []));
    const colTotals = sums.flatMap((s, i) => (grid.rowIsMargin[s.r] && !grid.colIsMargin[s.c] ? [i] : []));
    sums[grand]!.partitions = [rowTotals, colTotals];
  }
  const labelsOf = (id: number) => [...grid.rows[innerRows[Math.floor(id / nic)]!]!, ...grid.cols[innerCols[id % nic]!]!];
  const ledger = ledgerRelations([...spec.index, ...spec.columns], counts, labelsOf, earlier);
  const plan = planSecondary({ counts, sums, ledger, primaryCells, primarySums, budget });
  const positions: SecondaryPosition[] = [];
  for (const [id, reason] of plan.cells) positions.push({ r: innerRows[Math.floor(id / nic)]!, c: innerCols[id % nic]!, reason });
  for (const [s, reason] of plan.sums) positions.push({ r: sums[s]!.r, c: sums[s]!.c, reason });
  positions.sort((a, b) => a.r - b.r || a.c - b.c);
  return { positions, fallback: plan.fallback };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v) => b.includes(v));

/** The relations over this table's inner cells that the earlier releases' printed figures give. */
function ledgerRelations(
  variables: string[],
  counts: ArrayLike<number>,
  labelsOf: (id: number) => Label[],
  earlier: readonly LedgerTable[],
): Array<{ cells: number[] }> {
  const out = new Map<string, { cells: number[] }>();
  // This table's cells grouped by the labels of some of its variables, once per set of variables.
  const grouped = new Map<string, Map<string, { cells: number[]; count: number }>>();
  const groupsOver = (here: number[]) => {
    const known = grouped.get(here.join(','));
    if (known) return known;
    const groups = new Map<string, { cells: number[]; count: number }>();
    for (let id = 0; id < counts.length; id++) {
      const labels = labelsOf(id);
      const key = keyOf(here.map((p) => labels[p] ?? null));
      const group = groups.get(key) ?? { cells: [], count: 0 };
      group.cells.push(id);
      group.count += counts[id]!;
      groups.set(key, group);
    }
    grouped.set(here.join(','), groups);
    return groups;
  };
  for (const past of earlier) {
    for (const family of [past.variables, ...(past.margins ?? [])]) {
      const shared = family.filter((v) => variables.includes(v));
      const inPast = shared.map((v) => past.variables.indexOf(v));
      const inFamily = shared.map((v) => family.indexOf(v));
      const here = shared.map((v) => variables.indexOf(v));
      const unknown = new Set((past.withheld ?? []).filter((w) => sameSet(w.over, family)).map((w) => keyOf(inFamily.map((p) => w.labels[p] ?? null))));
      const known = new Map<string, number>();
      for (const cell of past.cells) {
        const key = keyOf(inPast.map((p) => cell.labels[p] ?? null));
        known.set(key, (known.get(key) ?? 0) + cell.count);
      }
      const groups = groupsOver(here);
      for (const [key, count] of known) {
        const group = groups.get(key);
        if (unknown.has(key) || !group || group.count !== count) continue;
        out.set(group.cells.join(','), { cells: group.cells });
      }
    }
  }
  return [...out.values()];
}
