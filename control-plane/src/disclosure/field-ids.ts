/**
 * Identity numbers next to a comma, which `scanText` passes over to spare decimal commas: the
 * airlock's tightening (see exports/file-checks.ts), run with the engine's scan so that it too
 * happens on the scan worker, within the scan's time budget.
 */
import type { FileCheckResult, FileFinding } from './file-result.ts';
import { isNationalIdNumber } from './text-scan.ts';

/** Like the engine's pattern, but a comma on either side is a field separator, not a decimal comma. */
const FIELD_ID = /(?<![\d.])(\d{6})[ ]?(\d{5})(?!\d|\.\d)/g;

/** Identity numbers next to a comma, which the engine's scan passes over (see above). */
export function addFieldSeparatedIds(result: FileCheckResult, bytes: Buffer): void {
  if (!['csv', 'json', 'notebook', 'text'].includes(result.type.kind)) return;
  const seen = new Set(
    result.findings.filter((f) => f.check === 'national-id').map((f) => `${(f as { line: number }).line}:${(f as { value: string }).value}`),
  );
  const added: FileFinding[] = [];
  bytes
    .toString('utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      for (const m of line.matchAll(FIELD_ID)) {
        const finding = { check: 'national-id' as const, line: i + 1, value: `${m[1]}*****` };
        if (!isNationalIdNumber(m[1]! + m[2]!) || seen.has(`${finding.line}:${finding.value}`)) continue;
        added.push(finding);
      }
    });
  if (added.length === 0) return;
  result.findings.push(...added);
  result.counts['national-id'] = (result.counts['national-id'] ?? 0) + added.length;
  if (result.status === 'pass' || result.status === 'manual-review') result.status = 'review';
}
