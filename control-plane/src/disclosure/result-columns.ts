/**
 * Column-wise reading of a grouped query's result, for a table check.
 *
 * `getColumns()` of @duckdb/node-api converts every value through its generic
 * visitor and decodes every string with a TextDecoder call. A 24,000-cell
 * table's result has 24,000 labels per variable but only a few dozen distinct
 * ones, so short strings (DuckDB keeps up to 12 bytes inline in the 16-byte
 * string header) are interned by those 16 bytes: a repeated label costs four
 * integer reads and a compare instead of a decode. Everything else goes
 * through the vector's own `getItem`, so the values are exactly the
 * library's.
 */
import { DuckDBVarCharVector, type DuckDBDataChunk, type DuckDBVector } from '@duckdb/node-api';

/** Calls `visit(vector, row, at)` for column `column` of every row of every chunk, `at` counting rows across chunks. */
export function forEachRow(chunks: readonly DuckDBDataChunk[], column: number, visit: (vector: DuckDBVector, row: number, at: number) => void): void {
  let at = 0;
  for (const chunk of chunks) {
    const vector = chunk.getColumnVector(column);
    const rows = chunk.rowCount;
    for (let row = 0; row < rows; row++, at++) visit(vector, row, at);
  }
}

/** The values of column `column`, as the library gives them. */
export function readValues(chunks: readonly DuckDBDataChunk[], column: number, total: number): unknown[] {
  const out = new Array<unknown>(total);
  forEachRow(chunks, column, (vector, row, at) => (out[at] = vector.getItem(row)));
  return out;
}

/** Numbers of a column that has no NULLs (counts) or whose NULLs the caller ignores; a NULL reads as NaN. */
export function readNumbers(chunks: readonly DuckDBDataChunk[], column: number, total: number): Float64Array {
  const out = new Float64Array(total);
  let at = 0;
  for (const chunk of chunks) {
    const vector = chunk.getColumnVector(column);
    const rows = chunk.rowCount;
    for (let row = 0; row < rows; row++, at++) {
      const value = vector.getItem(row);
      out[at] = typeof value === 'number' ? value : value === null ? Number.NaN : Number(value);
    }
  }
  return out;
}

const SLOTS = 1024;

/**
 * Decodes VARCHAR values, interning the short ones by their inline bytes. The
 * bytes are compared in full on every hit, so a collision only costs a decode.
 */
export class StringInterner {
  private readonly words = new Uint32Array(SLOTS * 4);
  private readonly strings: Array<string | undefined> = new Array(SLOTS);

  /** The value at `row` of a VARCHAR vector (the caller knows it is not NULL). */
  read(vector: DuckDBVector, row: number): unknown {
    const view = vector instanceof DuckDBVarCharVector ? (vector as unknown as { dataView?: unknown }).dataView : undefined;
    if (!(view instanceof DataView)) return vector.getItem(row);
    const offset = row * 16;
    const length = view.getUint32(offset, true);
    if (length > 12) return vector.getItem(row);
    const a = view.getUint32(offset + 4, true);
    const b = view.getUint32(offset + 8, true);
    const c = view.getUint32(offset + 12, true);
    const slot = (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b) ^ length, 0xc2b2ae35) >>> 22) & (SLOTS - 1);
    const w = this.words;
    const k = slot * 4;
    const cached = this.strings[slot];
    if (cached !== undefined && w[k] === length && w[k + 1] === a && w[k + 2] === b && w[k + 3] === c) return cached;
    const value = vector.getItem(row);
    if (typeof value === 'string') {
      w[k] = length;
      w[k + 1] = a;
      w[k + 2] = b;
      w[k + 3] = c;
      this.strings[slot] = value;
    }
    return value;
  }
}
