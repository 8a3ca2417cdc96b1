/**
 * A regression spec made into a design over a DuckDB relation: the columns checked against
 * the file, the complete-case filter, the categorical levels found in the data, and one SQL
 * expression per design column, named as patsy names them.
 *
 * What patsy does, and so we: rows with a missing value (NULL, or NaN in a float column) in any
 * model column are dropped (statsmodels' formula API, `missing='drop'`); a categorical column is
 * coded against its first level in sorted order (`C(x2)[T.b]`), or, in a model without a
 * constant, the first categorical term gets one column per level (`C(x2)[a]`); terms are ordered
 * as patsy orders them: the constant, the categorical terms, then the numeric ones, each group in
 * the spec's order. Level names are Python's `repr` of the level as pandas reads the CSV (`2`,
 * `2.5`, `True`, strings as they are); a numeric categorical column with missing values is a
 * float column to pandas (`T.2.0`), a case we name from DuckDB's type instead.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '../errors/index.ts';
import type { RegressionSpec } from './regression-schemas.ts';
import { isNumericType, quoteIdent, resolveSource, type TableSource } from './table-source.ts';

export interface DesignColumn {
  name: string;
  /** SQL of the column's value for one record, a DOUBLE. */
  expr: string;
  /** Indicator columns of one categorical variable: their products with each other are 0. */
  group?: string;
}

export interface Design {
  /** The complete cases, with `y` and `c0`, `c1`, … (the design columns) as DOUBLE. */
  rows: string;
  /** The same columns of every record, complete or not, and `present`: NULL where a model value is missing. */
  all: string;
  columns: DesignColumn[];
}

export interface DesignLimits {
  /** Most design columns (parameters) a model may have. */
  maxParams: number;
}

const quoteString = (text: string) => `'${text.replaceAll("'", "''")}'`;
const FLOAT = /^(FLOAT|DOUBLE|REAL)/;

export async function buildDesign(conn: DuckDBConnection, source: TableSource, spec: RegressionSpec, limits: DesignLimits, quote = true): Promise<Design> {
  const resolved = await resolveSource(conn, source, quote);
  const fields: [string, string][] = [['dependent', spec.dependent], ...spec.independent.map((c, i): [string, string] => [`independent[${i}]`, c])];
  const categorical = new Set(spec.categorical);
  for (const [field, column] of fields) {
    const type = resolved.columns.get(column);
    if (type === undefined) {
      throw new InputError(`the data has no column '${column}' (${field})`, { reason: 'unknown_column', details: { column, field } });
    }
    if (!categorical.has(column) && !isNumericType(type) && type !== 'BOOLEAN') {
      throw new InputError(`column '${column}' (${field}) is ${type}, not numeric; name it in 'categorical' to code its levels`, {
        reason: 'non_numeric_values',
        details: { column, field },
      });
    }
  }
  const modelColumns = [spec.dependent, ...spec.independent];
  const complete = modelColumns
    .map((c) => {
      const q = quoteIdent(c);
      return FLOAT.test(resolved.columns.get(c)!) ? `${q} IS NOT NULL AND NOT isnan(${q})` : `${q} IS NOT NULL`;
    })
    .join(' AND ');

  const numeric: DesignColumn[] = [];
  const coded: DesignColumn[] = [];
  let fullRank = !spec.constant;
  for (const column of spec.independent) {
    const q = quoteIdent(column);
    if (!categorical.has(column)) {
      numeric.push({ name: column, expr: `CAST(${q} AS DOUBLE)` });
      continue;
    }
    const levels = await levelsOf(conn, resolved.relation, complete, column, resolved.columns.get(column)!, limits.maxParams + 1);
    // A full-rank term is needed once when there is no constant; patsy gives it to the first categorical term.
    const kept = fullRank ? levels : levels.slice(1);
    const prefix = fullRank ? '' : 'T.';
    fullRank = false;
    for (const level of kept) {
      coded.push({ name: `C(${column})[${prefix}${level.name}]`, expr: `CAST(${q} = ${quoteString(level.text)} AS DOUBLE)`, group: column });
    }
  }
  const columns = [...(spec.constant ? [{ name: 'const', expr: '1.0' }] : []), ...coded, ...numeric];
  if (columns.length > limits.maxParams) {
    throw new InputError(`the model has ${columns.length} parameters; the policy allows at most ${limits.maxParams} (tables.maxModelParams)`, {
      reason: 'model_too_large',
      details: { limit: limits.maxParams, params: columns.length },
    });
  }
  // NULL exactly where a record lacks a model value (NaN of a float column included; a numeric NaN also shows in the sums).
  const present = modelColumns
    .map((c) => {
      const q = quoteIdent(c);
      const type = resolved.columns.get(c)!;
      if (!categorical.has(c)) return `CAST(${q} AS DOUBLE)`;
      return `CASE WHEN ${q} IS NULL${FLOAT.test(type) ? ` OR isnan(${q})` : ''} THEN NULL ELSE 0.0 END`;
    })
    .join(' + ');
  const select = [`CAST(${quoteIdent(spec.dependent)} AS DOUBLE) AS y`, ...columns.map((c, j) => `${c.expr} AS c${j}`), `${present} AS present`].join(', ');
  return { rows: `(SELECT ${select} FROM ${resolved.relation} WHERE ${complete})`, all: `(SELECT ${select} FROM ${resolved.relation})`, columns };
}

interface Level {
  /** The level as text, compared with the column (DuckDB casts the literal to the column's type). */
  text: string;
  /** As patsy prints it. */
  name: string;
}

async function levelsOf(conn: DuckDBConnection, relation: string, complete: string, column: string, type: string, limit: number): Promise<Level[]> {
  const q = quoteIdent(column);
  // ORDER BY the column's own type: numbers numerically, text by code point (DuckDB's default binary collation, as Python's sort).
  const rows = (
    await conn.runAndReadAll(`SELECT DISTINCT ${q}, CAST(${q} AS VARCHAR) FROM ${relation} WHERE ${complete} ORDER BY ${q} LIMIT ${limit}`)
  ).getRowsJS();
  if (rows.length >= limit) {
    throw new InputError(`categorical column '${column}' has more than ${limit - 1} levels (tables.maxModelParams)`, {
      reason: 'model_too_large',
      details: { column, limit: limit - 1 },
    });
  }
  return rows.map((r) => {
    const text = String(r[1]);
    let name = text;
    if (type === 'BOOLEAN') name = text === 'true' ? 'True' : 'False';
    else if (FLOAT.test(type) && /^-?\d+$/.test(text)) name = `${text}.0`;
    return { text, name };
  });
}
