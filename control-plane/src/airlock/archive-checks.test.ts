import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FileRules } from '../policies/index.ts';
import { checkFileContent } from './file-requests.ts';
import { fileChecksSchema, withheldFileCheckSchema } from './schemas.ts';
import { fileChecksForMember } from './table-answer.ts';

// A valid national identity number (check digits 8 and 0): see disclosure/file-check.test.ts.
const FNR = '01019012480';
// What the scan quotes of it: the birth date, the rest masked.
const QUOTED = '010190*****';

/** The default profile's file rules, with archives allowed (as a project override may). */
const rules: FileRules = {
  maxFileBytes: 1_000_000,
  maxRequestBytes: 5_000_000,
  allowArchives: true,
  maxUnpackedBytes: 100_000,
  scanNationalIds: true,
  scanPseudonyms: false,
  scanSmallCounts: false,
  scanBudgetMs: 10_000,
};

/** Every `value` anywhere in a result: what a check quotes of the file. */
function quotedValues(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(quotedValues);
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => (k === 'value' ? [x] : quotedValues(x)));
}

describe('an archive entry holding a national identity number', () => {
  const bytes = gzipSync(Buffer.from(`note about person ${FNR} in the sample\n`));

  it('fails the file, as the same number outside an archive does', async () => {
    const plain = await checkFileContent('notes.txt', Buffer.from(`note about person ${FNR} in the sample\n`), { rules, threshold: 10, direction: 'export' });
    const packed = await checkFileContent('notes.txt.gz', bytes, { rules, threshold: 10, direction: 'export' });
    expect(plain.status).toBe('fail');
    expect(packed.result.entries?.[0]?.findings).toEqual([{ check: 'national-id', line: 1, value: QUOTED }]);
    expect(packed.status).toBe('fail');
  });

  it('is not quoted to a member outside the room, in the entry either; the line stays', async () => {
    const checked = await checkFileContent('notes.txt.gz', bytes, { rules, threshold: 10, direction: 'export' });
    const full = { file: checked.result, fileStatus: checked.status, table: null };
    expect(quotedValues(fileChecksSchema.parse(full))).toEqual([QUOTED]);

    const shown = fileChecksForMember(full);
    expect(quotedValues(shown)).toEqual([]);
    expect(withheldFileCheckSchema.parse(shown.file).entries?.[0]?.findings).toEqual([{ check: 'national-id', line: 1 }]);
    expect(fileChecksSchema.parse(shown)).toEqual(shown);
  });
});
