/**
 * Per-cell statistics of a table in one grouped pass over the records.
 *
 * Every rule is judged from these numbers: record count `n`, non-missing
 * count `nn`, sum `s`, smallest `lo` and largest `hi` value, `m2` (sum of
 * squared deviations, for std), median and mode when asked for, and the
 * largest contributions `top` for dominance and p-ratio.
 *
 * Speed: the fast path groups by all table variables only and derives the
 * margins by merging cells (every statistic above but median and mode merges
 * exactly). The largest contributions (DuckDB's top-n `max(v, n)`) cost as
 * much again as the rest, so they are fetched only for the few cells whose
 * nk / p-ratio outcome the bounds `hi ≤ top ≤ n·hi` cannot settle, by a
 * second query restricted to those cells. Median or mode with margins take
 * the slow path: one GROUPING SETS pass computing everything.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isNumericType, quoteIdent, toJsonValue } from './table-source.ts';

export type Label = string | number | boolean | null;

export interface CellStats {
  n: number;
  nn: number;
  s: number | null;
  lo: number | null;
  hi: number | null;
  m2: number | null;
  median: Label;
  mode: Label;
  /** The largest contributions, largest first; `undefined` when not fetched. */
  top: number[] | undefined;
}

export interface StatsRequest {
  relation: string;
  /** Row variables, then column variables. */
  rowDims: string[];
  colDims: string[];
  values: string | null;
  valuesType: string | null;
  margins: boolean;
  needMedian: boolean;
  needMode: boolean;
  needM2: boolean;
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

export const emptyStats = (): CellStats => ({ n: 0, nn: 0, s: null, lo: null, hi: null, m2: null, median: null, mode: null, top: undefined });

let tempCounter = 0;

export async function computeStats(conn: DuckDBConnection, req: StatsRequest): Promise<StatsGrid> {
  const dims = [...req.rowDims, ...req.colDims];
  const numeric = req.values !== null && req.valuesType !== null && isNumericType(req.valuesType);
  const v = req.values === null ? null : quoteIdent(req.values);
  const vd = `${v}::DOUBLE`;
  const aggs = ['count(*)::DOUBLE AS n', v === null ? 'count(*)::DOUBLE AS nn' : `count(${v})::DOUBLE AS nn`];
  if (numeric) aggs.push(`sum(${vd}) AS s`, `min(${vd}) AS lo`, `max(${vd}) AS hi`);
  if (numeric && req.needM2) aggs.push(`CASE WHEN count(${v}) > 0 THEN coalesce(var_samp(${vd}), 0) * (count(${v}) - 1) END AS m2`);
  if (req.needMedian && numeric) aggs.push(`median(${v}) AS median`);
  if (req.needMode && v !== null) aggs.push(`mode(${v}) AS mode`);
  const where = dims.map((d) => `${quoteIdent(d)} IS NOT NULL`).join(' AND ');
  const dimList = dims.map(quoteIdent).join(', ');
  const slow = req.margins && (req.needMedian || req.needMode);

  const grid = emptyGrid(dims.length);
  if (slow) {
    if (numeric && req.topN !== null) aggs.push(`max(${vd}, ${req.topN}) AS top`);
    const sets = req.colDims.length === 0
      ? [`(${dimList})`, '()']
      : [`(${dimList})`, `(${req.rowDims.map(quoteIdent).join(', ')})`, `(${req.colDims.map(quoteIdent).join(', ')})`, '()'];
    const sql = `SELECT ${dimList}, grouping(${dimList}) AS gid, ${aggs.join(', ')} FROM ${req.relation} WHERE ${where} GROUP BY GROUPING SETS (${sets.join(', ')})`;
    const reader = await conn.runAndReadAll(sql);
    const names = reader.columnNames();
    const fineRows: Array<{ labels: Label[]; stats: CellStats; gid: number }> = [];
    for (const row of reader.getRowsJS()) {
      const labels = row.slice(0, dims.length).map(toJsonValue);
      fineRows.push({ labels, stats: rowStats(names, row, dims.length + 1), gid: Number(row[dims.length]) });
    }
    return layout(grid, req, fineRows);
  }

  const temp = `oc_cells_${process.pid}_${++tempCounter}`;
  await conn.run(`CREATE TEMP TABLE ${temp} AS SELECT row_number() OVER () - 1 AS cid, * FROM (SELECT ${dimList}, ${aggs.join(', ')} FROM ${req.relation} WHERE ${where} GROUP BY ${dimList})`);
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM ${temp}`);
    const names = reader.columnNames();
    const fineRows = reader.getRowsJS().map((row) => ({
      labels: row.slice(1, dims.length + 1).map(toJsonValue),
      stats: rowStats(names, row, dims.length + 1),
      gid: 0,
      cid: Number(row[0]),
    }));
    const result = layout(grid, req, fineRows);
    if (numeric && req.topN !== null && req.needsTop) await refineTop(conn, req, result, temp, where);
    return result;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${temp}`);
  }
}

function rowStats(names: string[], row: unknown[], from: number): CellStats {
  const s = emptyStats();
  for (let i = from; i < names.length; i++) {
    const name = names[i] as keyof CellStats;
    const value = row[i];
    if (name === 'top') s.top = (value as unknown[] | null)?.map(Number) ?? [];
    else if (name === 'median' || name === 'mode') s[name] = toJsonValue(value);
    else if (name in s) (s as unknown as Record<string, number | null>)[name] = value === null ? null : Number(value);
  }
  return s;
}

function emptyGrid(nDims: number): StatsGrid {
  return { levels: Array.from({ length: nDims }, () => []), rows: [], cols: [], rowIsMargin: [], colIsMargin: [], cells: [] };
}

const keyOf = (labels: Label[]) => JSON.stringify(labels);

export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === typeof b) return a! < b! ? -1 : a! > b! ? 1 : 0;
  return typeof a === 'number' ? -1 : typeof b === 'number' ? 1 : String(a) < String(b) ? -1 : 1;
}

function cartesian(levels: Label[][]): Label[][] {
  let out: Label[][] = [[]];
  for (const ls of levels) out = out.flatMap((prefix) => ls.map((l) => [...prefix, l]));
  return out;
}

const marginLabel = (width: number): Label[] => (width === 0 ? [] : ['All', ...Array.from({ length: width - 1 }, () => '')]);

/** Places grouped rows on the full grid of observed levels; merges margins on the fast path. */
function layout(grid: StatsGrid, req: StatsRequest, fine: Array<{ labels: Label[]; stats: CellStats; gid: number; cid?: number }>): StatsGrid & { reps?: Map<CellStats, { kind: number; cid: number }> } {
  const nr = req.rowDims.length;
  const nc = req.colDims.length;
  const nd = nr + nc;
  const seen = grid.levels.map(() => new Map<string, Label>());
  for (const f of fine) {
    if (f.gid !== 0) continue;
    f.labels.forEach((l, i) => seen[i]!.set(keyOf([l]), l));
  }
  grid.levels = seen.map((m) => [...m.values()].sort(compareLabels));
  const rowTuples = cartesian(grid.levels.slice(0, nr));
  const colTuples = cartesian(grid.levels.slice(nr));
  grid.rows = [...rowTuples, ...(req.margins ? [marginLabel(nr)] : [])];
  grid.rowIsMargin = grid.rows.map((_, i) => i >= rowTuples.length);
  const colMargin = req.margins && nc > 0;
  grid.cols = [...colTuples, ...(colMargin ? [marginLabel(nc)] : [])];
  grid.colIsMargin = grid.cols.map((_, i) => i >= colTuples.length);
  const rowIndex = new Map(rowTuples.map((t, i) => [keyOf(t), i]));
  const colIndex = new Map(colTuples.map((t, i) => [keyOf(t), i]));
  grid.cells = grid.rows.map(() => grid.cols.map(emptyStats));
  const allRow = grid.rows.length - 1;
  const allCol = grid.cols.length - 1;
  const reps = new Map<CellStats, { kind: number; cid: number }>();
  for (const f of fine) {
    // grouping(): bit set = variable rolled up; the last variable is the lowest bit.
    const rolledRows = f.gid !== 0 && (f.gid >> nc) !== 0;
    const rolledCols = f.gid !== 0 && nc > 0 && (f.gid & ((1 << nc) - 1)) !== 0;
    const r = rolledRows ? allRow : rowIndex.get(keyOf(f.labels.slice(0, nr)))!;
    const c = rolledCols ? allCol : nc === 0 ? 0 : colIndex.get(keyOf(f.labels.slice(nr, nd)))!;
    grid.cells[r]![c] = f.stats;
    if (f.cid !== undefined) reps.set(f.stats, { kind: 0, cid: f.cid });
    if (f.gid === 0 && req.margins && f.cid !== undefined) {
      const targets: Array<[number, number, number]> = [[allRow, c, 2]];
      if (colMargin) targets.push([r, allCol, 1], [allRow, allCol, 3]);
      for (const [tr, tc, kind] of targets) {
        const target = grid.cells[tr]![tc]!;
        if (target.n === 0) reps.set(target, { kind, cid: f.cid });
        merge(target, f.stats);
      }
    }
  }
  return Object.assign(grid, { reps });
}

/** Adds cell b into a (exact for counts, sums, extremes; Chan et al. for m2). */
function merge(a: CellStats, b: CellStats): void {
  const total = a.nn + b.nn;
  if ((a.m2 !== null || b.m2 !== null) && total > 0) {
    const delta = (b.nn > 0 ? b.s! / b.nn : 0) - (a.nn > 0 ? a.s! / a.nn : 0);
    a.m2 = (a.m2 ?? 0) + (b.m2 ?? 0) + (a.nn * b.nn * delta * delta) / total;
  }
  a.n += b.n;
  a.nn += b.nn;
  a.s = a.s === null ? b.s : b.s === null ? a.s : a.s + b.s;
  a.lo = a.lo === null ? b.lo : b.lo === null ? a.lo : Math.min(a.lo, b.lo);
  a.hi = a.hi === null ? b.hi : b.hi === null ? a.hi : Math.max(a.hi, b.hi);
}

/**
 * Fetches the largest contributions of the cells that need them. A margin
 * cell is found through one of its contributing cells (`reps`): the rows
 * joining on the margin's own variables are exactly the margin's records.
 */
async function refineTop(
  conn: DuckDBConnection,
  req: StatsRequest,
  grid: StatsGrid & { reps?: Map<CellStats, { kind: number; cid: number }> },
  temp: string,
  where: string,
): Promise<void> {
  const wanted = new Map<string, CellStats>();
  const byKind: Array<Set<number>> = [new Set(), new Set(), new Set(), new Set()];
  for (const row of grid.cells) {
    for (const cell of row) {
      if (cell.nn === 0 || cell.top !== undefined || !req.needsTop!(cell, grid)) continue;
      const rep = grid.reps?.get(cell);
      if (!rep) continue;
      byKind[rep.kind]!.add(rep.cid);
      wanted.set(`${rep.kind}:${rep.cid}`, cell);
    }
  }
  if (wanted.size === 0) return;
  const v = `${quoteIdent(req.values!)}::DOUBLE`;
  const dimsOf = [
    [...req.rowDims, ...req.colDims], // 0: inner cell
    req.rowDims, // 1: row total (All column)
    req.colDims, // 2: column total (All row)
    [], // 3: grand total
  ];
  const parts: string[] = [];
  byKind.forEach((cids, kind) => {
    if (cids.size === 0) return;
    const dims = dimsOf[kind]!;
    const list = [...cids].join(', ');
    if (dims.length === 0) {
      parts.push(`SELECT ${kind} AS kind, ${list} AS cid, max(${v}, ${req.topN}) AS top FROM ${req.relation} WHERE ${where}`);
      return;
    }
    const on = dims.map((d) => `s.${quoteIdent(d)} = k.${quoteIdent(d)}`).join(' AND ');
    const keyCols = dims.map((d) => quoteIdent(d)).join(', ');
    parts.push(
      `SELECT ${kind} AS kind, k.cid, max(s.${v}, ${req.topN}) AS top FROM (SELECT * FROM ${req.relation} WHERE ${where}) s ` +
        `JOIN (SELECT min(cid) AS cid, ${keyCols} FROM ${temp} WHERE cid IN (${list}) GROUP BY ${keyCols}) k ON ${on} GROUP BY k.cid`,
    );
  });
  const rows = (await conn.runAndReadAll(parts.join(' UNION ALL '))).getRowsJS();
  for (const [kind, cid, top] of rows) {
    const cell = wanted.get(`${Number(kind)}:${Number(cid)}`);
    if (cell) cell.top = (top as unknown[]).map(Number);
  }
}
