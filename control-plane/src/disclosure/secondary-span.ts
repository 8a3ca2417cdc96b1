/**
 * Gaussian elimination over one block of a table's linear relations, restricted to its
 * suppressed cells: which suppressed figures the released ones determine, and by which
 * relations.
 *
 * A released relation says that a set of cells sums to a known figure. Every released
 * cell is known, so only the suppressed cells of a relation are unknowns; a suppressed
 * figure (a cell, or a sum of cells) is determined exactly when its vector over the unknowns
 * lies in the row space of the relations restricted to them. That is SSB's GaussSuppression
 * test (statisticsnorway/ssb-ssbtools `GaussSuppression`), done here on the small system of
 * the unknowns rather than on the whole table.
 *
 * Our own elimination rather than ml-matrix's: the caller needs, for each determined figure,
 * the combination of relations that determines it (to choose complementary suppressions among
 * the cells of those relations), which none of ml-matrix's decompositions give; the matrix is
 * one of 0/1 coefficients, reduced with partial pivoting and a tolerance. The cost is counted
 * in elementary operations so that the caller can bound it.
 */

const EPS = 1e-9;

export interface SpanBlock {
  /** Number of unknowns (suppressed cells of the block). */
  unknowns: number;
  /** Each relation as the unknowns it contains (coefficient 1 each). */
  relations: ReadonlyArray<readonly number[]>;
}

export interface ReducedBlock {
  /**
   * Whether `target` (unknown → coefficient) is determined by the relations; if so, the
   * relations (indices into `SpanBlock.relations`) whose combination determines it.
   */
  determines(target: ReadonlyMap<number, number>): number[] | null;
}

/** Elementary operations a reduction of this block costs: the caller's budget unit. */
export function reductionCost(block: SpanBlock): number {
  const m = block.relations.length;
  return m * (block.unknowns + m) * Math.max(1, Math.min(m, block.unknowns));
}

/** Reduces the block's relations to reduced row echelon form, keeping each row's combination. */
export function reduceBlock(block: SpanBlock): ReducedBlock {
  const k = block.unknowns;
  const m = block.relations.length;
  const rows = block.relations.map((cells) => {
    const row = new Float64Array(k);
    for (const cell of cells) row[cell] = 1;
    return row;
  });
  const combos = block.relations.map((_, i) => {
    const combo = new Float64Array(m);
    combo[i] = 1;
    return combo;
  });
  /** The pivot row of each unknown, or -1 where the unknown is free. */
  const pivotOf = new Int32Array(k).fill(-1);
  let next = 0;
  for (let col = 0; col < k && next < m; col++) {
    let best = -1;
    let size = EPS;
    for (let r = next; r < m; r++) {
      const v = Math.abs(rows[r]![col]!);
      if (v > size) {
        size = v;
        best = r;
      }
    }
    if (best < 0) continue;
    [rows[next], rows[best]] = [rows[best]!, rows[next]!];
    [combos[next], combos[best]] = [combos[best]!, combos[next]!];
    const pivot = rows[next]!;
    const pivotCombo = combos[next]!;
    const scale = 1 / pivot[col]!;
    for (let j = 0; j < k; j++) pivot[j]! *= scale;
    for (let j = 0; j < m; j++) pivotCombo[j]! *= scale;
    for (let r = 0; r < m; r++) {
      if (r === next) continue;
      const f = rows[r]![col]!;
      if (Math.abs(f) <= EPS) continue;
      const row = rows[r]!;
      const combo = combos[r]!;
      for (let j = 0; j < k; j++) row[j]! -= f * pivot[j]!;
      for (let j = 0; j < m; j++) combo[j]! -= f * pivotCombo[j]!;
    }
    pivotOf[col] = next++;
  }
  return {
    determines(target) {
      const residual = new Float64Array(k);
      for (const [cell, coefficient] of target) residual[cell] = coefficient;
      const combination = new Float64Array(m);
      for (let col = 0; col < k; col++) {
        const f = residual[col]!;
        if (Math.abs(f) <= EPS || pivotOf[col]! < 0) continue;
        const row = rows[pivotOf[col]!]!;
        const combo = combos[pivotOf[col]!]!;
        for (let j = 0; j < k; j++) residual[j]! -= f * row[j]!;
        for (let j = 0; j < m; j++) combination[j]! += f * combo[j]!;
      }
      for (let j = 0; j < k; j++) if (Math.abs(residual[j]!) > EPS) return null;
      const used: number[] = [];
      for (let j = 0; j < m; j++) if (Math.abs(combination[j]!) > EPS) used.push(j);
      return used;
    },
  };
}
