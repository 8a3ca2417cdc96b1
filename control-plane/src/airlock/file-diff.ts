/**
 * How a staged file differs from the same output approved earlier (issue 13 item 8), so that a
 * routine re-run on a new copy version is reviewed as its differences. Bounded: tables of one
 * shape (same header, same number of rows) compare cell by cell, listing at most `MAX_CHANGES`;
 * other text compares line by line (longest common subsequence) for files of at most
 * `MAX_LINES` lines each, listing at most `MAX_ENTRIES` (removed lines before added ones, as
 * `diff -u` shows them); binary files only as identical or not.
 */
import { parseCsv } from '../disclosure/index.ts';
import type { FileDiff } from './schemas.ts';

const MAX_CHANGES = 500;
const MAX_LINES = 1500;
const MAX_ENTRIES = 2000;
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
function text(bytes: Buffer): string | null {
  if (bytes.length > MAX_TEXT_BYTES || bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

export function diffFiles(before: Buffer, after: Buffer, csvDelimiter: string | null): FileDiff {
  if (before.equals(after)) return { kind: 'identical' };
  const a = text(before);
  const b = text(after);
  if (a === null || b === null) return { kind: 'not-compared', detail: 'the files differ; only text files up to 4 MiB are compared line by line' };
  if (csvDelimiter !== null) {
    const cells = diffCells(a, b, csvDelimiter);
    if (cells) return cells;
  }
  return diffLines(a.split(/\r?\n/), b.split(/\r?\n/));
}

function diffCells(a: string, b: string, delimiter: string): FileDiff | null {
  const ra = parseCsv(a, delimiter);
  const rb = parseCsv(b, delimiter);
  const header = ra[0]?.cells ?? [];
  if (ra.length !== rb.length || JSON.stringify(header) !== JSON.stringify(rb[0]?.cells ?? [])) return null;
  const changed: Extract<FileDiff, { kind: 'cells' }>['changed'] = [];
  let total = 0;
  for (let r = 1; r < ra.length; r++) {
    const x = ra[r]!.cells;
    const y = rb[r]!.cells;
    for (let c = 0; c < Math.max(x.length, y.length); c++) {
      if ((x[c] ?? '') === (y[c] ?? '')) continue;
      total++;
      if (changed.length < MAX_CHANGES) changed.push({ row: r, column: header[c] ?? String(c + 1), before: x[c] ?? '', after: y[c] ?? '' });
    }
  }
  return { kind: 'cells', changed, truncated: total > changed.length };
}

function diffLines(a: string[], b: string[]): FileDiff {
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return { kind: 'not-compared', detail: `the files differ; files of more than ${MAX_LINES} lines are not compared line by line` };
  }
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: longest common subsequence of a[i..] and b[j..], one row of m + 1 per i.
  const lcs = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const lines: Extract<FileDiff, { kind: 'lines' }>['lines'] = [];
  let total = 0;
  const push = (op: 'same' | 'add' | 'del', t: string) => {
    total++;
    if (lines.length < MAX_ENTRIES) lines.push({ op, text: t });
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      push('same', a[i]!);
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) push('del', a[i++]!);
    else push('add', b[j++]!);
  }
  return { kind: 'lines', lines, truncated: total > lines.length };
}
