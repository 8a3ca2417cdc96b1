/**
 * Scans of text outputs for what must not leave a room: Norwegian national
 * identity numbers (fødselsnummer, D- and H-numbers: 11 digits whose two
 * last are mod-11 check digits), the project's pseudonyms, and small counts
 * in CSV tables (or, for a CSV of records, one row-level finding). Findings carry a line number and, for identity numbers, a
 * masked value (the birth date only), so that the check record itself does
 * not hold the identifier.
 */
import { csvShape, rowLevelMessage } from './csv-shape.ts';
import { csvDelimiter } from './file-type.ts';

export type FindingCheck = 'national-id' | 'pseudonym' | 'small-count';

/** A CSV that is records, not a table (`csv-shape.ts`): one finding for the file, never one per line. */
export interface RowLevelFinding {
  check: 'row-level';
  message: string;
  rows: number;
}

export interface TextFinding {
  check: FindingCheck;
  /** 1-based line. */
  line: number;
  /** What was found: masked identity number, the pseudonym, or the count. */
  value: string;
  /** CSV column header, for small counts. */
  column?: string;
}

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function checkDigit(digits: number[], weights: number[]): number | null {
  const sum = weights.reduce((acc, w, i) => acc + w * digits[i]!, 0);
  const k = 11 - (sum % 11);
  return k === 11 ? 0 : k === 10 ? null : k;
}

/** True for 11 digits whose 10th and 11th are valid mod-11 check digits. */
export function isNationalIdNumber(text: string): boolean {
  if (!/^\d{11}$/.test(text)) return false;
  const d = [...text].map(Number);
  return checkDigit(d, W1) === d[9] && checkDigit(d, W2) === d[10];
}

/** Eleven digits, optionally written `DDMMYY NNNNN`, not part of a longer number. */
const ID_PATTERN = /(?<![\d.,])(\d{6})[ ]?(\d{5})(?![\d]|[.,]\d)/g;
const TOKEN = /[\p{L}\p{N}_-]+/gu;

export interface ScanOptions {
  nationalIds: boolean;
  pseudonyms?: ReadonlySet<string>;
  /** Flag integers from 1 to smallCountThreshold − 1 in CSV cells; null: off. */
  smallCountThreshold: number | null;
  csv: boolean;
  /** Findings kept per check (the total is still counted). */
  limit?: number;
}

export interface ScanResult {
  findings: Array<TextFinding | RowLevelFinding>;
  /** Findings per check, including those beyond the limit. */
  counts: Partial<Record<FindingCheck, number>>;
}

export function scanText(text: string, opts: ScanOptions): ScanResult {
  const limit = opts.limit ?? 100;
  const result: ScanResult = { findings: [], counts: {} };
  const add = (f: TextFinding | RowLevelFinding) => {
    if (f.check === 'row-level') {
      result.findings.push(f);
      return;
    }
    const n = (result.counts[f.check] ?? 0) + 1;
    result.counts[f.check] = n;
    if (n <= limit) result.findings.push(f);
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (opts.nationalIds) {
      for (const m of line.matchAll(ID_PATTERN)) {
        if (isNationalIdNumber(m[1]! + m[2]!)) add({ check: 'national-id', line: i + 1, value: `${m[1]}*****` });
      }
    }
    if (opts.pseudonyms && opts.pseudonyms.size > 0) {
      for (const m of line.matchAll(TOKEN)) {
        if (opts.pseudonyms.has(m[0])) add({ check: 'pseudonym', line: i + 1, value: m[0] });
      }
    }
  });
  if (opts.csv && opts.smallCountThreshold !== null) {
    for (const f of smallCounts(text, opts.smallCountThreshold)) add(f);
  }
  return result;
}

/**
 * Integer cells of a CSV table (below its header) from 1 to threshold − 1, except in columns of
 * category codes; a CSV of records instead gets the one row-level finding (`csv-shape.ts`).
 */
function smallCounts(text: string, threshold: number): Array<TextFinding | RowLevelFinding> {
  const delimiter = csvDelimiter(text);
  if (delimiter === null) return [];
  const rows = parseCsv(text, delimiter);
  const header = rows[0]?.cells ?? [];
  const body = rows.slice(1);
  const shape = csvShape(
    header,
    body.map((r) => r.cells),
  );
  if (shape.rowLevel) return [{ check: 'row-level', message: rowLevelMessage(shape.rowLevel), rows: shape.rowLevel.rows }];
  const out: TextFinding[] = [];
  for (const row of body) {
    row.cells.forEach((cell, c) => {
      if (shape.codeColumns.has(c)) return;
      const t = cell.trim();
      if (!/^\d+$/.test(t)) return;
      const v = Number(t);
      if (v >= 1 && v < threshold) out.push({ check: 'small-count', line: row.line, value: t, column: header[c] ?? String(c + 1) });
    });
  }
  return out;
}

/** RFC 4180 fields with quotes; each row keeps the line it starts on. */
export function parseCsv(text: string, delimiter: string): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      cells.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      cells.push(field);
      if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
      cells = [];
      field = '';
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (field !== '' || cells.length > 0) {
    cells.push(field);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}
