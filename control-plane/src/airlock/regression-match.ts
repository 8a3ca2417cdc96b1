/**
 * Does an exported regression output hold the model the airlock recomputed? The file is room
 * content, read as text and never trusted: in a CSV each line whose first field names a parameter
 * (`const` or patsy's `Intercept`, `x1`, `C(g)[T.b]`) gives its coefficient in the `coef` column
 * (`Coef.`, `coef`, `estimate`, or else the second); a JSON file gives them as `{"params": {name:
 * {coef} | number}}` (the check's own report) or `{name: number}` (`results.params.to_json()`).
 * A coefficient matches when it equals the recomputed one as far as the file prints it (half a
 * unit of its last digit; statsmodels' summaries print four decimals) or to 1e-6 relative.
 * A file that names no parameter does not match: a reviewer looks at it.
 *
 * A match also says the file holds nothing else: a coefficient table of the report's parameters
 * and their numbers. Every CSV line after the header names a parameter and carries numbers only,
 * under a header of the summary's own column names (statsmodels' `coef`, `std err`, `P>|t|`, the
 * interval's `[0.025`, R's `Estimate`, `Pr(>|t|)`, …); a JSON file names only parameters, each a
 * number or an object of numbers, and beside `params` only keys of the report holding the report's
 * values. Otherwise a file of the checked coefficients plus a column or a line of pseudonyms would
 * reach its reviewers marked "matches the checked model". What else it holds is listed in
 * `mismatched` by place (`line 3`, `key 2`), never by its content.
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

interface Read {
  found: Map<string, string>;
  /** Places in the file holding something other than the report's parameters and numbers. */
  extra: string[];
}

export function matchRegression(bytes: Buffer, contentKind: string, report: RegressionReport): KindMatch | null {
  const text = bytes.toString('utf8');
  const names = new Set(Object.keys(report.params));
  let read: Read | null;
  if (contentKind === 'csv') read = fromCsv(text, names);
  else if (contentKind === 'json') read = fromJson(text, names, report);
  else return null;
  if (read === null) return null;
  const { found, extra } = read;
  const mismatched: string[] = [];
  let compared = 0;
  for (const [name, param] of Object.entries(report.params)) {
    const printed = found.get(name);
    if (printed === undefined) continue;
    compared++;
    if (!agrees(printed, param.coef)) mismatched.push(name);
  }
  mismatched.push(...extra);
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

/** Column names of a coefficient table: statsmodels' `summary()`, `summary2()` and the helper's `to_csv()`, R's `coef(summary())` and broom's `tidy()`. */
const HEADER =
  /^(|name|names|param|parameter|variable|term|coef\.?|coefficient|estimate|std[ .]?err\.?|std\.? ?error|se|bse|[tz]|[tz] value|statistic|p|p-?value|p\.value|P>\|[tz]\||Pr\(>\|[tz]\|\)|\[?0\.025|0\.975\]?|conf\.(low|high)|lower|upper)$/i;
/** A number as pandas or R print one, or an empty or missing value. */
const CELL = /^([+-]?(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?|[+-]?inf|nan|na|)$/i;

function fromCsv(text: string, names: Set<string>): Read {
  const lines = text.split(/\r?\n/, MAX_LINES + 1).map(fields);
  const header = lines[0] ?? [];
  let coef = header.findIndex((h) => /^(coef\.?|coefficient|estimate)$/i.test(h.trim()));
  if (coef < 1) coef = 1;
  const found = new Map<string, string>();
  const extra: string[] = [];
  if (!header.every((h) => HEADER.test(h.trim()))) extra.push('line 1');
  if (lines.length > MAX_LINES) extra.push(`line ${MAX_LINES + 1}`);
  lines.slice(0, MAX_LINES).forEach((row, i) => {
    if (i === 0 || (row.length === 1 && row[0]!.trim() === '')) return;
    const name = canonical(row[0]?.trim() ?? '');
    if (!names.has(name) || row.length > header.length || !row.slice(1).every((f) => CELL.test(f.trim()))) {
      extra.push(`line ${i + 1}`);
      return;
    }
    const value = row[coef]?.trim();
    if (value !== undefined && NUMBER.test(value) && !found.has(name)) found.set(name, value);
  });
  return { found, extra };
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A parameter's entry: a number, or the report's own `{coef, se, t|z, p}` (numbers or null). */
const isEntry = (v: unknown) =>
  typeof v === 'number' ||
  (isRecord(v) && Object.entries(v).every(([k, x]) => ['coef', 'se', 't', 'z', 'p'].includes(k) && (x === null || typeof x === 'number')));

function fromJson(text: string, names: Set<string>, report: RegressionReport): Read | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(doc)) return null;
  const extra: string[] = [];
  const wrapped = isRecord(doc.params);
  if (wrapped) {
    // Beside the parameters, only the report's own keys with the report's own values.
    const own = report as unknown as Record<string, unknown>;
    Object.entries(doc).forEach(([key, value], i) => {
      if (key !== 'params' && (!(key in own) || JSON.stringify(value) !== JSON.stringify(own[key]))) extra.push(`key ${i + 1}`);
    });
  }
  const entries = Object.entries(wrapped ? (doc.params as Record<string, unknown>) : doc);
  const found = new Map<string, string>();
  entries.forEach(([name, v], i) => {
    if (i >= MAX_LINES || !names.has(canonical(name)) || !isEntry(v)) {
      extra.push(`${wrapped ? 'params ' : ''}key ${i + 1}`);
      return;
    }
    const coef = typeof v === 'number' ? v : (v as Record<string, unknown>).coef;
    // A JSON number is exact as written: compared to 1e-6 relative, or as far as its shortest form prints it.
    if (typeof coef === 'number' && Number.isFinite(coef)) found.set(canonical(name), String(coef));
  });
  return { found, extra };
}
