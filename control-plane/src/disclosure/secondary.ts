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
 * the relations that determine it: the smallest released cell (record count), cells with
 * records before empty ones, inner cells before sums; a sum only when no cell of those
 * relations is left. That is SSB's GaussSuppression with its default candidate order
 * (`CandidatesDefault`: the largest counts kept, totals with them; `secondaryZeros = FALSE`),
 * taken one determined figure at a time so that the result is checked, not assumed: the loop
 * ends only when no blanked figure, primary or secondary, is determined.
 *
 * Figures the earlier releases alone determine (no figure of this table among the relations)
 * cannot be protected by this table and are left to the differencing check.
 *
 * Bounded: each block's elimination costs about relations² × unknowns; past `budget`
 * operations in all, the conservative rule takes over (`fallback`): every printed sum with a
 * blanked cell is blanked (and a blanked sum gets a blanked cell), and so is every cell of an
 * earlier release's relation with a blanked cell, so that what stays known of the blanked
 * cells is only what the earlier releases printed.
 */
import { firstDetermined, type Relation, type Target } from './secondary-determined.ts';
import { reductionCost } from './secondary-span.ts';

export type SecondaryReason = 'margin' | 'ledger' | 'limit';

export interface SuppressionProblem {
  /** The true record count of each inner cell (their index is their id). */
  counts: ArrayLike<number>;
  /** The sums the table prints (margins): their inner cells and record count. */
  sums: ReadonlyArray<{ cells: readonly number[]; count: number }>;
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

/** About a second of elimination. */
export const DEFAULT_SECONDARY_BUDGET = 300_000_000;

export function planSecondary(problem: SuppressionProblem): SuppressionPlan {
  const plan: SuppressionPlan = { cells: new Map(), sums: new Map(), fallback: false };
  const blanked = new Set(problem.primaryCells);
  const blankedSums = new Set(problem.primarySums);
  const relations: Relation[] = [
    ...problem.sums.map((s, i) => ({ cells: s.cells, sum: i })),
    ...problem.ledger.map((l) => ({ cells: l.cells, sum: -1 })),
  ];
  // Blocks found undetermined: blanking more only adds unknowns or removes relations, so they stay so.
  const settled = new Set<string>();
  const given = new Set<string>();
  let budget = problem.budget ?? DEFAULT_SECONDARY_BUDGET;
  for (;;) {
    const active = relations.filter((r) => r.sum < 0 || !blankedSums.has(r.sum));
    const targets: Target[] = [...[...blanked].map((cell) => ({ cell })), ...[...blankedSums].map((sum) => ({ sum }))];
    let changed = false;
    for (const block of blocksOf(blanked, active, targets, problem)) {
      const key = `${block.cells.join(',')}|${JSON.stringify(block.targets)}`;
      if (settled.has(key)) continue;
      budget -= reductionCost({ unknowns: block.cells.length, relations: block.relations.map((r) => r.cells) });
      if (budget < 0) {
        fallback(problem, relations, blanked, blankedSums, plan);
        return plan;
      }
      const open = { ...block, targets: block.targets.filter((t) => !given.has(JSON.stringify(t))) };
      const found = firstDetermined(open, problem, blanked);
      if (found === null) {
        settled.add(key);
        continue;
      }
      const complement = chooseComplement(found, open, active, problem, blanked, blankedSums);
      changed = true;
      if (complement === null) {
        given.add(JSON.stringify(found.target));
        continue;
      }
      budget -= complement.cost;
      const reason: SecondaryReason = found.used.some((r) => r.sum < 0) ? 'ledger' : 'margin';
      for (const t of complement.targets) {
        if ('cell' in t) {
          blanked.add(t.cell);
          plan.cells.set(t.cell, reason);
        } else {
          blankedSums.add(t.sum);
          plan.sums.set(t.sum, reason);
        }
      }
    }
    if (!changed) return plan;
  }
}

interface Block {
  /** Blanked inner cells of the block, ascending. */
  cells: number[];
  relations: Relation[];
  targets: Target[];
}

/** Blanked cells linked by a released relation (or by a blanked sum over them) form one block. */
function blocksOf(blanked: Set<number>, active: Relation[], targets: Target[], problem: SuppressionProblem): Block[] {
  const parent = new Map<number, number>();
  for (const c of blanked) parent.set(c, c);
  const find = (c: number): number => {
    let root = c;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(c, root);
    return root;
  };
  const link = (cells: readonly number[]) => {
    let first = -1;
    for (const c of cells) {
      if (!blanked.has(c)) continue;
      if (first < 0) first = find(c);
      else parent.set(find(c), first);
    }
    return first;
  };
  const touching: Relation[] = [];
  for (const r of active) if (link(r.cells) >= 0) touching.push(r);
  for (const t of targets) if ('sum' in t) link(problem.sums[t.sum]!.cells);
  const blocks = new Map<number, Block>();
  const blockOf = (root: number) => {
    let b = blocks.get(root);
    if (!b) blocks.set(root, (b = { cells: [], relations: [], targets: [] }));
    return b;
  };
  for (const c of [...blanked].sort((a, b) => a - b)) blockOf(find(c)).cells.push(c);
  for (const r of touching) blockOf(find(r.cells.find((c) => blanked.has(c))!)).relations.push(r);
  // A blanked sum with no blanked cell is a block of its own: its released cells give it.
  let lone = -1;
  for (const t of targets) {
    const c = ('cell' in t ? [t.cell] : problem.sums[t.sum]!.cells).find((x) => blanked.has(x));
    (c === undefined ? blockOf(lone--) : blockOf(find(c))).targets.push(t);
  }
  return [...blocks.values()];
}

/** How many of the best-ranked complements are tried, alone and in pairs, before the best is taken untried. */
const TRIALS = 8;

/**
 * The complementary suppression for a determined figure, among the released inner cells of
 * the relations that determine it or hold it: those sharing the smallest relation with the
 * figure first (its row before the grand total), then by fewest records (cells with records
 * before empty ones). The first of the best few that leaves the figure undetermined, else the
 * first pair of them that does (a cell of a 2-D table needs three complements, two of them
 * together), else the best; when no cell is left, the smallest of the determining relations'
 * printed sums. Null when only earlier releases determine the figure.
 */
function chooseComplement(
  found: { target: Target; used: Relation[] },
  block: { cells: readonly number[]; relations: readonly Relation[] },
  active: readonly Relation[],
  problem: SuppressionProblem,
  blanked: Set<number>,
  blankedSums: Set<number>,
): { targets: Target[]; cost: number } | null {
  const own = new Set('cell' in found.target ? [found.target.cell] : problem.sums[found.target.sum]!.cells);
  const holding = block.relations.filter((r) => r.cells.some((c) => own.has(c)));
  const nearness = new Map<number, number>();
  for (const r of [...found.used, ...holding]) {
    const size = holding.includes(r) ? r.cells.length : Number.POSITIVE_INFINITY;
    for (const c of r.cells) if (!blanked.has(c)) nearness.set(c, Math.min(nearness.get(c) ?? size, size));
  }
  const rank = (c: number) => (problem.counts[c] === 0 ? Number.POSITIVE_INFINITY : problem.counts[c]!);
  const ordered = [...nearness.keys()].sort((a, b) => nearness.get(a)! - nearness.get(b)! || rank(a) - rank(b) || a - b);
  let cost = 0;
  const frees = (extra: number[]) => {
    const relations = [...block.relations, ...active.filter((r) => !block.relations.includes(r) && extra.some((c) => r.cells.includes(c)))];
    const cells = [...block.cells, ...extra];
    cost += reductionCost({ unknowns: cells.length, relations: relations.map((r) => r.cells) });
    for (const c of extra) blanked.add(c);
    const still = firstDetermined({ cells, relations, targets: [found.target] }, problem, blanked);
    for (const c of extra) blanked.delete(c);
    return still === null;
  };
  const best = ordered.slice(0, TRIALS);
  for (const cell of best) if (frees([cell])) return { targets: [{ cell }], cost };
  for (let i = 0; i < best.length; i++) {
    for (let j = i + 1; j < best.length; j++) if (frees([best[i]!, best[j]!])) return { targets: [{ cell: best[i]! }, { cell: best[j]! }], cost };
  }
  if (ordered.length > 0) return { targets: [{ cell: ordered[0]! }], cost };
  let sum = -1;
  for (const r of found.used) {
    if (r.sum < 0 || blankedSums.has(r.sum)) continue;
    if (sum < 0 || problem.sums[r.sum]!.count < problem.sums[sum]!.count) sum = r.sum;
  }
  return sum >= 0 ? { targets: [{ sum }], cost } : null;
}

/** The conservative rule: until no released relation has a blanked cell, blank its sum (or, for an earlier release's relation, its cells). */
function fallback(problem: SuppressionProblem, relations: Relation[], blanked: Set<number>, blankedSums: Set<number>, plan: SuppressionPlan): void {
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
