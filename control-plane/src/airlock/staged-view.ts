/**
 * A staged export file as its reviewers read it (issue 16 item 1): the server parses the staged,
 * hash-verified bytes into a bounded JSON view, and the web UI renders that view. Nothing of the
 * file's own markup reaches the platform's pages: a table is cells, a notebook is cells of plain
 * text with raster images as base64 (never its HTML, JavaScript or SVG outputs), text is text.
 *
 *   - CSV and Parquet: the first `VIEW_ROWS` rows, read by DuckDB (one thread, `VIEW_MEMORY`,
 *     interrupted after `VIEW_BUDGET_MS`) from a private copy of the verified bytes, and the
 *     summary OpenSAFELY's airlock shows its output checkers per numeric column: minimum,
 *     non-zero minimum, sum, and whether every value is a multiple of 5 (issue 13 item 8);
 *   - notebooks: at most `MAX_CELLS` cells, `MAX_TEXT` characters per source or output;
 *   - text (and SVG, as its source): the first `MAX_TEXT_BYTES`; raster images: named, shown from
 *     the content route.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lit, openDuck } from '../data-copies/index.ts';
import type { AirlockFile, ColumnSummary, StagedFileView } from './schemas.ts';

export const VIEW_ROWS = 200;
const VIEW_MEMORY = '256MB';
const VIEW_BUDGET_MS = 10_000;
const MAX_CELLS = 500;
const MAX_TEXT = 20_000;
const MAX_TEXT_BYTES = 256 * 1024;
const MAX_IMAGE_BASE64 = 2 * 1024 * 1024;
const RASTER = ['image/png', 'image/jpeg', 'image/gif'] as const;

export async function stagedFileView(file: AirlockFile, bytes: Buffer): Promise<StagedFileView> {
  const mime = file.checks.file.type.mime;
  switch (file.contentType) {
    case 'csv':
      return tableView(bytes, 'csv');
    case 'data':
      if (mime === 'application/vnd.apache.parquet') return tableView(bytes, 'parquet');
      return { kind: 'none', detail: `${mime} is shown only as its check results` };
    case 'notebook':
      return notebookView(bytes);
    case 'text':
    case 'json':
      return textView(bytes);
    case 'image':
      // An SVG is a document that can carry script: its reviewers read its source, never render it.
      if (mime === 'image/svg+xml') return textView(bytes);
      return { kind: 'image', mime };
    default:
      return { kind: 'none', detail: `${mime} is shown only as its check results` };
  }
}

function textView(bytes: Buffer): StagedFileView {
  return { kind: 'text', text: bytes.subarray(0, MAX_TEXT_BYTES).toString('utf8'), truncated: bytes.length > MAX_TEXT_BYTES };
}

type Cell = string | number | boolean | null;
const cellOf = (v: unknown): Cell => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return String(v);
};
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;

async function tableView(bytes: Buffer, format: 'csv' | 'parquet'): Promise<StagedFileView> {
  const dir = await mkdtemp(join(tmpdir(), 'tre-view-'));
  const duck = await openDuck({ threads: 1, memoryLimit: VIEW_MEMORY });
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    duck.conn.interrupt();
  }, VIEW_BUDGET_MS);
  try {
    const path = join(dir, 'staged');
    await writeFile(path, bytes, { mode: 0o600 });
    const relation =
      format === 'parquet'
        ? `read_parquet(${lit(path)})`
        : `read_csv(${lit(path)}, auto_type_candidates = ['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR'])`;
    let described: unknown[][];
    try {
      described = (await duck.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowsJS();
    } catch {
      return { kind: 'none', detail: `the ${format === 'csv' ? 'CSV' : 'Parquet'} file could not be read as a table` };
    }
    const columns = described.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
    const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
    const rows = (await duck.conn.runAndReadAll(`SELECT * FROM ${relation} LIMIT ${VIEW_ROWS}`)).getRowsJS().map((r) => r.map(cellOf));
    const numeric = columns.filter((c) => NUMERIC.test(c.type));
    const parts = numeric.flatMap((c) => {
      const x = `CAST(${q(c.name)} AS DOUBLE)`;
      return [`min(${x})`, `min(${x}) FILTER (WHERE ${x} <> 0)`, `sum(${x})`, `coalesce(bool_and(${x} % 5 = 0), true)`, `count(*) - count(${x})`];
    });
    const agg = (await duck.conn.runAndReadAll(`SELECT count(*)${parts.map((p) => `, ${p}`).join('')} FROM ${relation}`)).getRowsJS()[0] ?? [0];
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const summary: ColumnSummary[] = numeric.map((c, i) => ({
      column: c.name,
      min: num(agg[1 + i * 5]),
      nonZeroMin: num(agg[2 + i * 5]),
      sum: num(agg[3 + i * 5]),
      roundedTo5: agg[4 + i * 5] === true,
      missing: Number(agg[5 + i * 5]),
    }));
    const totalRows = Number(agg[0]);
    return { kind: 'table', format, columns, rows, totalRows, truncated: totalRows > rows.length, summary };
  } catch (err) {
    if (late) return { kind: 'none', detail: `the table view took longer than ${VIEW_BUDGET_MS / 1000} s` };
    throw err;
  } finally {
    clearTimeout(timer);
    duck.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const joined = (s: unknown): string => (Array.isArray(s) ? s.map(String).join('') : typeof s === 'string' ? s : '');
const bounded = (s: string) => ({ text: s.slice(0, MAX_TEXT), truncated: s.length > MAX_TEXT });
/** Terminal colour codes in tracebacks. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

type NotebookView = Extract<StagedFileView, { kind: 'notebook' }>;
type Output = NotebookView['cells'][number]['outputs'][number];

function notebookView(bytes: Buffer): StagedFileView {
  const nb = JSON.parse(bytes.toString('utf8')) as { cells?: unknown };
  const cells = Array.isArray(nb.cells) ? nb.cells : [];
  return {
    kind: 'notebook',
    truncated: cells.length > MAX_CELLS,
    cells: cells.slice(0, MAX_CELLS).map((raw) => {
      const cell = (raw && typeof raw === 'object' ? raw : {}) as { cell_type?: unknown; source?: unknown; outputs?: unknown };
      const outputs = Array.isArray(cell.outputs) ? cell.outputs.slice(0, 50).map(outputOf) : [];
      return { type: typeof cell.cell_type === 'string' ? cell.cell_type : 'raw', source: bounded(joined(cell.source)).text, outputs };
    }),
  };
}

function outputOf(raw: unknown): Output {
  const out = (raw && typeof raw === 'object' ? raw : {}) as {
    output_type?: unknown;
    text?: unknown;
    data?: unknown;
    ename?: unknown;
    evalue?: unknown;
    traceback?: unknown;
  };
  if (out.output_type === 'stream') return { kind: 'text', ...bounded(joined(out.text)) };
  if (out.output_type === 'error') {
    const trace = Array.isArray(out.traceback) ? joined(out.traceback.map((l) => `${String(l)}\n`)) : `${String(out.ename)}: ${String(out.evalue)}`;
    return { kind: 'error', text: bounded(trace.replace(ANSI, '')).text };
  }
  const data = (out.data && typeof out.data === 'object' ? out.data : {}) as Record<string, unknown>;
  for (const mime of RASTER) {
    const b64 = joined(data[mime]).replace(/\s+/g, '');
    if (b64 && b64.length <= MAX_IMAGE_BASE64 && /^[A-Za-z0-9+/]+=*$/.test(b64)) return { kind: 'image', mime, base64: b64 };
  }
  if ('text/plain' in data) return { kind: 'text', ...bounded(joined(data['text/plain'])) };
  return { kind: 'omitted', mimes: Object.keys(data).slice(0, 20) };
}

/**
 * The headers a staged file's raw bytes are sent with, so they can never run in the platform's
 * origin: a content type fixed by our detection (raster images as themselves, text as plain text,
 * everything else, SVG included, as bytes), no sniffing, a sandbox with nothing allowed, and a
 * disposition that makes a browser that navigates to it save it rather than show it (images
 * inline, for the review page's `<img>`).
 */
export function contentHeaders(file: AirlockFile): Record<string, string> {
  const mime = file.checks.file.type.mime;
  const raster = (RASTER as readonly string[]).includes(mime) || mime === 'image/webp';
  const textual = ['csv', 'text', 'json', 'notebook'].includes(file.contentType);
  const type = raster ? mime : textual ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  const base = (file.name.split('/').at(-1) ?? file.id).replace(/[^A-Za-z0-9._-]/g, '_');
  return {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    'content-disposition': `${raster ? 'inline' : 'attachment'}; filename="${base}"`,
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    'x-content-sha256': file.sha256,
  };
}
