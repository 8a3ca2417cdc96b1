/**
 * A file's type by its content, never by its name: magic numbers for the binary formats the
 * airlock knows, then text (valid UTF-8 without NUL) told apart into notebook, JSON, CSV and
 * plain text. A renamed zip is a zip.
 */
export type ContentType =
  | 'text' | 'csv' | 'json' | 'notebook'
  | 'parquet' | 'png' | 'jpeg' | 'gif' | 'pdf' | 'svg'
  | 'zip' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | '7z' | 'rar' | 'tar'
  | 'executable' | 'binary';

export const ARCHIVES: ReadonlySet<ContentType> = new Set(['zip', 'gzip', 'bzip2', 'xz', 'zstd', '7z', 'rar', 'tar']);
export const TEXTUAL: ReadonlySet<ContentType> = new Set(['text', 'csv', 'json', 'notebook', 'svg']);

const MAGIC: Array<[ContentType, number[], number?]> = [
  ['parquet', [0x50, 0x41, 0x52, 0x31]],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]],
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['zip', [0x50, 0x4b, 0x05, 0x06]],
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['rar', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
  ['executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['tar', [0x75, 0x73, 0x74, 0x61, 0x72], 257],
];

export function detectContentType(bytes: Uint8Array): { type: ContentType; text: string | null } {
  for (const [type, magic, offset = 0] of MAGIC) {
    if (bytes.length >= offset + magic.length && magic.every((b, i) => bytes[offset + i] === b)) return { type, text: null };
  }
  if (bytes.includes(0)) return { type: 'binary', text: null };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { type: 'binary', text: null };
  }
  const trimmed = text.trimStart();
  if (/^(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(trimmed)) return { type: 'svg', text };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const doc = JSON.parse(text) as unknown;
      const nb = typeof doc === 'object' && doc !== null && 'cells' in doc && 'nbformat' in doc;
      return { type: nb ? 'notebook' : 'json', text };
    } catch {
      // not JSON: fall through
    }
  }
  return { type: looksLikeCsv(text) ? 'csv' : 'text', text };
}

/** At least two lines with the same number (> 1) of comma, semicolon or tab separated fields. */
function looksLikeCsv(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0).slice(0, 20);
  if (lines.length < 2) return false;
  for (const sepChar of [',', ';', '\t']) {
    const counts = lines.map((l) => splitCsvLine(l, sepChar).length);
    if (counts[0]! > 1 && counts.every((c) => c === counts[0])) return true;
  }
  return false;
}

export function csvSeparator(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  return [',', ';', '\t'].map((s) => [s, splitCsvLine(first, s).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
}

/** One CSV line into fields (RFC 4180 quotes; no embedded newlines). */
export function splitCsvLine(line: string, sepChar: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sepChar) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
