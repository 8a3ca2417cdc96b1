/**
 * The shapes of a table's per-cell statistics (`table-stats.ts` computes them, `table-top.ts`
 * refines the largest contributions), apart so that neither imports the other.
 */
export type Label = string | number | boolean | null;

export interface CellStats {
  n: number;
  nn: number;
  s: number | null;
  lo: number | null;
  hi: number | null;
  /** An upper bound of the largest value: `hi` when computed, else the column's largest. */
  maxBound: number | null;
  m2: number | null;
  median: Label;
  mode: Label;
  /** The largest contributions, largest first; `undefined` when not fetched. */
  top: number[] | undefined;
  /** Distinct non-missing values, when asked for (`needDistinct`; never merged into margins). */
  distinct?: number;
}

export interface StatsRequest {
  relation: string;
  /** Column name → DuckDB type, for the grouping variables at least. */
  types: Map<string, string>;
  /** A column-wide min/max is cheap (else each cell gets its own, in the one pass). */
  cheapColumnStats: boolean;
  /** Row variables, then column variables. */
  rowDims: string[];
  colDims: string[];
  values: string | null;
  valuesType: string | null;
  margins: boolean;
  needMedian: boolean;
  needMode: boolean;
  /** min/max asked for as aggfuncs. */
  needMinMax: boolean;
  needM2: boolean;
  /** Distinct non-missing values per cell (ACRO 0.4.12's mode check); only where margins are not merged. */
  needDistinct?: boolean;
  /** How many largest contributions to fetch, or null for none. */
  topN: number | null;
  /** Whether a cell's outcome needs its largest contributions (fast path only). */
  needsTop?: (cell: CellStats, grid: StatsGrid) => boolean;
}

export interface StatsGrid {
  /** Observed levels of each variable, sorted. */
  levels: Label[][];
  /** Row tuples (all combinations of observed levels), then the margin row when asked. */
  rows: Label[][];
  cols: Label[][];
  rowIsMargin: boolean[];
  colIsMargin: boolean[];
  /** cells[row][col] */
  cells: CellStats[][];
}

export const keyOf = (labels: Label[]) => JSON.stringify(labels);
