/**
 * Does an exported regression output hold the model the airlock recomputed? The file is room
 * content, read as text and never trusted: in a CSV each line whose first field names a parameter
 * (`const` or patsy's `Intercept`, `x1`, `C(g)[T.b]`) gives its coefficient in the `coef` column
 * (`Coef.`, `coef`, `estimate`, or else the second); a JSON file gives them as `{"params": {name:
 * {coef} | number}}` (the check's own report) or `{name: number}` (`results.params.to_json()`).
 * A coefficient matches when it equals the recomputed one as far as the file prints it (half a
 * unit of its last digit; statsmodels' summaries print four decimals) or to 1e-6 relative.
 * A file that names no parameter does not match: a reviewer looks at it.
 */
import type { RegressionReport } from '../disclosure/index.ts';
import type { KindMatch } from './schemas.ts';

/** Lines and entries read at most: a regression table is short, a longer file is not one. */
const MAX_LINES = 10_000;
/**
 * A printed number. Unambiguous (`\d+(\.\d*)?`, not `\d+\.?\d*`, which splits a run of digits
 * two ways and backtracks quadratically on a long field that does not end as a number).
 */
const NUMBER = /^[+-]?(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
/** statsmodels prints a coefficient in a dozen characters; a longer field is not one. */
const MAX_NUMBER_CHARS = 64;

export function matchRegression(bytes: Buffer, contentKind: string, report: RegressionReport): KindMatch | null {
  const text = bytes.toString('utf8');
  let found: Map<string, string> | null;
  if (contentKind === 'csv') found = fromCsv(text);
  else if (contentKind === 'json') found = fromJson(text);
  else return null;
  if (found === null) return null;
  const mismatched: string[] = [];
  let compared = 0;
  for (const [name, param] of Object.entries(report.params)) {
    const printed = found.get(name);
    if (printed === undefined) continue;
    compared++;
    if (!agrees(printed, param.coef)) mismatched.push(name);
  }
  return { matches: compared > 0 && mismatched.length === 0, compared, mismatched };
}

/** Equal as far as `printed` goes: within half its last digit, or 1e-6 relative. */
function agrees(printed: string, value: number): boolean {
  const text = printed.trim();
  if (text.length > MAX_NUMBER_CHARS) return false;
  const m = NUMBER.exec(text);
  if (!m) return false;
  const decimals = (m[1]!.split('.')[1] ?? '').length;
  const exponent = m[2] ? Number(m[2].slice(1)) : 0;
  const unit = 0.5 * 10 ** (exponent - decimals);
  const diff = Math.abs(Number(printed) - value);
  return diff <= unit * (1 + 1e-9) || diff <= 1e-6 * Math.abs(value);
}

const canonical = (name: string) => (name === 'Intercept' ? 'const' : name);

function fromCsv(text: string): Map<string, string> {
  const lines = text.split(/\r?\n/, MAX_LINES).map(fields);
  const header = lines[0] ?? [];
  let coef = header.findIndex((h) => /^(coef\.?|coefficient|estimate)$/i.test(h.trim()));
  if (coef < 1) coef = 1;
  const found = new Map<string, string>();
  for (const row of lines) {
    const name = row[0]?.trim();
    const value = row[coef]?.trim();
    if (name && value !== undefined && NUMBER.test(value) && !found.has(canonical(name))) found.set(canonical(name), value);
  }
  return found;
}

/** One CSV line's fields, with RFC 4180 quotes. */
function fields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

function fromJson(text: string): Map<string, string> | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const params = (doc as Record<string, unknown>).params;
  const entries = Object.entries(typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : (doc as Record<string, unknown>));
  const found = new Map<string, string>();
  for (const [name, v] of entries.slice(0, MAX_LINES)) {
    const coef = typeof v === 'number' ? v : typeof v === 'object' && v !== null ? (v as Record<string, unknown>).coef : undefined;
    // A JSON number is exact as written: compared to 1e-6 relative, or as far as its shortest form prints it.
    if (typeof coef === 'number' && Number.isFinite(coef)) found.set(canonical(name), String(coef));
  }
  return found;
}
