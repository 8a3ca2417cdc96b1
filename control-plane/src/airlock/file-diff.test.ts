import { describe, expect, it } from 'vitest';
import { diffFiles } from './file-diff.ts';

const b = (s: string) => Buffer.from(s);

describe('diffFiles', () => {
  it('identical bytes are identical, whatever the type', () => {
    expect(diffFiles(Buffer.from([0, 1, 2]), Buffer.from([0, 1, 2]), null)).toEqual({ kind: 'identical' });
  });

  it('binary files that differ are not compared', () => {
    expect(diffFiles(Buffer.from([0, 1]), Buffer.from([0, 2]), null)).toEqual({
      kind: 'not-compared',
      detail: 'the files differ; only text files up to 4 MiB are compared line by line',
    });
  });

  it('a table of the same shape compares cell by cell, quoted fields included', () => {
    expect(diffFiles(b('k,n\n"a, b",10\nc,20\n'), b('k,n\n"a, b",15\nd,20\n'), ',')).toEqual({
      kind: 'cells',
      changed: [
        { row: 1, column: 'n', before: '10', after: '15' },
        { row: 2, column: 'k', before: 'c', after: 'd' },
      ],
      truncated: false,
    });
  });

  it('lists at most 500 changed cells and says it cut the list short', () => {
    const table = (v: number) => `k,n\n${Array.from({ length: 600 }, (_, i) => `r${i},${v}`).join('\n')}\n`;
    const diff = diffFiles(b(table(1)), b(table(2)), ',');
    expect(diff.kind === 'cells' && [diff.changed.length, diff.truncated]).toEqual([500, true]);
  });

  it('text longer than the line limit is not compared line by line', () => {
    const long = (x: string) => `${Array.from({ length: 1501 }, () => x).join('\n')}`;
    expect(diffFiles(b(long('a')), b(long('b')), null)).toEqual({
      kind: 'not-compared',
      detail: 'the files differ; files of more than 1500 lines are not compared line by line',
    });
  });
});
