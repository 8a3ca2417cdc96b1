/**
 * Whether the released figures determine a blanked one (`secondary.ts` asks, for one block of
 * linked blanked cells at a time): trivially (a blanked sum none of whose cells is blanked),
 * through non-negative counts (a released relation whose blanked cells have no records gives
 * each of them as 0), or by linear algebra (`secondary-span.ts`): once as everyone sees the
 * table, and once more as the person in a blanked cell of 1 sees it, that cell known
 * (GaussSuppression's `"subSpace"` singleton method).
 */
import { reduceBlock, type ReducedBlock } from './secondary-span.ts';

/** A relation over inner cells: a printed sum (`sum`, its index) or an earlier release's (`sum` = -1); `id` its index among all. */
export interface Relation {
  id: number;
  cells: readonly number[];
  sum: number;
}

/** A blanked figure to protect: an inner cell (`cell`) or a printed sum (`sum`). */
export type Target = { cell: number } | { sum: number };

export interface DeterminationInput {
  counts: ArrayLike<number>;
  /** The relation of each printed sum (a sum's relation `id` is its index). */
  relations: readonly Relation[];
}

/** A block of linked blanked cells: its cells, the released relations over them, the figures to protect. */
export interface BlockView {
  cells: readonly number[];
  relations: readonly Relation[];
  targets: readonly Target[];
  /** The blanked cells of a relation (by `id`), within the block. */
  unknown(id: number): readonly number[];
}

/** The first blanked figure of the block the released figures determine, with the relations that do. */
export function firstDetermined(block: BlockView, problem: DeterminationInput): { target: Target; used: Relation[] } | null {
  for (const found of determinedIn(block, problem)) return found;
  return null;
}

/** How many of the block's blanked figures the released figures determine. */
export function countDetermined(block: BlockView, problem: DeterminationInput): number {
  const seen = new Set<string>();
  for (const found of determinedIn(block, problem)) seen.add(JSON.stringify(found.target));
  return seen.size;
}

/** The block's determined figures (a figure may come twice: as everyone sees it and as a singleton does). */
function* determinedIn(block: BlockView, problem: DeterminationInput): Generator<{ target: Target; used: Relation[] }> {
  const targets = block.targets;
  if (targets.length === 0) return;
  const cellsOf = (t: Target) => ('cell' in t ? [t.cell] : block.unknown(t.sum));
  // A blanked sum is given by its own released cells when none of them is blanked.
  const itself = (t: { sum: number }): Relation[] => [problem.relations[t.sum]!];
  for (const t of targets) if ('sum' in t && cellsOf(t).length === 0) yield { target: t, used: itself(t) };
  // Counts are never negative: a relation whose blanked cells sum to 0 gives each of them.
  const cellTargets = new Set(targets.flatMap((t) => ('cell' in t ? [t.cell] : [])));
  for (const r of block.relations) {
    const unknown = block.unknown(r.id);
    if (!unknown.every((c) => problem.counts[c] === 0)) continue;
    for (const cell of unknown) if (cellTargets.has(cell)) yield { target: { cell }, used: [r] };
  }
  const singletons = block.cells.filter((c) => problem.counts[c] === 1);
  const passes: Array<{ known: Set<number>; targets: readonly Target[] }> = [{ known: new Set(), targets }];
  if (singletons.length > 0) {
    // As the person in a blanked 1 sees the table: that cell known, the others still to protect.
    passes.push({ known: new Set(singletons), targets: targets.filter((t) => !('cell' in t && singletons.includes(t.cell))) });
  }
  for (const pass of passes) {
    const columns = block.cells.filter((c) => !pass.known.has(c));
    const index = new Map(columns.map((c, i) => [c, i]));
    const reduced: ReducedBlock = reduceBlock({
      unknowns: columns.length,
      relations: block.relations.map((r) =>
        block
          .unknown(r.id)
          .filter((c) => index.has(c))
          .map((c) => index.get(c)!),
      ),
    });
    for (const t of pass.targets) {
      const vector = new Map<number, number>();
      for (const c of cellsOf(t)) if (index.has(c)) vector.set(index.get(c)!, 1);
      // Only a sum can have every blanked cell known here: the singletons' own, which together give it.
      if (vector.size === 0) {
        if ('sum' in t) yield { target: t, used: itself(t) };
        continue;
      }
      const used = reduced.determines(vector);
      if (used !== null) yield { target: t, used: used.map((i) => block.relations[i]!) };
    }
  }
}
