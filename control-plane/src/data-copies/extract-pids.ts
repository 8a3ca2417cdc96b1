/**
 * How the extract query gets each row's pseudonym, for the two schemes of `pseudonym.ts`.
 *
 * `aes-256-prf`: a DuckDB scalar function implemented in Node, called once per vector of up to
 * 2048 rows; it encrypts the whole vector with one AES call. It also records every identity number
 * it sees, which is exactly the set of persons in the copy (citizens' insight).
 *
 * `hmac-sha256`: the distinct identity numbers of the selected rows are streamed to Node, their MACs
 * appended to a mapping table, and the extract joins it.
 */
import { BIGINT, DOUBLE, DuckDBDataChunk, DuckDBScalarFunction, INTEGER, UINTEGER, type DuckDBConnection, type DuckDBInstance } from '@duckdb/node-api';
import { ident } from './duckdb.ts';
import { AesPseudonymiser, HmacPseudonymiser, type PseudonymScheme } from './pseudonym.ts';

/** Persons seen, as identity numbers in numeric form (11 digits fit a double exactly). */
export type PersonSet = Set<number>;

export interface PidSource {
  /** SQL expression giving the pseudonym of source alias `s`, whose person column is `col`. */
  expr(col: string): string;
  /** Extra FROM clause (a join), or ''. */
  join(col: string): string;
}

let counter = 0;

/** Registers a per-row AES pseudonym function for `domain`; ids land in `persons`. */
export function aesPidSource(conn: DuckDBConnection, key: Uint8Array, domain: string, persons: PersonSet): PidSource {
  const aes = new AesPseudonymiser(key, domain);
  const name = `tre_pid_${++counter}`;
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name,
      returnType: BIGINT,
      parameterTypes: [DOUBLE],
      mainFunction: (_info, input, output) => {
        const ids = input.getColumnVector(0);
        aes.run(
          input.rowCount,
          (i) => {
            const id = ids.getItem(i) as number;
            persons.add(id);
            return id;
          },
          (i, p) => output.setItem(i, p),
        );
        output.flush();
      },
    }),
  );
  return { expr: (col) => `${name}(CAST(${col} AS DOUBLE))`, join: () => '' };
}

/**
 * Builds table `table(f DOUBLE, pid BIGINT)` with the HMAC pseudonym of every distinct id that
 * `idsSql` (one column) selects, and returns the join that attaches it.
 */
export async function hmacPidSource(
  instance: DuckDBInstance,
  conn: DuckDBConnection,
  key: Uint8Array,
  domain: string,
  idsSql: string,
  persons: PersonSet,
): Promise<PidSource> {
  const table = `tre_pmap_${++counter}`;
  await conn.run(`CREATE TABLE ${table}_raw (f DOUBLE, h0 INTEGER, h1 UINTEGER)`);
  const mac = new HmacPseudonymiser(key, domain);
  // A second connection: running anything on `conn` would end the stream being read from it.
  const appendConn = await instance.connect();
  try {
    const appender = await appendConn.createAppender(`${table}_raw`);
    const result = await conn.stream(`SELECT DISTINCT CAST(fnr AS DOUBLE) AS f FROM (${idsSql})`);
    const out = DuckDBDataChunk.create([DOUBLE, INTEGER, UINTEGER]);
    for await (const chunk of result) {
      const ids = chunk.getColumnVector(0);
      const n = chunk.rowCount;
      out.rowCount = n;
      const [o0, o1, o2] = [out.getColumnVector(0), out.getColumnVector(1), out.getColumnVector(2)];
      for (let i = 0; i < n; i++) {
        const id = ids.getItem(i) as number;
        persons.add(id);
        const [hi, lo] = mac.words(id);
        o0.setItem(i, id);
        o1.setItem(i, hi);
        o2.setItem(i, lo);
      }
      o0.flush();
      o1.flush();
      o2.flush();
      appender.appendDataChunk(out);
    }
    appender.closeSync();
  } finally {
    appendConn.closeSync();
  }
  await conn.run(`CREATE TABLE ${table} AS SELECT f, CAST(h0 AS BIGINT) * 4294967296 + h1 AS pid FROM ${table}_raw`);
  await conn.run(`DROP TABLE ${table}_raw`);
  return {
    expr: () => `${ident(table)}.pid`,
    join: (col) => `JOIN ${ident(table)} ON ${ident(table)}.f = CAST(${col} AS DOUBLE)`,
  };
}

export type { PseudonymScheme };
