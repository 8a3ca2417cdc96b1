/**
 * Secondary (complementary) suppression: after the primary rule blanks a table's small cells,
 * blank further cells until no blanked figure can be worked out from what is released.
 *
 * The table is its inner cells; every other figure it prints (a margin, the grand total) is a
 * sum of inner cells, and so is every figure an earlier release of the project printed over
 * the same records (a coarser or linked breakdown, from the ledger; see `secondary-table.ts`).
 * A blanked figure is determined when the released figures give its value
 * (`secondary-determined.ts`: by linear algebra, or, counts being never negative, when a
 * released relation leaves its blanked cells a sum of 0). Until none is, for the first
 * determined figure of each block of linked blanked cells, blank a complementary cell among
 * the relations that determine or hold it (`chooseComplement`): the smallest released cells
 * (record count) first, cells with records before empty ones, inner cells before sums, each
 * tried before it is taken. That is SSB's GaussSuppression with its default candidate order
 * (`CandidatesDefault`: the largest counts kept, totals with them; `secondaryZeros = FALSE`),
 * taken one determined figure at a time so that the result is checked, not assumed: the loop
 * ends only when no blanked figure, primary or secondary, is determined.
 *
 * Figures the earlier releases alone determine (no figure of this table among the relations)
 * cannot be protected by this table and are left to the differencing check.
 *
 * Bounded: each block's elimination costs about relations² × unknowns (dense, re-done for each
 * complement tried), so a table whose blanked cells link into blocks of a few dozen cells is
 * solved exactly (a 300 × 334 table with a hundred scattered small cells: a rectangle of four
 * for each, in about three seconds), and one whose blocks grow past a hundred or so cells (many
 * small cells sharing rows and columns) runs out of `budget` operations in all, and the
 * conservative rule takes over (`fallback`): every printed sum with a
 * blanked cell is blanked (and a blanked sum gets a blanked cell), and so is every cell of an
 * earlier release's relation with a blanked cell, so that what stays known of the blanked
 * cells is only what the earlier releases printed.
 */
import { countDetermined, firstDetermined, type BlockView, type Relation, type Target } from './secondary-determined.ts';
import { reductionCost } from './secondary-span.ts';

export type SecondaryReason = 'margin' | 'ledger' | 'limit';

export interface SuppressionProblem {
  /** The true record count of each inner cell (their index is their id). */
  counts: ArrayLike<number>;
  /**
   * The sums the table prints (margins): their inner cells and record count; `partitions`, where
   * known, the other sums that add up to it (the grand total: the row totals, or the column
   * totals). A sum whose partition is all released says nothing more and is left out of the
   * equations, so that it does not join every blanked cell of the table into one block.
   */
  sums: ReadonlyArray<{ cells: readonly number[]; count: number; partitions?: ReadonlyArray<readonly number[]> }>;
  /** Sums earlier releases printed, as relations over this table's inner cells: always known. */
  ledger: ReadonlyArray<{ cells: readonly number[] }>;
  /** Cells and sums the primary rule blanked. */
  primaryCells: readonly number[];
  primarySums: readonly number[];
  /** Elimination budget in elementary operations (default `DEFAULT_SECONDARY_BUDGET`). */
  budget?: number;
}

export interface SuppressionPlan {
  cells: Map<number, SecondaryReason>;
  sums: Map<number, SecondaryReason>;
  /** The conservative rule was used: the budget ran out. */
  fallback: boolean;
}

/** About a second or two of work. */
export const DEFAULT_SECONDARY_BUDGET = 300_000_000;

/** The planner's state: what is blanked, and each cell's relations (`holding`, by relation id). */
interface State {
  problem: SuppressionProblem;
  relations: Relation[];
  holding: number[][];
  blanked: Set<number>;
  blankedSums: Set<number>;
  /** Relations released and not redundant, by id. */
  active: Set<number>;
}

export function planSecondary(problem: SuppressionProblem): SuppressionPlan {
  const plan: SuppressionPlan = { cells: new Map(), sums: new Map(), fallback: false };
  const relations: Relation[] = [
    ...problem.sums.map((s, i) => ({ id: i, cells: s.cells, sum: i })),
    ...problem.ledger.map((l, i) => ({ id: problem.sums.length + i, cells: l.cells, sum: -1 })),
  ];
  const holding: number[][] = Array.from({ length: problem.counts.length }, () => []);
  for (const r of relations) for (const c of r.cells) holding[c]!.push(r.id);
  const state: State = {
    problem,
    relations,
    holding,
    blanked: new Set(problem.primaryCells),
    blankedSums: new Set(problem.primarySums),
    active: new Set(),
  };
  // Blocks found undetermined: blanking more only adds unknowns or removes relations, so they stay so.
  const settled = new Set<string>();
  const given = new Set<string>();
  let budget = problem.budget ?? DEFAULT_SECONDARY_BUDGET;
  for (;;) {
    state.active = new Set(
      relations.filter((r) => r.sum < 0 || (!state.blankedSums.has(r.sum) && !redundant(problem.sums[r.sum]!, state.blankedSums))).map((r) => r.id),
    );
    let changed = false;
    const blocks = blocksOf(state);
    budget -= relations.length + blocks.reduce((n, b) => n + b.cells.length, 0);
    for (const block of blocks) {
      const key = `${block.cells.join(',')}|${JSON.stringify(block.targets)}`;
      if (settled.has(key)) continue;
      budget -= reductionCost({ unknowns: block.cells.length, relations: block.relations.map((r) => block.unknown(r.id)) });
      if (budget < 0) {
        fallback(state, plan);
        return plan;
      }
      const open = { ...block, targets: block.targets.filter((t) => !given.has(JSON.stringify(t))) };
      const found = firstDetermined(open, { counts: problem.counts, relations });
      if (found === null) {
        settled.add(key);
        continue;
      }
      const complement = chooseComplement(found, open, state);
      changed = true;
      if (complement === null) {
        given.add(JSON.stringify(found.target));
        continue;
      }
      budget -= complement.cost;
      const reason: SecondaryReason = found.used.some((r) => r.sum < 0) ? 'ledger' : 'margin';
      for (const t of complement.targets) {
        if ('cell' in t) {
          state.blanked.add(t.cell);
          plan.cells.set(t.cell, reason);
        } else {
          state.blankedSums.add(t.sum);
          plan.sums.set(t.sum, reason);
        }
      }
    }
    if (!changed) return plan;
  }
}

const redundant = (sum: SuppressionProblem['sums'][number], blankedSums: ReadonlySet<number>) =>
  sum.partitions?.some((parts) => parts.every((p) => !blankedSums.has(p))) ?? false;

type Block = BlockView & { cells: number[]; relations: Relation[]; targets: Target[] };

/**
 * Blanked cells linked by a released relation (or by a blanked sum over them) form one block;
 * found from the blanked cells' own relations, so that the cost follows the blanked cells, not
 * the table's size.
 */
function blocksOf(state: State): Block[] {
  const { blanked, blankedSums, active, holding, relations } = state;
  const parent = new Map<number, number>();
  for (const c of blanked) parent.set(c, c);
  const find = (c: number): number => {
    let root = c;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(c, root);
    return root;
  };
  // The blanked cells of each relation that is released or a blanked sum, by id.
  const unknown = new Map<number, number[]>();
  for (const c of [...blanked].sort((a, b) => a - b)) {
    for (const id of holding[c]!) {
      const relation = relations[id]!;
      if (!active.has(id) && !(relation.sum >= 0 && blankedSums.has(relation.sum))) continue;
      const cells = unknown.get(id);
      if (cells) {
        cells.push(c);
        parent.set(find(c), find(cells[0]!));
      } else unknown.set(id, [c]);
    }
  }
  const blocks = new Map<number, Block>();
  const blockOf = (root: number) => {
    let b = blocks.get(root);
    if (!b) {
      b = { cells: [], relations: [], targets: [], unknown: (id) => unknown.get(id) ?? [] };
      blocks.set(root, b);
    }
    return b;
  };
  for (const c of [...blanked].sort((a, b) => a - b)) blockOf(find(c)).cells.push(c);
  for (const [id, cells] of unknown) {
    const b = blockOf(find(cells[0]!));
    if (active.has(id)) b.relations.push(relations[id]!);
  }
  for (const c of blanked) blockOf(find(c)).targets.push({ cell: c });
  // A blanked sum with no blanked cell is a block of its own: its released cells give it.
  let lone = -1;
  for (const s of blankedSums) {
    const cells = unknown.get(s);
    (cells ? blockOf(find(cells[0]!)) : blockOf(lone--)).targets.push({ sum: s });
  }
  return [...blocks.values()];
}

/** How many of the best-ranked complements are tried, alone and in pairs, before the best is taken untried. */
const TRIALS = 8;
/** A block whose elimination costs more than this is tried with two complements alone, no pairs. */
const LARGE_BLOCK = 2_000_000;

/**
 * The complementary suppression for a determined figure, among the released inner cells of
 * the relations that determine it or hold it. Ranked: cells of a determining relation that
 * holds the figure (its row, when the row's total gives it), then of the other relations that
 * hold it, then of the other determining ones; within each, those of the smallest relation
 * (its row before the grand total), then by fewest records (cells with records before empty
 * ones), then nearest the figure (so that the complements of many small cells spread over the
 * table instead of gathering in its first row and joining every block into one). The first of
 * the best few that leaves the figure undetermined, else the first pair of them that does, else
 * the best; when no cell is left, the smallest of the determining relations' printed sums.
 * Null when only earlier releases determine the figure.
 */
function chooseComplement(found: { target: Target; used: Relation[] }, block: Block, state: State): { targets: Target[]; cost: number } | null {
  const { problem, blanked, blankedSums, holding, relations, active } = state;
  const own = 'cell' in found.target ? [found.target.cell] : block.unknown(found.target.sum);
  const holdingIds = new Set(own.flatMap((c) => holding[c]!.filter((id) => active.has(id))));
  const usedIds = new Set(found.used.map((r) => r.id));
  /** Per candidate: its tier (0, 1, 2 as above) and the size of its smallest relation in that tier. */
  const place = new Map<number, [number, number]>();
  for (const r of [...found.used, ...[...holdingIds].map((id) => relations[id]!)]) {
    const tier = holdingIds.has(r.id) ? (usedIds.has(r.id) ? 0 : 1) : 2;
    for (const c of r.cells) {
      if (blanked.has(c)) continue;
      const known = place.get(c);
      if (!known || tier < known[0] || (tier === known[0] && r.cells.length < known[1])) place.set(c, [tier, r.cells.length]);
    }
  }
  const rank = (c: number) => (problem.counts[c] === 0 ? Number.POSITIVE_INFINITY : problem.counts[c]!);
  const distance = (c: number) => Math.abs(c - own[0]!);
  const ordered = [...place.keys()].sort((a, b) => {
    const [ta, sa] = place.get(a)!;
    const [tb, sb] = place.get(b)!;
    return ta - tb || sa - sb || rank(a) - rank(b) || distance(a) - distance(b) || a - b;
  });
  let cost = 0;
  const trialOf = (extra: number[]): BlockView => {
    const ids = new Set(block.relations.map((r) => r.id));
    for (const c of extra) for (const id of holding[c]!) if (active.has(id)) ids.add(id);
    const trial: BlockView = {
      cells: [...block.cells, ...extra],
      relations: [...ids].map((id) => relations[id]!),
      targets: block.targets,
      unknown: (id) => [...block.unknown(id), ...extra.filter((c) => holding[c]!.includes(id))],
    };
    cost += reductionCost({ unknowns: trial.cells.length, relations: trial.relations.map((r) => trial.unknown(r.id)) });
    return trial;
  };
  const input = { counts: problem.counts, relations };
  const frees = (extra: number[]) => firstDetermined({ ...trialOf(extra), targets: [found.target] }, input) === null;
  const large = reductionCost({ unknowns: block.cells.length + 1, relations: block.relations.map((r) => block.unknown(r.id)) }) > LARGE_BLOCK;
  // The best few of each tier: the cell that helps may lie in another relation than the figure's own.
  const best = [0, 1, 2].flatMap((tier) => ordered.filter((c) => place.get(c)![0] === tier).slice(0, large ? 1 : TRIALS / 2));
  for (const cell of best) if (frees([cell])) return { targets: [{ cell }], cost };
  if (!large) {
    for (let i = 0; i < best.length; i++) {
      for (let j = i + 1; j < best.length; j++) if (frees([best[i]!, best[j]!])) return { targets: [{ cell: best[i]! }, { cell: best[j]! }], cost };
    }
  }
  // None frees the figure at once: the one that leaves the fewest figures of the block determined.
  let pick = -1;
  let fewest = Number.POSITIVE_INFINITY;
  for (const cell of best) {
    const n = countDetermined(trialOf([cell]), input);
    if (n < fewest) [pick, fewest] = [cell, n];
  }
  if (pick >= 0) return { targets: [{ cell: pick }], cost };
  if (ordered.length > 0) return { targets: [{ cell: ordered[0]! }], cost };
  let sum = -1;
  for (const r of found.used) {
    if (r.sum < 0 || blankedSums.has(r.sum)) continue;
    if (sum < 0 || problem.sums[r.sum]!.count < problem.sums[sum]!.count) sum = r.sum;
  }
  return sum >= 0 ? { targets: [{ sum }], cost } : null;
}

/** The conservative rule: until no released relation has a blanked cell, blank its sum (or, for an earlier release's relation, its cells). */
function fallback(state: State, plan: SuppressionPlan): void {
  const { problem, relations, blanked, blankedSums } = state;
  plan.fallback = true;
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of relations) {
      const touches = r.cells.some((c) => blanked.has(c));
      if (r.sum >= 0 && !blankedSums.has(r.sum)) {
        if (!touches) continue;
        blankedSums.add(r.sum);
        plan.sums.set(r.sum, 'limit');
        changed = true;
      } else if (r.sum < 0 && touches) {
        for (const c of r.cells) {
          if (blanked.has(c)) continue;
          blanked.add(c);
          plan.cells.set(c, 'limit');
          changed = true;
        }
      }
    }
    // A blanked sum needs a blanked cell, else its released cells add up to it.
    for (const s of blankedSums) {
      const cells = problem.sums[s]!.cells;
      if (cells.length === 0 || cells.some((c) => blanked.has(c))) continue;
      const smallest = cells.reduce((a, b) => (problem.counts[b]! < problem.counts[a]! ? b : a));
      blanked.add(smallest);
      plan.cells.set(smallest, 'limit');
      changed = true;
    }
  }
}
