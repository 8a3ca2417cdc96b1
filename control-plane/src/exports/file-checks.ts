/**
 * Content checks on one staged file (issue 5 item 3), as the airlock needs them.
 *
 * The output-checks context does not (yet) export file checks, so the airlock keeps its own
 * here, on the same policy keys (`files.*`). Findings never repeat the personal data they
 * found: a national identity number is reported by line and column with all but two digits
 * masked.
 *   - size over `maxFileBytes`: fail;
 *   - archives and compressed files: fail, or manual review when the policy allows them (never unpacked);
 *   - text, CSV, JSON and notebooks: national identity numbers (11 digits, valid check digits): fail;
 *     the project's pseudonyms: fail; CSV cells holding a count from 1 to threshold − 1: review;
 *   - images, PDFs, Parquet and anything else: manual review, marked as such; executables: fail.
 */
import { isValidFnr } from '../data-copies/index.ts';
import type { FileRules } from '../policies/index.ts';
import { ARCHIVES, TEXTUAL, csvSeparator, detectContentType, splitCsvLine, type ContentType } from './content-type.ts';

export type CheckStatus = 'pass' | 'review' | 'fail';

export interface FileFinding {
  rule: 'size' | 'archive' | 'executable' | 'national-id' | 'pseudonym' | 'small-count' | 'manual-review';
  status: 'review' | 'fail';
  message: string;
  /** 1-based line and column of the first occurrences (at most 20). */
  at?: Array<{ line: number; column: number; masked?: string }>;
  count?: number;
}

export interface FileCheckResult {
  type: ContentType;
  status: CheckStatus;
  findings: FileFinding[];
}

export interface FileCheckOptions {
  rules: FileRules;
  /** Threshold of the table rules: CSV integers below it count as small. */
  threshold: number;
  /** Which of the candidate numbers are pseudonyms of the project; absent: no pseudonym scan. */
  pseudonymsAmong?: (candidates: string[]) => Promise<Set<string>>;
  /** Imports: scan for identity numbers but not for small counts or pseudonyms. */
  direction: 'export' | 'import';
}

const MAX_AT = 20;

export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let w: CheckStatus = 'pass';
  for (const s of statuses) if (s === 'fail' || (s === 'review' && w === 'pass')) w = s;
  return w;
}

export async function checkFileContent(bytes: Uint8Array, opts: FileCheckOptions): Promise<FileCheckResult> {
  const { type, text } = detectContentType(bytes);
  const findings: FileFinding[] = [];
  const rules = opts.rules;
  if (bytes.length > rules.maxFileBytes) {
    findings.push({ rule: 'size', status: 'fail', message: `${bytes.length} bytes is over the limit of ${rules.maxFileBytes}` });
  }
  if (ARCHIVES.has(type)) {
    findings.push(rules.allowArchives
      ? { rule: 'archive', status: 'review', message: `${type} archive: not unpacked; a reviewer must inspect its content` }
      : { rule: 'archive', status: 'fail', message: `${type} archives and compressed files are refused by the policy` });
  } else if (type === 'executable') {
    findings.push({ rule: 'executable', status: 'fail', message: 'executable programs are refused' });
  } else if (text !== null && TEXTUAL.has(type)) {
    if (rules.scanNationalIds) findings.push(...scanNationalIds(text));
    if (opts.direction === 'export') {
      if (rules.scanPseudonyms && opts.pseudonymsAmong) findings.push(...(await scanPseudonyms(text, opts.pseudonymsAmong)));
      if (rules.scanSmallCounts && type === 'csv') findings.push(...scanSmallCounts(text, opts.threshold));
    }
  } else if (opts.direction === 'export') {
    findings.push({ rule: 'manual-review', status: 'review', message: `${type} content cannot be checked automatically: manual review` });
  }
  return { type, status: worstStatus(findings.map((f) => f.status)), findings };
}

function positionOf(text: string, index: number, lineStarts: number[]): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: index - lineStarts[lo]! + 1 };
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 11 digits (optionally written 6 + space + 5) not part of a longer number, with valid check digits. */
export function scanNationalIds(text: string): FileFinding[] {
  const starts = lineStartsOf(text);
  const at: NonNullable<FileFinding['at']> = [];
  let count = 0;
  for (const m of text.matchAll(/(?<![\d.])(\d{6})[ ]?(\d{5})(?![\d])/g)) {
    const fnr = m[1]! + m[2]!;
    if (!isValidFnr(fnr)) continue;
    count++;
    if (at.length < MAX_AT) at.push({ ...positionOf(text, m.index, starts), masked: `${'*'.repeat(9)}${fnr.slice(9)}` });
  }
  return count === 0 ? [] : [{ rule: 'national-id', status: 'fail', message: `${count} national identity number(s) with valid check digits`, at, count }];
}

async function scanPseudonyms(text: string, among: (c: string[]) => Promise<Set<string>>): Promise<FileFinding[]> {
  const matches = [...text.matchAll(/(?<![\d.])\d{6,20}(?![\d.])/g)];
  if (matches.length === 0) return [];
  const found = await among([...new Set(matches.map((m) => m[0]))]);
  if (found.size === 0) return [];
  const starts = lineStartsOf(text);
  const hits = matches.filter((m) => found.has(m[0]));
  return [{
    rule: 'pseudonym', status: 'fail', message: `${hits.length} occurrence(s) of the project's pseudonyms`,
    at: hits.slice(0, MAX_AT).map((m) => positionOf(text, m.index, starts)), count: hits.length,
  }];
}

/** Integers from 1 to threshold − 1 in a CSV's cells (the header row and the first column are labels). */
export function scanSmallCounts(text: string, threshold: number): FileFinding[] {
  const sepChar = csvSeparator(text);
  const lines = text.split(/\r?\n/);
  const at: NonNullable<FileFinding['at']> = [];
  let count = 0;
  lines.forEach((line, i) => {
    if (i === 0 || line === '') return;
    const fields = splitCsvLine(line, sepChar);
    let column = fields[0]!.length + 2;
    for (const field of fields.slice(1)) {
      const v = field.trim();
      if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) < threshold) {
        count++;
        if (at.length < MAX_AT) at.push({ line: i + 1, column });
      }
      column += field.length + 1;
    }
  });
  return count === 0 ? [] : [{ rule: 'small-count', status: 'review', message: `${count} cell(s) hold a count below ${threshold}`, at, count }];
}
