import { describe, expect, it } from 'vitest';
import type { FileRules } from '../policies/index.ts';
import { ROW_LEVEL_MIN_ROWS } from './csv-shape.ts';
import { checkFileBytes, FileCheckResultSchema } from './index.ts';

const rules: FileRules = {
  maxFileBytes: 1_000_000,
  maxRequestBytes: 5_000_000,
  allowArchives: false,
  maxUnpackedBytes: 100_000,
  scanNationalIds: true,
  scanPseudonyms: false,
  scanSmallCounts: true,
  scanBudgetMs: 10_000,
};
const check = (csv: string) => checkFileBytes('out.csv', Buffer.from(csv), { rules, tableThreshold: 10 });
const lines = (header: string, n: number, row: (i: number) => string) => `${header}\n${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;

describe('row-level data', () => {
  it("is one finding, 'row-level data: 718 rows', for a CSV with a person id column, not a small count per line", () => {
    const csv = lines('person_id,age,sex,visits', 718, (i) => `${100000 + i},${20 + (i % 60)},${1 + (i % 2)},${i % 7}`);
    const result = check(csv);
    expect(FileCheckResultSchema.parse(result)).toEqual(result);
    expect(result.status).toBe('review');
    expect(result.findings).toEqual([{ check: 'row-level', message: "row-level data: 718 rows (column 'person_id' identifies records)", rows: 718 }]);
    expect(result.counts).toEqual({});
  });

  it('is found without an id column when label combinations repeat and no column is an aggregate', () => {
    const csv = lines('sex,diagnosis,income', 60, (i) => `${1 + (i % 2)},E11,${300000 + i * 17}`);
    expect(check(csv).findings).toEqual([
      { check: 'row-level', message: 'row-level data: 60 rows (label combinations repeat: records, not an aggregated table)', rows: 60 },
    ]);
  });

  it('is found from a column of distinct pseudonyms', () => {
    const csv = lines('who,score', 80, (i) => `PX-${(0x7f3a00 + i).toString(16)},${i % 5}`);
    expect(check(csv).findings).toMatchObject([{ check: 'row-level', message: "row-level data: 80 rows (column 'who' identifies records)" }]);
  });

  it(`is not claimed below ${ROW_LEVEL_MIN_ROWS} rows: the small counts of a short file are reported by line`, () => {
    const csv = lines('person_id,visits', ROW_LEVEL_MIN_ROWS - 1, (i) => `${100000 + i},${i === 0 ? 3 : 12}`);
    expect(check(csv).findings).toEqual([{ check: 'small-count', line: 2, value: '3', column: 'visits' }]);
  });

  it('is not claimed for an aggregated table with one row per municipality, even with many rows', () => {
    const csv = lines('kommune_nr,kommune,antall', 356, (i) => `${1000 + i},Kommune ${i},${20 + i}`);
    const result = check(csv);
    expect(result.status).toBe('pass');
    expect(result.findings).toEqual([]);
  });
});

describe('category codes are not small counts', () => {
  it('skips integers in a code column named as one, and still reports the counts beside them', () => {
    const result = check('region_code,sex,n\n1,1,40\n2,2,3\n3,1,25\n');
    expect(result.findings).toEqual([{ check: 'small-count', line: 3, value: '3', column: 'n' }]);
  });

  it('skips a column holding ICD-10 or ATC codes, whatever its name', () => {
    const result = check('dx,n\nC50,40\nE11,12\n8,30\n');
    expect(result.findings).toEqual([]);
    expect(check('atc,n\nA10BA02,40\n5,12\n').findings).toEqual([]);
  });

  it('still reports small integers in a column that is neither named nor shaped as codes', () => {
    expect(check('label,n\nx,4\ny,40\n').findings).toEqual([{ check: 'small-count', line: 2, value: '4', column: 'n' }]);
  });
});
