import { describe, expect, it } from 'vitest';
import { checkDifferencing, type LedgerTable } from './index.ts';

const table = (id: string, variables: string[], cells: Array<[...Array<string | number>, number]>): LedgerTable => ({
  id,
  source: 'cohort',
  variables,
  cells: cells.map((c) => ({ labels: c.slice(0, -1) as Array<string | number>, count: c[c.length - 1] as number })),
});

describe('checkDifferencing', () => {
  const bySexAge = table(
    'export-1/t1.csv',
    ['sex', 'agegroup'],
    [
      ['F', '0-17', 40],
      ['F', '18+', 60],
      ['M', '0-17', 50],
      ['M', '18+', 50],
    ],
  );

  it('passes a table over the same population, whatever its other variables', () => {
    const bySexRegion = table(
      'new',
      ['sex', 'region'],
      [
        ['F', 'N', 70],
        ['F', 'S', 30],
        ['M', 'N', 45],
        ['M', 'S', 55],
      ],
    );
    expect(checkDifferencing(bySexRegion, [bySexAge], 10)).toEqual([]);
  });

  it('flags a shared cell whose counts differ by fewer than the threshold', () => {
    const subset = table(
      'new',
      ['sex'],
      [
        ['F', 96],
        ['M', 100],
      ],
    );
    expect(checkDifferencing(subset, [bySexAge], 10)).toEqual([{ earlier: 'export-1/t1.csv', variables: ['sex'], labels: ['F'], difference: 4 }]);
  });

  it('compares grand totals when no variable is shared, and passes differences from the threshold up', () => {
    const other = table(
      'new',
      ['region'],
      [
        ['N', 100],
        ['S', 97],
      ],
    );
    expect(checkDifferencing(other, [bySexAge], 10)).toEqual([{ earlier: 'export-1/t1.csv', variables: [], labels: [], difference: 3 }]);
    expect(
      checkDifferencing(
        table(
          'new',
          ['region'],
          [
            ['N', 100],
            ['S', 90],
          ],
        ),
        [bySexAge],
        10,
      ),
    ).toEqual([]);
  });
});
