/**
 * A file's type from its content (magic bytes, then text structure), never
 * from its name: `results.csv` that is a zip is a zip.
 */

export type FileKind = 'csv' | 'json' | 'notebook' | 'text' | 'image' | 'pdf' | 'archive' | 'compressed' | 'data' | 'executable' | 'binary';

export interface FileType {
  kind: FileKind;
  /** Media type, e.g. `text/csv`, `application/zip`. */
  mime: string;
}

const MAGIC: Array<{ at?: number; bytes: number[] | string; type: FileType }> = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: { kind: 'image', mime: 'image/png' } },
  { bytes: [0xff, 0xd8, 0xff], type: { kind: 'image', mime: 'image/jpeg' } },
  { bytes: 'GIF87a', type: { kind: 'image', mime: 'image/gif' } },
  { bytes: 'GIF89a', type: { kind: 'image', mime: 'image/gif' } },
  { bytes: [0x49, 0x49, 0x2a, 0x00], type: { kind: 'image', mime: 'image/tiff' } },
  { bytes: [0x4d, 0x4d, 0x00, 0x2a], type: { kind: 'image', mime: 'image/tiff' } },
  { at: 8, bytes: 'WEBP', type: { kind: 'image', mime: 'image/webp' } },
  { bytes: '%PDF-', type: { kind: 'pdf', mime: 'application/pdf' } },
  { bytes: [0x50, 0x4b, 0x03, 0x04], type: { kind: 'archive', mime: 'application/zip' } },
  { bytes: [0x50, 0x4b, 0x05, 0x06], type: { kind: 'archive', mime: 'application/zip' } },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], type: { kind: 'archive', mime: 'application/x-7z-compressed' } },
  { bytes: 'Rar!\x1a\x07', type: { kind: 'archive', mime: 'application/vnd.rar' } },
  { at: 257, bytes: 'ustar', type: { kind: 'archive', mime: 'application/x-tar' } },
  { bytes: [0x1f, 0x8b], type: { kind: 'compressed', mime: 'application/gzip' } },
  { bytes: 'BZh', type: { kind: 'compressed', mime: 'application/x-bzip2' } },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], type: { kind: 'compressed', mime: 'application/x-xz' } },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], type: { kind: 'compressed', mime: 'application/zstd' } },
  { bytes: [0x04, 0x22, 0x4d, 0x18], type: { kind: 'compressed', mime: 'application/x-lz4' } },
  { bytes: 'PAR1', type: { kind: 'data', mime: 'application/vnd.apache.parquet' } },
  { bytes: 'SQLite format 3\0', type: { kind: 'data', mime: 'application/vnd.sqlite3' } },
  { bytes: 'ARROW1', type: { kind: 'data', mime: 'application/vnd.apache.arrow.file' } },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], type: { kind: 'executable', mime: 'application/x-elf' } },
  { bytes: 'MZ', type: { kind: 'executable', mime: 'application/vnd.microsoft.portable-executable' } },
];

function matches(buf: Uint8Array, at: number, bytes: number[] | string): boolean {
  const want = typeof bytes === 'string' ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
  if (buf.length < at + want.length) return false;
  return want.every((b, i) => buf[at + i] === b);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes text; `null` when the bytes are not NUL-free UTF-8 (a binary file). */
export function decodeText(buf: Uint8Array): string | null {
  if (buf.includes(0)) return null;
  try {
    return utf8.decode(buf);
  } catch {
    return null;
  }
}

export function detectType(buf: Uint8Array, text: string | null = decodeText(buf)): FileType {
  for (const m of MAGIC) if (matches(buf, m.at ?? 0, m.bytes)) return m.type;
  if (text === null) return { kind: 'binary', mime: 'application/octet-stream' };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value = JSON.parse(text) as unknown;
      const nb = value as { cells?: unknown; nbformat?: unknown } | null;
      if (nb && typeof nb === 'object' && Array.isArray(nb.cells) && typeof nb.nbformat === 'number') {
        return { kind: 'notebook', mime: 'application/x-ipynb+json' };
      }
      return { kind: 'json', mime: 'application/json' };
    } catch {
      // not JSON: fall through
    }
  }
  if (looksLikeSvg(trimmed)) return { kind: 'image', mime: 'image/svg+xml' };
  if (csvDelimiter(text) !== null) return { kind: 'csv', mime: 'text/csv' };
  return { kind: 'text', mime: 'text/plain' };
}

/**
 * An SVG document: an optional XML declaration, comments and white space, then `<svg`
 * followed by white space or `>`. Scanned by hand, each character looked at a bounded number
 * of times: the regular expression this replaces (`(<!--[\s\S]*?-->\s*)*<svg`) backtracked
 * exponentially on repeated comments without a closing `<svg` (20 s for 197 bytes).
 */
export function looksLikeSvg(text: string): boolean {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  if (text.slice(0, 5).toLowerCase() === '<?xml') {
    const end = text.indexOf('>', 5);
    if (end < 0) return false;
    i = end + 1;
    skipSpace();
  }
  while (text.startsWith('<!--', i)) {
    const end = text.indexOf('-->', i + 4);
    if (end < 0) return false;
    i = end + 3;
    skipSpace();
  }
  return text.slice(i, i + 4).toLowerCase() === '<svg' && i + 4 < text.length && (text[i + 4] === '>' || /\s/.test(text[i + 4]!));
}

/**
 * The delimiter when the text looks like a delimited table: at least two
 * lines, every one of the first lines with the same non-zero number of
 * delimiters (outside quotes).
 */
export function csvDelimiter(text: string): string | null {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .slice(0, 20);
  if (lines.length < 2) return null;
  for (const d of [',', ';', '\t']) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    if (counts[0]! > 0 && counts.every((c) => c === counts[0])) return d;
  }
  return null;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === d && !quoted) n++;
  }
  return n;
}
