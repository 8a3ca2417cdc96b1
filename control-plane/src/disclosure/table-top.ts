/**
 * The second query of a table check, run only when needed: the largest
 * contributions of the cells whose nk / p-ratio outcome the bounds leave open.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, toJsonValue } from './table-source.ts';
import { keyOf, type CellStats, type Label, type StatsGrid, type StatsRequest } from './stats-grid.ts';

/**
 * Fetches the largest contributions of the cells that need them, in one
 * query: per kind of cell (inner, row total, column total, grand total) the
 * records are joined with the wanted cells' labels on that kind's variables.
 */
export async function refineTop(conn: DuckDBConnection, req: StatsRequest, grid: StatsGrid): Promise<void> {
  const kinds = new Map<number, Map<string, { labels: Label[]; cell: CellStats }>>();
  grid.cells.forEach((row, r) => {
    row.forEach((cell, c) => {
      if (cell.nn === 0 || cell.top !== undefined || !req.needsTop!(cell, grid)) return;
      const rowPart = grid.rowIsMargin[r] ? [] : grid.rows[r]!;
      const colPart = grid.colIsMargin[c] || req.colDims.length === 0 ? [] : grid.cols[c]!;
      const kind = (grid.rowIsMargin[r] ? 2 : 0) + (grid.colIsMargin[c] || req.colDims.length === 0 ? 1 : 0);
      const labels = [...rowPart, ...colPart];
      if (!kinds.has(kind)) kinds.set(kind, new Map());
      kinds.get(kind)!.set(keyOf(labels), { labels, cell });
    });
  });
  if (kinds.size === 0) return;
  const v = `${quoteIdent(req.values!)}::DOUBLE`;
  const all = [...req.rowDims, ...req.colDims];
  const notNull = all.map((d) => `s.${quoteIdent(d)} IS NOT NULL`).join(' AND ');
  const parts: string[] = [];
  for (const [kind, wanted] of kinds) {
    const dims = [...(kind & 2 ? [] : req.rowDims), ...(kind & 1 ? [] : req.colDims)];
    // Every part returns all variables (NULL where rolled up) so that UNION ALL lines up.
    const select = all.map((d) => (dims.includes(d) ? `s.${quoteIdent(d)}` : `NULL::${req.types.get(d) ?? 'VARCHAR'}`)).join(', ');
    let from = `${req.relation} s`;
    if (dims.length > 0) {
      const tuples = [...wanted.values()].map(({ labels }) => `(${labels.map((l, i) => literal(l, req.types.get(dims[i]!) ?? 'VARCHAR')).join(', ')})`);
      from += ` JOIN (VALUES ${tuples.join(', ')}) w(${dims.map((_, i) => `k${i}`).join(', ')}) ON ${dims.map((d, i) => `s.${quoteIdent(d)} = w.k${i}`).join(' AND ')}`;
    }
    parts.push(`SELECT ${kind} AS kind, ${select}, max(s.${v}, ${req.topN}) AS top FROM ${from} WHERE ${notNull} GROUP BY ALL`);
  }
  const rows = (await conn.runAndReadAll(parts.join(' UNION ALL '))).getRows();
  for (const row of rows) {
    const kind = Number(row[0]);
    const labels = row.slice(1, all.length + 1).map(toJsonValue);
    const dimsMask = all.map((_, i) => (i < req.rowDims.length ? !(kind & 2) : !(kind & 1)));
    const entry = kinds.get(kind)?.get(keyOf(labels.filter((_, i) => dimsMask[i])));
    if (entry) entry.cell.top = (row[all.length + 1] as unknown as { items: unknown[] }).items.map(Number);
  }
}

/** A label as a SQL literal of its column's type. */
function literal(label: Label, type: string): string {
  const text = typeof label === 'string' ? `'${label.replaceAll("'", "''")}'` : String(label);
  return `CAST(${text} AS ${type})`;
}
