/**
 * Property: after secondary suppression, no blanked figure of a table is determined by what is
 * released. Solved independently of the planner: for every blanked cell (and blanked sum), the
 * released relations restricted to the blanked cells, with ml-matrix's SVD rank, must leave it a
 * free direction (adding its vector raises the rank); as the person in a blanked 1 sees it too
 * (that cell known); and no released relation may leave its blanked cells a sum of 0. Inputs:
 * random 2-D tables with pandas' margins and 3-D tables with every subtotal, small counts and
 * zeros in plenty, and earlier releases' group totals over random variables. Figures that the
 * earlier releases alone determine are out of any table's reach and are not asked of it.
 */
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { planSecondary } from './secondary.ts';

interface Case {
  sizes: number[];
  counts: number[];
  sums: Array<{ cells: number[]; count: number }>;
  ledger: Array<{ cells: number[] }>;
  k: number;
}

/** Cell ids of a mixed-radix grid grouped by the labels of the variables in `keep`. */
function groups(sizes: number[], keep: number[]): number[][] {
  const total = sizes.reduce((a, b) => a * b, 1);
  const out = new Map<string, number[]>();
  for (let id = 0; id < total; id++) {
    const labels: number[] = [];
    let rest = id;
    for (let d = sizes.length - 1; d >= 0; d--) {
      labels[d] = rest % sizes[d]!;
      rest = Math.floor(rest / sizes[d]!);
    }
    const key = keep.map((d) => labels[d]).join(',');
    out.set(key, [...(out.get(key) ?? []), id]);
  }
  return [...out.values()];
}

const subsets = (n: number) => Array.from({ length: 2 ** n - 1 }, (_, m) => [...Array(n).keys()].filter((d) => m & (1 << d)));

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    sizes: fc.oneof(
      fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 2, maxLength: 2 }),
      fc.array(fc.integer({ min: 2, max: 3 }), { minLength: 3, maxLength: 3 }),
    ),
    margins: fc.boolean(),
    ledgerSets: fc.array(fc.nat(6), { maxLength: 2 }),
    k: fc.constantFrom(0, 3, 7),
    seed: fc.array(fc.constantFrom(0, 1, 2, 3, 5, 7, 8, 12, 20, 40, 90), { minLength: 45, maxLength: 45 }),
  })
  .map(({ sizes, margins, ledgerSets, k, seed }) => {
    const total = sizes.reduce((a, b) => a * b, 1);
    const counts = Array.from({ length: total }, (_, i) => seed[i % seed.length]!);
    const sumOf = (cells: number[]) => ({ cells, count: cells.reduce((a, c) => a + counts[c]!, 0) });
    // 2-D: pandas' margins (each row, each column, the grand total); 3-D: every subtotal of fewer variables.
    const over = !margins ? [] : sizes.length === 2 ? [[0], [1], []] : [...subsets(3).filter((s) => s.length < 3), []];
    const sums = over.flatMap((keep) => groups(sizes, keep).map(sumOf));
    const proper = subsets(sizes.length).filter((s) => s.length < sizes.length);
    const ledger = ledgerSets.flatMap((i) => groups(sizes, proper[i % proper.length]!).map((cells) => ({ cells })));
    return { sizes, counts, sums, ledger, k };
  });

function rank(rows: number[][], width: number): number {
  if (rows.length === 0 || width === 0) return 0;
  return new SingularValueDecomposition(new Matrix(rows), { autoTranspose: true }).rank;
}

/** Whether `target` (over the blanked cells `unknown`) is determined by `relations`. */
function determined(relations: number[][], unknown: number[], target: number[]): boolean {
  const col = new Map(unknown.map((c, i) => [c, i]));
  const row = (cells: number[]) => {
    const r = new Array<number>(unknown.length).fill(0);
    for (const c of cells) if (col.has(c)) r[col.get(c)!] = 1;
    return r;
  };
  const m = relations.map(row).filter((r) => r.some((v) => v !== 0));
  const t = row(target);
  if (t.every((v) => v === 0)) return true;
  return rank([...m, t], unknown.length) === rank(m, unknown.length);
}

describe('secondary suppression, against an independent solve', () => {
  it('leaves every blanked figure a free direction for any table, margins and earlier releases', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const primaryCells = c.counts.flatMap((n, i) => (n <= c.k ? [i] : []));
        const primarySums = c.sums.flatMap((s, i) => (s.count <= c.k ? [i] : []));
        const plan = planSecondary({ counts: c.counts, sums: c.sums, ledger: c.ledger, primaryCells, primarySums });
        expect(plan.fallback).toBe(false);
        for (const cell of plan.cells.keys()) expect(primaryCells).not.toContain(cell);
        const blanked = [...new Set([...primaryCells, ...plan.cells.keys()])].sort((a, b) => a - b);
        const blankedSums = new Set([...primarySums, ...plan.sums.keys()]);
        const ledger = c.ledger.map((l) => l.cells);
        const released = [...c.sums.filter((_, i) => !blankedSums.has(i)).map((s) => s.cells), ...ledger];
        const targets = [...blanked.map((cell) => [cell]), ...[...blankedSums].map((i) => c.sums[i]!.cells)];
        const singletons = blanked.filter((cell) => c.counts[cell] === 1);
        for (const target of targets) {
          const unknown = blanked;
          if (determined(ledger, unknown, target)) continue;
          expect(determined(released, unknown, target), `figure over [${target}] is determined`).toBe(false);
          const seenBySingleton = unknown.filter((x) => !singletons.includes(x));
          if (target.length === 1 && singletons.includes(target[0]!)) continue;
          if (determined(ledger, seenBySingleton, target)) continue;
          expect(determined(released, seenBySingleton, target), `figure over [${target}] is determined, a blanked 1 known`).toBe(false);
        }
        const blankedSet = new Set(blanked);
        c.sums.forEach((s, i) => {
          if (blankedSums.has(i)) return;
          const unknown = s.cells.filter((x) => blankedSet.has(x));
          if (unknown.length > 0)
            expect(
              unknown.some((x) => c.counts[x]! > 0),
              `sum ${i} leaves its blanked cells 0`,
            ).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});
