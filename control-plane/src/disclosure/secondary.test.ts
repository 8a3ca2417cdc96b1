import { describe, expect, it } from 'vitest';
import { planSecondary, type SuppressionProblem } from './secondary.ts';

/** A rows × cols table's inner cells (row-major ids) with its row, column and grand totals, as a table with margins prints them. */
function twoWay(rows: number[][]): Pick<SuppressionProblem, 'counts' | 'sums'> {
  const nc = rows[0]!.length;
  const counts = rows.flat();
  const id = (r: number, c: number) => r * nc + c;
  const sum = (cells: number[]) => ({ cells, count: cells.reduce((a, c) => a + counts[c]!, 0) });
  return {
    counts,
    sums: [
      ...rows.map((_, r) => sum(rows[0]!.map((_, c) => id(r, c)))),
      ...rows[0]!.map((_, c) => sum(rows.map((_, r) => id(r, c)))),
      sum(counts.map((_, i) => i)),
    ],
  };
}

const plan = (problem: Omit<SuppressionProblem, 'ledger' | 'primarySums'> & Partial<SuppressionProblem>) =>
  planSecondary({ ledger: [], primarySums: [], ...problem });

describe('secondary suppression', () => {
  it('blanks a second cell of a row whose total is printed', () => {
    const counts = [20, 5, 30];
    const result = plan({ counts, sums: [{ cells: [0, 1, 2], count: 55 }], primaryCells: [1] });
    expect(result).toEqual({ cells: new Map([[0, 'margin']]), sums: new Map(), fallback: false });
  });

  it('needs nothing more when no total is printed', () => {
    expect(plan({ counts: [20, 5, 30], sums: [], primaryCells: [1] })).toEqual({ cells: new Map(), sums: new Map(), fallback: false });
  });

  it('blanks a rectangle in a table with both margins: a cell in the row, one in the column, and the one across', () => {
    // 11 11 | 11 7* | 9 12: the cell of 7 needs a second cell in its row (11) and its column (11),
    // and those two a fourth where their column and row meet, so that each of the four moves freely.
    const table = twoWay([
      [30, 25, 40],
      [11, 7, 13],
      [14, 11, 50],
    ]);
    const result = plan({ ...table, primaryCells: [4] });
    expect(result).toEqual({
      cells: new Map([
        [3, 'margin'],
        [7, 'margin'],
        [6, 'margin'],
      ]),
      sums: new Map(),
      fallback: false,
    });
  });

  it('leaves two small cells of one row and one column of a 2×2 corner alone when they already protect each other', () => {
    const table = twoWay([
      [3, 5, 40],
      [6, 2, 30],
      [20, 30, 50],
    ]);
    expect(plan({ ...table, primaryCells: [0, 1, 3, 4] })).toEqual({ cells: new Map(), sums: new Map(), fallback: false });
  });

  it('blanks a cell of a three-way table whose subtotals are printed, until no subtotal gives a blanked cell', () => {
    // 2 × 2 × 2, ids a*4 + b*2 + c; subtotals over c for each (a, b), over b for each (a, c), and the grand total.
    const counts = [20, 3, 15, 18, 22, 25, 30, 40];
    const sum = (cells: number[]) => ({ cells, count: cells.reduce((s, c) => s + counts[c]!, 0) });
    const sums = [sum([0, 1]), sum([2, 3]), sum([4, 5]), sum([6, 7]), sum([0, 2]), sum([1, 3]), sum([4, 6]), sum([5, 7]), sum([0, 1, 2, 3, 4, 5, 6, 7])];
    const result = plan({ counts, sums, primaryCells: [1] });
    // The 3 needs 20 (its (a, b) subtotal) and 18 (its (a, c) subtotal), and those need 15 where they meet.
    expect(result).toEqual({
      cells: new Map([
        [0, 'margin'],
        [3, 'margin'],
        [2, 'margin'],
      ]),
      sums: new Map(),
      fallback: false,
    });
  });

  it("blanks for an earlier release's total of the same cells, reason 'ledger'", () => {
    const counts = [20, 5, 30];
    expect(plan({ counts, sums: [], ledger: [{ cells: [0, 1, 2] }], primaryCells: [1] })).toEqual({
      cells: new Map([[0, 'ledger']]),
      sums: new Map(),
      fallback: false,
    });
  });

  it('cannot protect a cell an earlier release printed by itself, and blanks nothing for it', () => {
    expect(plan({ counts: [20, 5, 30], sums: [], ledger: [{ cells: [1] }], primaryCells: [1] })).toEqual({
      cells: new Map(),
      sums: new Map(),
      fallback: false,
    });
  });

  it('blanks a third cell where two blanked cells of a row are a 1 and another: the one person knows their own', () => {
    const counts = [1, 3, 20, 30];
    expect(plan({ counts, sums: [{ cells: [0, 1, 2, 3], count: 54 }], primaryCells: [0, 1] })).toEqual({
      cells: new Map([[2, 'margin']]),
      sums: new Map(),
      fallback: false,
    });
  });

  it('blanks a cell with records where the blanked cells of a row are all empty: their sum 0 gives each', () => {
    const counts = [0, 0, 15, 12];
    expect(plan({ counts, sums: [{ cells: [0, 1, 2, 3], count: 27 }], primaryCells: [0, 1] })).toEqual({
      cells: new Map([[3, 'margin']]),
      sums: new Map(),
      fallback: false,
    });
  });

  it('blanks a cell of a blanked total whose cells are all printed', () => {
    const counts = [3, 4];
    expect(plan({ counts, sums: [{ cells: [0, 1], count: 7 }], primaryCells: [], primarySums: [0] })).toEqual({
      cells: new Map([[0, 'margin']]),
      sums: new Map(),
      fallback: false,
    });
  });

  it('blanks a total when the cells of the row are all blanked but the row total would still give them', () => {
    const table = twoWay([
      [0, 0],
      [30, 40],
    ]);
    // Row 0: both cells empty and blanked, their total 0 printed: blanking it is all that is left.
    const result = plan({ ...table, primaryCells: [0, 1] });
    expect(result.sums.get(0)).toBe('margin');
    expect(result.fallback).toBe(false);
  });

  it("falls back, past its budget, to blanking every total with a blanked cell, reason 'limit'", () => {
    const table = twoWay([
      [30, 25, 40],
      [11, 7, 13],
      [14, 11, 50],
    ]);
    const result = plan({ ...table, primaryCells: [4], budget: 1 });
    // Row 1's total, column 1's total, the grand total; and no cell more: no printed total holds a blanked cell.
    expect(result).toEqual({
      cells: new Map(),
      sums: new Map([
        [1, 'limit'],
        [4, 'limit'],
        [6, 'limit'],
      ]),
      fallback: true,
    });
  });
});
