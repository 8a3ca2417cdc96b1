/**
 * Value distributions for the variable explorer, safe to show to anyone who may see the catalogue.
 *
 * Codes, strings and booleans are counted per value; dates per year; numbers in ten equal-width
 * bins between the 5th and 95th percentile plus two open-ended tails (minimum and maximum are
 * never shown: they are single persons' values). Disclosure control: every count under the
 * threshold (default 10) is suppressed (`count: null`); if the suppressed counts add up to less
 * than the threshold, the smallest shown counts are suppressed too, so the total cannot give a
 * suppressed cell away. Direct identifiers have no distribution.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { NotAllowedError, NotFoundError } from '../errors/index.ts';
import type { CodeList, Dataset } from './model.ts';
import type { Distribution } from './schemas.ts';

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const id = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Suppresses cells under `t`, then more (smallest first) until the suppressed sum reaches `t`. */
export function suppress(counts: number[], t: number): (number | null)[] {
  const out: (number | null)[] = counts.map((c) => (c < t && c > 0 ? null : c));
  let hidden = counts.reduce((s, c, i) => s + (out[i] === null ? c : 0), 0);
  const anyHidden = () => out.some((c) => c === null);
  while (anyHidden() && hidden < t) {
    let k = -1;
    for (let i = 0; i < out.length; i++) if (out[i] !== null && out[i]! > 0 && (k < 0 || out[i]! < out[k]!)) k = i;
    if (k < 0) break;
    hidden += out[k]!;
    out[k] = null;
  }
  return out;
}

export async function valueDistribution(input: {
  /** The stored Parquet file of the dataset version to describe. */
  path: string;
  dataset: Dataset;
  variable: string;
  codeLists: CodeList[];
  threshold?: number;
}): Promise<Distribution> {
  const t = input.threshold ?? 10;
  const v = input.dataset.variables.find((x) => x.name === input.variable);
  if (!v) throw new NotFoundError(`no variable ${input.variable} in ${input.dataset.name}`, { reason: 'unknown_variable' });
  if (v.class === 'direct_identifier') {
    throw new NotAllowedError(`${input.variable} is a direct identifier and has no distribution`, { reason: 'direct_identifier' });
  }
  const col = id(v.name);
  const src = `read_parquet(${q(input.path)})`;
  let kind: Distribution['kind'];
  let sql: string;
  if (v.type === 'date') {
    kind = 'years';
    sql = `SELECT CAST(year(${col}) AS VARCHAR) AS value, count(*) AS n FROM ${src} WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY 1`;
  } else if (v.type === 'integer' || v.type === 'decimal') {
    kind = 'bins';
    sql = `WITH p AS (SELECT quantile_cont(${col}, 0.05) AS lo, quantile_cont(${col}, 0.95) AS hi FROM ${src}),
      b AS (SELECT CASE WHEN ${col} < lo THEN -1 WHEN ${col} >= hi THEN 10
                        ELSE least(9, CAST(floor((${col} - lo) / nullif((hi - lo) / 10, 0)) AS INTEGER)) END AS k, lo, hi
            FROM ${src}, p WHERE ${col} IS NOT NULL)
      SELECT CASE WHEN k = -1 THEN '< ' || round(any_value(lo), 2)
                  WHEN k = 10 THEN '>= ' || round(any_value(hi), 2)
                  ELSE '[' || round(any_value(lo) + k * (any_value(hi) - any_value(lo)) / 10, 2) || ', '
                       || round(any_value(lo) + (k + 1) * (any_value(hi) - any_value(lo)) / 10, 2) || ')' END AS value,
             count(*) AS n, k
      FROM b GROUP BY k ORDER BY k`;
  } else {
    kind = 'values';
    sql = `SELECT CAST(${col} AS VARCHAR) AS value, count(*) AS n FROM ${src} WHERE ${col} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value`;
  }
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  let rows: { value: string; n: number }[];
  let missing: number;
  try {
    rows = (await conn.runAndReadAll(sql)).getRowObjectsJS().map((r) => ({ value: String(r.value), n: Number(r.n) }));
    const m = (await conn.runAndReadAll(`SELECT count(*) FILTER (WHERE ${col} IS NULL) AS m FROM ${src}`)).getRowObjectsJS()[0];
    missing = Number(m?.m ?? 0);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
  const list = v.codeList ? input.codeLists.find((l) => l.id === v.codeList) : undefined;
  const counts = suppress(
    rows.map((r) => r.n),
    t,
  );
  const total = rows.reduce((s, r) => s + r.n, 0) + missing;
  return {
    dataset: input.dataset.name,
    variable: v.name,
    kind,
    threshold: t,
    total: total < t ? null : total,
    missing: missing > 0 && missing < t ? null : missing,
    cells: rows.map((r, i) => ({ value: r.value, label: list?.codes.find((c) => c.code === r.value)?.label ?? null, count: counts[i]! })),
    suppressedCells: counts.filter((c) => c === null).length,
  };
}
