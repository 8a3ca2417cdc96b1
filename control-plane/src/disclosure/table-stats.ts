/**
 * Per-cell statistics of a table in one grouped pass over the records.
 *
 * Every rule is judged from these numbers: record count `n`, non-missing
 * count `nn`, sum `s`, smallest `lo` and largest `hi` value, `m2` (sum of
 * squared deviations, for std), median and mode when asked for, and the
 * largest contributions `top` for dominance and p-ratio.
 *
 * Speed (the check must cost little more than a bare GROUP BY; each
 * aggregate adds a pass over every row's state): the fast path groups by all
 * table variables only, computing just counts and sums (and what the asked
 * aggfuncs need), and derives the margins by merging cells (everything but
 * median and mode merges exactly). The smallest and largest values of the
 * whole column come from one ungrouped query; when none is negative, the
 * cell's largest value is bounded by the column's, and the largest
 * contributions (DuckDB's top-n `max(v, n)`, as costly as all the rest) are
 * fetched only for the few cells whose nk / p-ratio outcome the bounds leave
 * open, by a second query restricted to those cells (`table-check.property.test.ts` holds all of
 * this to statistics computed from the records). With a negative value
 * somewhere, every cell gets its own min and max (to report negatives); so it
 * does for a CSV file, where the column-wide query would parse it twice.
 * Median or mode with margins take the slow path: one GROUPING SETS pass
 * computing everything.
 */
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { forEachRow, readNumbers, readValues, StringInterner } from './result-columns.ts';
import { isNumericType, quoteIdent, toJsonValue } from './table-source.ts';
import type { CellStats, Label, StatsGrid, StatsRequest } from './stats-grid.ts';
import { refineTop } from './table-top.ts';

export type { CellStats, Label, StatsGrid, StatsRequest } from './stats-grid.ts';

export const emptyStats = (): CellStats => ({ n: 0, nn: 0, s: null, lo: null, hi: null, maxBound: null, m2: null, median: null, mode: null, top: undefined });

export async function computeStats(conn: DuckDBConnection, req: StatsRequest): Promise<StatsGrid> {
  const dims = [...req.rowDims, ...req.colDims];
  const numeric = req.values !== null && req.valuesType !== null && isNumericType(req.valuesType);
  const v = req.values === null ? null : quoteIdent(req.values);
  const vd = `${v}::DOUBLE`;
  const slow = req.margins && (req.needMedian || req.needMode || req.needDistinct === true);
  let column: { lo: number; hi: number } | undefined;
  if (numeric && !slow && req.cheapColumnStats) {
    // Uncast, so that DuckDB answers from Parquet statistics without a scan.
    const [row] = (await conn.runAndReadAll(`SELECT min(${v}), max(${v}) FROM ${req.relation}`)).getRows();
    const [lo, hi] = [toJsonValue(row?.[0]), toJsonValue(row?.[1])];
    if (typeof lo === 'number' && typeof hi === 'number') column = { lo, hi };
  }
  const perCellExtremes = numeric && (column === undefined || req.needMinMax || column.lo < 0);
  const aggs = ['count(*)::DOUBLE AS n', v === null ? 'count(*)::DOUBLE AS nn' : `count(${v})::DOUBLE AS nn`];
  if (numeric) aggs.push(`sum(${vd}) AS s`);
  if (perCellExtremes) aggs.push(`min(${vd}) AS lo`, `max(${vd}) AS hi`);
  if (numeric && req.needM2) aggs.push(`CASE WHEN count(${v}) > 0 THEN coalesce(var_samp(${vd}), 0) * (count(${v}) - 1) END AS m2`);
  if (req.needMedian && numeric) aggs.push(`median(${v}) AS median`);
  if (req.needMode && v !== null) aggs.push(`mode(${v}) AS mode`);
  if (req.needDistinct && v !== null) aggs.push(`count(DISTINCT ${v})::DOUBLE AS nd`);
  const dimList = dims.map(quoteIdent).join(', ');

  let sql: string;
  if (slow) {
    if (numeric && req.topN !== null) aggs.push(`max(${vd}, ${req.topN}) AS top`);
    const where = dims.map((d) => `${quoteIdent(d)} IS NOT NULL`).join(' AND ');
    const sets =
      req.colDims.length === 0
        ? [`(${dimList})`, '()']
        : [`(${dimList})`, `(${req.rowDims.map(quoteIdent).join(', ')})`, `(${req.colDims.map(quoteIdent).join(', ')})`, '()'];
    sql = `SELECT ${dimList}, ${aggs.join(', ')}, grouping(${dimList})::INTEGER AS gid FROM ${req.relation} WHERE ${where} GROUP BY GROUPING SETS (${sets.join(', ')})`;
  } else {
    // Records with a missing grouping value are dropped, as pandas drops them; HAVING does it per group, not per record.
    const having = dims.map((d) => `${quoteIdent(d)} IS NOT NULL`).join(' AND ');
    sql = `SELECT ${dimList}, ${aggs.join(', ')}, 0 AS gid FROM ${req.relation} GROUP BY ${dimList} HAVING ${having}`;
  }
  const result = await conn.run(sql);
  const grouped = readGroups(result.columnNames(), await result.fetchAllChunks(), dims.length, column?.hi ?? null);
  const grid = layout(req, grouped, !slow);
  if (numeric && req.topN !== null && req.needsTop && !slow) await refineTop(conn, req, grid);
  return grid;
}

interface Groups {
  /**
   * Per variable, each group's level as an index into `distinct` (first-seen
   * order), or -1 where the variable is rolled up.
   */
  codes: Int32Array[];
  distinct: Label[][];
  /** 1 for a group with a label that reads as missing though DuckDB's is not NULL (a NaN): dropped, as pandas drops it. */
  dropped: Uint8Array;
  gid: Int32Array;
  /**
   * The statistics of group j, as a new object: layout creates them in the
   * grid's order, so that the passes over the cells that follow walk memory
   * in order (created in the result's hash order, a 24,000-cell table cost a
   * cache miss per cell on every pass).
   */
  stats(j: number): CellStats;
}

/**
 * Column-wise reading, from the result's chunks (see result-columns.ts): a
 * 24,000-cell table is read without an intermediate JS value per number, and
 * each label is looked up once, as it is read.
 * Every statistic but the counts is NULL exactly when the cell has no
 * non-missing value (`nn` = 0), so it is read without its validity.
 */
function readGroups(names: string[], chunks: DuckDBDataChunk[], nDims: number, columnMax: number | null): Groups {
  let count = 0;
  for (const chunk of chunks) count += chunk.rowCount;
  const at = (name: string) => names.indexOf(name);
  const numbers = (name: string) => (at(name) < 0 ? undefined : readNumbers(chunks, at(name), count));
  const gid = Int32Array.from(readNumbers(chunks, at('gid'), count));
  const [n, nn, s, lo, hi, m2, nd] = (['n', 'nn', 's', 'lo', 'hi', 'm2', 'nd'] as const).map(numbers);
  const values = (name: string) => (at(name) < 0 ? undefined : readValues(chunks, at(name), count));
  const median = values('median');
  const mode = values('mode');
  const top = values('top') as Array<{ items: unknown[] } | null> | undefined;
  const interner = new StringInterner();
  const codes: Int32Array[] = [];
  const distinct: Label[][] = [];
  const dropped = new Uint8Array(count);
  for (let i = 0; i < nDims; i++) {
    // grouping(): a set bit is a rolled-up variable (NULL here); the last variable is the lowest bit.
    const bit = 1 << (nDims - 1 - i);
    const seen = new Map<Label, number>();
    const levels: Label[] = [];
    const code = new Int32Array(count);
    forEachRow(chunks, i, (vector, row, j) => {
      if (gid[j]! & bit) {
        code[j] = -1;
        return;
      }
      const label = toJsonValue(interner.read(vector, row));
      if (label === null) {
        dropped[j] = 1;
        code[j] = -1;
        return;
      }
      let k = seen.get(label);
      if (k === undefined) {
        k = levels.push(label) - 1;
        seen.set(label, k);
      }
      code[j] = k;
    });
    codes.push(code);
    distinct.push(levels);
  }
  const stats = (j: number): CellStats => {
    const cellNn = nn![j]!;
    const has = cellNn > 0;
    const cellHi = hi && has ? hi[j]! : null;
    return {
      n: n![j]!,
      nn: cellNn,
      s: s && has ? s[j]! : null,
      lo: lo && has ? lo[j]! : null,
      hi: cellHi,
      maxBound: has ? (cellHi ?? columnMax) : null,
      m2: m2 && has ? m2[j]! : null,
      median: median ? toJsonValue(median[j]) : null,
      mode: mode ? toJsonValue(mode[j]) : null,
      top: top ? (top[j]?.items.map(Number) ?? []) : undefined,
      ...(nd ? { distinct: nd[j]! } : {}),
    };
  };
  return { codes, distinct, dropped, gid, stats };
}

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

/**
 * Places grouped rows on the full grid of observed levels (rows and columns
 * are the cartesian products of the sorted levels, so a cell's position is a
 * mixed-radix number of its levels' positions); merges margins when asked.
 */
function layout(req: StatsRequest, groups: Groups, mergeMargins: boolean): StatsGrid {
  const nr = req.rowDims.length;
  const nc = req.colDims.length;
  const nd = nr + nc;
  const count = groups.gid.length;
  const levels: Label[][] = [];
  // Each group's level position per variable (sorted levels; -1: rolled up), so placing cells needs no lookups.
  const position: Int32Array[] = [];
  for (let i = 0; i < nd; i++) {
    const distinct = groups.distinct[i]!;
    const sorted = distinct.map((_, k) => k).sort((a, b) => compareLabels(distinct[a]!, distinct[b]!));
    levels.push(sorted.map((k) => distinct[k]!));
    const rank = new Int32Array(distinct.length);
    sorted.forEach((k, r) => (rank[k] = r));
    const code = groups.codes[i]!;
    const pos = new Int32Array(count);
    for (let j = 0; j < count; j++) pos[j] = code[j]! < 0 ? -1 : rank[code[j]!]!;
    position.push(pos);
  }
  const rowTuples = cartesian(levels.slice(0, nr));
  const colTuples = cartesian(levels.slice(nr));
  const colMargin = req.margins && nc > 0;
  const rows = [...rowTuples, ...(req.margins ? [marginLabel(nr)] : [])];
  const cols = [...colTuples, ...(colMargin ? [marginLabel(nc)] : [])];
  const grid: StatsGrid = {
    levels,
    rows,
    cols,
    rowIsMargin: rows.map((_, i) => i >= rowTuples.length),
    colIsMargin: cols.map((_, i) => i >= colTuples.length),
    cells: [],
  };
  const allRow = rows.length - 1;
  const allCol = cols.length - 1;
  const index = (j: number, from: number, to: number) => {
    let k = 0;
    for (let i = from; i < to; i++) k = k * levels[i]!.length + position[i]![j]!;
    return k;
  };
  // The group at each position of the grid, row-major (-1: an empty combination, or a margin to merge).
  const groupAt = new Int32Array(rows.length * cols.length).fill(-1);
  for (let j = 0; j < count; j++) {
    if (groups.dropped[j]) continue;
    const gid = groups.gid[j]!;
    // grouping(): a set bit is a rolled-up variable; the last variable is the lowest bit.
    const r = gid >> nc !== 0 ? allRow : index(j, 0, nr);
    const c = nc > 0 && (gid & ((1 << nc) - 1)) !== 0 ? allCol : index(j, nr, nd);
    groupAt[r * cols.length + c] = j;
  }
  for (let r = 0, at = 0; r < rows.length; r++) {
    const row = new Array<CellStats>(cols.length);
    for (let c = 0; c < cols.length; c++, at++) row[c] = groupAt[at]! < 0 ? emptyStats() : groups.stats(groupAt[at]!);
    grid.cells.push(row);
  }
  if (!mergeMargins || !req.margins) return grid;
  for (let r = 0; r < rowTuples.length; r++) {
    for (let c = 0; c < colTuples.length; c++) {
      const stats = grid.cells[r]![c]!;
      if (stats.n === 0) continue;
      merge(grid.cells[allRow]![c]!, stats);
      if (colMargin) {
        merge(grid.cells[r]![allCol]!, stats);
        merge(grid.cells[allRow]![allCol]!, stats);
      }
    }
  }
  return grid;
}

const mergeMax = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
const mergeMin = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

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
  a.lo = mergeMin(a.lo, b.lo);
  a.hi = mergeMax(a.hi, b.hi);
  a.maxBound = mergeMax(a.maxBound, b.maxBound);
}
