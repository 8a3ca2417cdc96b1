/**
 * `checkTable`: computes a requested table and judges every cell, margins
 * included, against the policy. The result is what the CLI prints and what an
 * export's check record holds.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors/index.ts';
import { DEFAULT_MAX_CELLS, type TableRules } from '../policies/index.ts';
import { checkDifferencing, type DifferencingFinding, type LedgerTable } from './differencing.ts';
import type { SecondaryReason } from './secondary.ts';
import { secondaryPositions } from './secondary-table.ts';
import {
  FAIL_RULES,
  judgeCell,
  judgesDominance,
  judgesSameValues,
  needsTopContributions,
  SAME_VALUES,
  worst,
  type CellRule,
  type Status,
} from './table-rules.ts';
import { isNumericType, resolveSource, type TableSource } from './table-source.ts';
import { parseTableSpec, type AggFunc, type NormalizedSpec } from './table-spec.ts';
import { refuseOversizedTable } from './table-size.ts';
import { computeStats, type CellStats, type Label, type StatsGrid } from './table-stats.ts';

export interface CellRef {
  row: Label[];
  col: Label[];
}

export interface CheckedTable {
  rowLabels: Label[][];
  colLabels: Label[][];
  values: Label[][];
}

export type TableRuleResults = Record<Exclude<CellRule, typeof SAME_VALUES>, CellRef[]> & {
  /** Present under the acro-0.4 rule set for a table with mode: ACRO 0.4.12's mode check. */
  [SAME_VALUES]?: CellRef[];
  /** Present when the policy suppresses small cells: the blanked cells. */
  suppressed?: CellRef[];
  /**
   * Present when the policy also suppresses complementary cells (`secondarySuppression`): the
   * cells blanked so that no `suppressed` one can be worked out from the released figures,
   * each with why (`secondary.ts`): `margin` (this table's margins), `ledger` (an earlier
   * release), `limit` (the conservative rule of a table too large to solve).
   */
  secondary?: Array<CellRef & { reason: SecondaryReason }>;
  /** Present when the policy checks differencing. */
  differencing?: DifferencingFinding[];
};

export interface TableCheckResult {
  status: Status;
  table: CheckedTable;
  rules: TableRuleResults;
  /**
   * The table's inner record counts, for the differencing ledger (see
   * `ledgerTableOf`); a function, so that it is built only when a table is
   * released and never serialised with the result shown to the researcher.
   */
  ledger(): Omit<LedgerTable, 'id' | 'source'>;
}

export interface TableCheckRequest {
  source: TableSource;
  /** A table spec (validated here: see `TableSpecSchema`). */
  spec: unknown;
  rules: TableRules;
  /** The project's earlier released tables, for the differencing check. */
  earlier?: readonly LedgerTable[];
  /**
   * Whether errors may quote the source: its column names, DuckDB's reading errors (default
   * true: the caller's own file, as for the CLI). False for a file a room wrote: an error must
   * not echo what the control plane read, only what the caller asked for.
   */
  quoteSource?: boolean;
}

const NUMERIC_AGGS: ReadonlyArray<AggFunc> = ['mean', 'sum', 'median', 'std', 'min', 'max'];

export async function checkTable(conn: DuckDBConnection, req: TableCheckRequest): Promise<TableCheckResult> {
  const spec = parseTableSpec(req.spec);
  const quote = req.quoteSource ?? true;
  const source = await resolveSource(conn, req.source, quote);
  for (const [field, names] of [
    ['index', spec.index],
    ['columns', spec.columns],
    ['values', spec.values === null ? [] : [spec.values]],
  ] as const) {
    for (const name of names) {
      if (!source.columns.has(name)) {
        const has = quote ? `; the data has: ${[...source.columns.keys()].join(', ')}` : '';
        throw new InputError(`unknown column '${name}' in ${field}${has}`, {
          reason: 'unknown_column',
          details: { field, column: name },
        });
      }
    }
  }
  // The values column too: a list column reads as numeric by its prefix (`BIGINT[]`) and DuckDB cannot cast it.
  for (const name of [...spec.index, ...spec.columns, ...(spec.values === null ? [] : [spec.values])]) {
    const type = source.columns.get(name)!;
    if (/[[\]()]|^(STRUCT|MAP|UNION|LIST)/.test(type) && !type.startsWith('DECIMAL')) {
      const field = spec.index.includes(name) ? 'index' : spec.columns.includes(name) ? 'columns' : 'values';
      throw new InputError(
        `column '${name}' (${type}) cannot ${field === 'values' ? "be a table's values" : 'group a table'}: its values are not single values`,
        {
          reason: 'non_scalar_column',
          details: { field, column: name },
        },
      );
    }
  }
  const valuesType = spec.values === null ? null : source.columns.get(spec.values)!;
  const numeric = valuesType !== null && isNumericType(valuesType);
  const numericAgg = spec.aggfuncs.find((a) => a !== null && NUMERIC_AGGS.includes(a));
  if (spec.values !== null && !numeric && numericAgg) {
    throw new InputError(`aggfunc '${numericAgg}' needs a numeric values column; '${spec.values}' is ${valuesType}`, {
      reason: 'non_numeric_values',
      details: { field: 'values', column: spec.values },
    });
  }
  const rules = req.rules;
  // A policy snapshot stored before the cell limit existed has none: the default then.
  await refuseOversizedTable(conn, source.relation, spec, rules.maxCells ?? DEFAULT_MAX_CELLS);
  const dominance = spec.aggfuncs.some((a) => judgesDominance(a, rules));
  let negative: boolean | undefined;
  const grid = await computeStats(conn, {
    relation: source.relation,
    types: source.columns,
    cheapColumnStats: source.cheapColumnStats,
    rowDims: spec.index,
    colDims: spec.columns,
    values: spec.values,
    valuesType,
    margins: spec.margins,
    needMedian: spec.aggfuncs.includes('median'),
    needMode: spec.aggfuncs.includes('mode'),
    needMinMax: spec.aggfuncs.includes('min') || spec.aggfuncs.includes('max'),
    needM2: spec.aggfuncs.includes('std'),
    needDistinct: spec.aggfuncs.some((a) => judgesSameValues(a, rules)),
    topN: dominance && numeric ? Math.max(rules.nk.n, 2) : null,
    needsTop: (cell, g) => !(negative ??= hasNegative(g)) && needsTopContributions(cell, rules),
  });
  return judgeTable(spec, grid, rules, req.earlier);
}

function hasNegative(grid: StatsGrid): boolean {
  return grid.cells.some((row) => row.some((c) => c.lo !== null && c.lo < 0));
}

/** Judges every cell of every aggfunc block and lays out the checked table. */
export function judgeTable(spec: NormalizedSpec, grid: StatsGrid, rules: TableRules, earlier?: readonly LedgerTable[]): TableCheckResult {
  const negative = hasNegative(grid);
  const results: TableRuleResults = { threshold: [], zeros: [], nk: [], 'p-ratio': [], dof: [], missing: [], negative: [] };
  if (spec.aggfuncs.some((a) => judgesSameValues(a, rules))) results[SAME_VALUES] = [];
  const suppressed: CellRef[] = [];
  const colLabels: Label[][] = [];
  const blocks = spec.aggfuncs.map((agg) => ({ agg, values: blockValues(grid, agg, rules) }));
  for (const { agg } of blocks) {
    for (const col of grid.cols) {
      const inner = spec.columns.length === 0 ? [spec.values ?? 'count'] : col;
      colLabels.push(spec.labelledByAggfunc ? [agg ?? 'count', ...inner] : inner);
    }
  }
  const values: Label[][] = grid.rows.map(() => []);
  // Row by row, then column by column as printed: every rule lists its cells in row-major order, as ACRO does.
  grid.rows.forEach((row, r) => {
    blocks.forEach(({ agg, values: block }, b) => {
      grid.cols.forEach((_, c) => {
        const cell = grid.cells[r]![c]!;
        const ref = { row, col: colLabels[b * grid.cols.length + c]! };
        for (const rule of judgeCell(cell, agg, rules, negative)) results[rule]!.push(ref);
        let value: Label = block[r]![c] ?? null;
        if (rules.suppressAtOrBelow !== null && cell.n <= rules.suppressAtOrBelow) {
          value = null;
          suppressed.push(ref);
        }
        values[r]!.push(value);
      });
    });
  });
  const blanked = new Set<string>();
  if (rules.suppressAtOrBelow !== null) {
    results.suppressed = suppressed;
    const k = rules.suppressAtOrBelow;
    grid.cells.forEach((row, r) => row.forEach((cell, c) => cell.n <= k && blanked.add(`${r},${c}`)));
    if (rules.secondarySuppression) {
      results.secondary = [];
      const nc = grid.cols.length;
      // After the primary blanks, before the result is built; every aggfunc block blanks the same cells.
      const { positions } = secondaryPositions(spec, grid, (cell) => cell.n <= k, earlier);
      const byRow = Map.groupBy(positions, (p) => p.r);
      for (const [r, inRow] of byRow) {
        for (let b = 0; b < blocks.length; b++) {
          for (const { c, reason } of inRow) {
            values[r]![b * nc + c] = null;
            results.secondary.push({ row: grid.rows[r]!, col: colLabels[b * nc + c]!, reason });
            blanked.add(`${r},${c}`);
          }
        }
      }
    }
  }
  const ledger = () => ledgerOf(spec, grid, blanked);
  if (rules.differencing) {
    results.differencing = earlier?.length ? checkDifferencing({ id: '', source: '', ...ledger() }, earlier, rules.threshold) : [];
  }
  const failing = [...FAIL_RULES, SAME_VALUES] as const;
  const statuses: Status[] = failing.map((r) => ((results[r]?.length ?? 0) > 0 ? 'fail' : 'pass'));
  const flagged = results.missing.length + results.negative.length + suppressed.length + (results.secondary?.length ?? 0) + (results.differencing?.length ?? 0);
  statuses.push(flagged > 0 ? 'review' : 'pass');
  return {
    status: worst(statuses),
    table: { rowLabels: grid.rows, colLabels, values },
    rules: results,
    ledger,
  };
}

/** The values of one aggfunc block; counts rounded (margins summed from rounded cells) when the policy rounds. */
function blockValues(grid: StatsGrid, agg: AggFunc | null, rules: TableRules): Label[][] {
  const values = grid.cells.map((row) => row.map((cell) => statistic(cell, agg)));
  const base = rules.roundingBase;
  if (base === null || (agg !== null && agg !== 'count')) return values;
  const innerRows = grid.rows.map((_, r) => r).filter((r) => !grid.rowIsMargin[r]);
  const innerCols = grid.cols.map((_, c) => c).filter((c) => !grid.colIsMargin[c]);
  for (const r of innerRows) for (const c of innerCols) values[r]![c] = Math.round((values[r]![c] as number) / base) * base;
  const sum = (rs: number[], cs: number[]) => rs.reduce((acc, r) => acc + cs.reduce((a, c) => a + (values[r]![c] as number), 0), 0);
  grid.rows.forEach((_, r) => {
    grid.cols.forEach((_, c) => {
      if (!grid.rowIsMargin[r] && !grid.colIsMargin[c]) return;
      values[r]![c] = sum(grid.rowIsMargin[r] ? innerRows : [r], grid.colIsMargin[c] ? innerCols : [c]);
    });
  });
  return values;
}

function statistic(cell: CellStats, agg: AggFunc | null): Label {
  switch (agg) {
    case null:
      return cell.n;
    case 'count':
      return cell.nn;
    case 'mean':
      return cell.nn > 0 && cell.s !== null ? cell.s / cell.nn : null;
    case 'sum':
      return cell.n > 0 ? (cell.s ?? 0) : null;
    case 'median':
      return cell.median;
    case 'std':
      return cell.nn >= 2 && cell.m2 !== null ? Math.sqrt(Math.max(0, cell.m2) / (cell.nn - 1)) : null;
    case 'min':
      return cell.lo;
    case 'max':
      return cell.hi;
    case 'mode':
      return cell.mode;
  }
}

/** `blanked`: the grid positions (`r,c`) the release blanks, for the secondary suppression of later tables. */
function ledgerOf(spec: NormalizedSpec, grid: StatsGrid, blanked: ReadonlySet<string>): Omit<LedgerTable, 'id' | 'source'> {
  const cells: LedgerTable['cells'] = [];
  const margins = new Map<string, string[]>();
  const withheld: NonNullable<LedgerTable['withheld']> = [];
  grid.rows.forEach((row, r) => {
    grid.cols.forEach((col, c) => {
      const n = grid.cells[r]![c]!.n;
      const inner = !grid.rowIsMargin[r] && !grid.colIsMargin[c];
      if (inner && n > 0) cells.push({ labels: [...row, ...col], count: n });
      const over = [...(grid.rowIsMargin[r] ? [] : spec.index), ...(grid.colIsMargin[c] ? [] : spec.columns)];
      if (!inner) margins.set(over.join('\u0000'), over);
      if (blanked.has(`${r},${c}`)) withheld.push({ over, labels: [...(grid.rowIsMargin[r] ? [] : row), ...(grid.colIsMargin[c] ? [] : col)] });
    });
  });
  return {
    variables: [...spec.index, ...spec.columns],
    cells,
    ...(margins.size > 0 ? { margins: [...margins.values()] } : {}),
    ...(withheld.length > 0 ? { withheld } : {}),
  };
}

/** A ledger entry for a released table. */
export function ledgerTableOf(result: TableCheckResult, id: string, source: string): LedgerTable {
  return { id, source, ...result.ledger() };
}
