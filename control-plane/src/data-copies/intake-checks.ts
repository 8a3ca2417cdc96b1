/**
 * The SQL that checks a delivery against its catalogue entry, row by row, in one streaming pass.
 * Every column is read as text (CSV) or cast to text (Parquet) into view `tre_raw(__row, ...)`, so
 * the same checks apply to both formats; the stored file is then produced from that view by casts
 * that the checks have proven safe.
 */
import { type CodeList, type Dataset, type Variable, DUCKDB_TYPE } from '../catalog/index.ts';
import { ident, lit } from './duckdb.ts';

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** SQL: true when text `v` is an 11-digit identity number with both mod-11 check digits valid. */
export function validFnrSql(v: string): string {
  const d = (i: number) => `CAST(substr(${v}, ${i}, 1) AS INTEGER)`;
  const sum = (w: number[]) => w.map((wi, i) => `${wi}*${d(i + 1)}`).join(' + ');
  return `CASE WHEN regexp_full_match(${v}, '[0-9]{11}')
    THEN (11 - (${sum(W1)}) % 11) % 11 = ${d(10)} AND (11 - (${sum(W2)}) % 11) % 11 = ${d(11)}
    ELSE FALSE END`;
}

/** One SQL expression per check of `v`, each yielding an error text or NULL. */
function checksFor(v: Variable, ds: Dataset, codeLists: CodeList[]): string[] {
  const col = ident(v.name);
  const shown = `'''' || left(${col}, 40) || ''''`;
  const out: string[] = [];
  const missing = `(${col} IS NULL OR trim(${col}) = '')`;
  if (v.required) out.push(`CASE WHEN ${missing} THEN 'required value missing' END`);
  const present = `NOT ${missing}`;
  if (v.name === ds.personVariable) {
    out.push(
      `CASE WHEN ${present} AND NOT (${validFnrSql(col)}) THEN 'invalid identity number ' || ${shown} || ' (11 digits with valid check digits expected)' END`,
    );
  }
  if (v.type === 'code' && v.codeList) {
    const list = codeLists.find((l) => l.id === v.codeList);
    const codes = list ? list.codes.map((c) => lit(c.code)).join(', ') : '';
    out.push(
      `CASE WHEN ${present} AND NOT list_contains([${codes}]::VARCHAR[], ${col}) THEN 'unknown code ' || ${shown} || ' (not in code list ${v.codeList})' END`,
    );
  } else if (v.type !== 'string' && v.type !== 'code') {
    const t = DUCKDB_TYPE[v.type];
    const article = v.type === 'integer' ? 'an integer' : `a ${v.type === 'decimal' ? 'number' : v.type}`;
    out.push(`CASE WHEN ${present} AND TRY_CAST(${col} AS ${t}) IS NULL THEN 'wrong type: ' || ${shown} || ' is not ${article}' END`);
  }
  return out.map((e) => `CASE WHEN (${e}) IS NOT NULL THEN {'column': ${lit(v.name)}, 'reason': (${e})} END`);
}

/** SQL returning up to `limit` rows `(row, column, reason)`: the first errors of `tre_raw`. */
export function rowErrorsSql(ds: Dataset, codeLists: CodeList[], limit: number): string {
  const exprs = ds.variables.flatMap((v) => checksFor(v, ds, codeLists));
  return `
SELECT __row AS row, e.column AS column, e.reason AS reason FROM (
  SELECT __row, unnest(list_filter([${exprs.join(',\n    ')}], x -> x IS NOT NULL)) AS e
  FROM tre_raw
) ORDER BY __row LIMIT ${limit}`;
}

/** SQL selecting the typed, catalogue-ordered columns of `tre_raw` for storage. */
export function typedSelectSql(ds: Dataset): string {
  const cols = ds.variables.map((v) => {
    const col = ident(v.name);
    const text = `NULLIF(trim(${col}), '')`;
    return `CAST(${v.type === 'string' || v.type === 'code' ? `NULLIF(${col}, '')` : text} AS ${DUCKDB_TYPE[v.type]}) AS ${col}`;
  });
  // No ORDER BY: DuckDB preserves insertion order in COPY, and a sort of a multi-GB file would spill.
  return `SELECT ${cols.join(', ')} FROM tre_raw`;
}

/** The view over a CSV file: every column as text, with its 1-based data row number. */
export function csvViewSql(path: string, header: string[]): string {
  const columns = `{${header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}`;
  return `CREATE VIEW tre_raw AS SELECT row_number() OVER () AS __row, * FROM read_csv(${lit(path)},
    header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${columns},
    strict_mode = true, null_padding = false, ignore_errors = false, encoding = 'utf-8')`;
}

/** The view over a Parquet file: every column cast to text, with its 1-based row number. */
export function parquetViewSql(path: string, columns: string[]): string {
  const cols = columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`);
  return `CREATE VIEW tre_raw AS SELECT file_row_number + 1 AS __row, ${cols.join(', ')}
    FROM read_parquet(${lit(path)}, file_row_number = true)`;
}
