/**
 * What a CSV output is, before its numbers are read as counts: a table of aggregates, or records
 * (row-level data), and which of its columns hold category codes rather than counts.
 *
 * Row-level data (issue 16): a file of person records is not "100 small counts", it is one
 * finding, `row-level data: N rows`, so a reviewer sees what it is. A CSV is taken as row-level when
 * it has at least `ROW_LEVEL_MIN_ROWS` data rows and either
 *   - an id-like column: a header naming a person or record identifier (`id`, `person_id`, `lopenr`,
 *     `pid`, `fnr`, …; not `kommune_nr`, which labels an aggregate) whose values are distinct in at
 *     least 90 % of the rows, or a column whose every value is a distinct token of six or more
 *     letters and digits mixed (a pseudonym such as `PX-7f3a01`; names and numbers alone are not); or
 *   - no aggregation: no header naming an aggregate (`n`, `count`, `antall`, `sum`, `mean`, `pct`, …)
 *     and two rows alike in all their label columns (an aggregated table has one row per label
 *     combination; records repeat them).
 * OpenSAFELY's airlock and ACRO leave this to the reviewer; SDAP's output checking guidance (and
 * the Five Safes "safe outputs" rule that microdata never leaves) is what we apply.
 *
 * Category codes: integers in a column of codes (ICD-10, ATC, NACE, a `region`/`sex`/`kjonn` code,
 * a year) are labels, not frequencies, so the small-count scan skips them. A column is a code column
 * when its header says so or when any of its values is an ICD-10 or ATC code. A room could name a
 * count column `region_code` to hide it from this scan; the scan is advisory (the table check is
 * the rule), and the file goes to a reviewer who now sees its content.
 */

/** The fewest data rows a CSV has before it is taken for records. */
export const ROW_LEVEL_MIN_ROWS = 50;

const ID_HEADER =
  /^(id|pid|lnr|lopenr|løpenr|fnr|pnr|ssn|fodselsnummer|fødselsnummer|person|patient|pasient|subject|(person|patient|pasient|subject|record|row|case|individ|individual)[_ .-]?(id|nr|no|number|key))$/i;
const AGGREGATE_HEADER =
  /^(n|count|counts|antall|ant|freq|frequency|frekvens|sum|total|totalt|mean|avg|average|gjennomsnitt|median|sd|std|se|var|min|max|pct|percent|prosent|andel|share|rate|ratio|ci|lower|upper|p|n_\w+|count_\w+|\w+_n|\w+_count|\w+_mean|\w+_sum|\w+_pct)$/i;
const CODE_HEADER =
  /(code|kode|codes|icd|icd10|icd-10|atc|nace|ncmp|ncsp|kategori|category|class|klasse|group|gruppe|region|kommune|fylke|county|municipality|sex|kjonn|kjønn|gender|year|aar|år|month|maaned|måned|week|uke|level|nivaa|nivå|stage|stadium|grade|type)$/i;
/** ICD-10 (`C50`, `C50.9`, `E11.65`) and ATC (`A10BA02`, or its first levels `A10`, `A10B`). */
const MEDICAL_CODE = /^(?:[A-Z]\d{2}(?:\.?\d{1,2})?|[A-Z]\d{2}[A-Z](?:[A-Z](?:\d{2})?)?)$/;
/** A pseudonym or record key: six or more letters, digits, `_`, `-`, with at least one letter and one digit. */
const PSEUDONYM_LIKE = /^(?=.*\p{L})(?=.*\p{N})[\p{L}\p{N}_-]{6,}$/u;
const NUMBER = /^-?\d+(?:[.,]\d+)?$/;

export interface CsvShape {
  /** Data rows (below the header). */
  rows: number;
  /** Set when the file is taken for records: why, for the finding's message. */
  rowLevel: { rows: number; because: 'id-column' | 'not-aggregated'; column?: string } | null;
  /** Indexes of columns holding category codes. */
  codeColumns: Set<number>;
}

export function csvShape(header: string[], body: string[][]): CsvShape {
  const width = header.length;
  const column = (c: number) => body.map((r) => (r[c] ?? '').trim());
  const codeColumns = new Set<number>();
  for (let c = 0; c < width; c++) {
    const name = (header[c] ?? '').trim();
    if (CODE_HEADER.test(name) || column(c).some((v) => MEDICAL_CODE.test(v))) codeColumns.add(c);
  }
  const shape: CsvShape = { rows: body.length, rowLevel: null, codeColumns };
  if (body.length < ROW_LEVEL_MIN_ROWS) return shape;
  for (let c = 0; c < width; c++) {
    const name = (header[c] ?? '').trim();
    const values = column(c);
    const distinct = new Set(values).size;
    const named = ID_HEADER.test(name) && distinct >= 0.9 * values.length;
    const tokens = distinct === values.length && values.every((v) => PSEUDONYM_LIKE.test(v));
    if (named || tokens) {
      shape.rowLevel = { rows: body.length, because: 'id-column', column: name || String(c + 1) };
      return shape;
    }
  }
  if (header.some((h) => AGGREGATE_HEADER.test(h.trim()))) return shape;
  // Label columns: those not wholly numeric, and the code columns.
  const labels = [...Array(width).keys()].filter((c) => codeColumns.has(c) || !column(c).every((v) => v === '' || NUMBER.test(v)));
  if (labels.length === 0) return shape;
  const seen = new Set<string>();
  for (const row of body) {
    const k = JSON.stringify(labels.map((c) => (row[c] ?? '').trim()));
    if (seen.has(k)) {
      shape.rowLevel = { rows: body.length, because: 'not-aggregated' };
      return shape;
    }
    seen.add(k);
  }
  return shape;
}

/** The one finding's message: what the file is. */
export function rowLevelMessage(r: NonNullable<CsvShape['rowLevel']>): string {
  return r.because === 'id-column'
    ? `row-level data: ${r.rows} rows (column '${r.column}' identifies records)`
    : `row-level data: ${r.rows} rows (label combinations repeat: records, not an aggregated table)`;
}
