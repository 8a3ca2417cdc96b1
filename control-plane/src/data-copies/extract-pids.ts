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
import { bigintVectorWords, doubleVectorItems, ident } from './duckdb.ts';
import { PersonLog } from './person-log.ts';
import { AesPseudonymiser, HmacPseudonymiser, type PseudonymScheme } from './pseudonym.ts';

export interface PidSource {
  /** SQL expression giving the pseudonym of source alias `s`, whose person column is `col`. */
  expr(col: string): string;
  /** Extra FROM clause (a join), or ''. */
  join(col: string): string;
  /** The pseudonyms of `ids` as 32-bit word pairs, for the collision check. */
  pairs(ids: Float64Array): { hi: Uint32Array; lo: Uint32Array };
}

let counter = 0;

/**
 * Registers a per-row AES pseudonym function for `domain`; every id it sees goes into `persons`.
 * The function runs on the JavaScript thread while DuckDB's worker threads wait for it, so it does
 * as little per row as it can: ids are read as the vector's typed array, the AES input and output
 * are laid out with typed-array views, and the pseudonyms are written to the result vector as
 * 32-bit words rather than one BigInt per row.
 */
export function aesPidSource(conn: DuckDBConnection, key: Uint8Array, domain: string, persons: PersonLog): PidSource {
  const aes = new AesPseudonymiser(key, domain);
  const name = `tre_pid_${++counter}`;
  let scratch = new Float64Array(2048);
  let words = new Uint32Array(4096);
  conn.registerScalarFunction(
    DuckDBScalarFunction.create({
      name,
      returnType: BIGINT,
      parameterTypes: [DOUBLE],
      mainFunction: (_info, input, output) => {
        const n = input.rowCount;
        const vector = input.getColumnVector(0);
        // The SQL (`expr`) turns a missing id into NaN, which the AES input check refuses.
        let ids = doubleVectorItems(vector);
        if (!ids) {
          if (scratch.length < n) scratch = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            const id = vector.getItem(i);
            scratch[i] = typeof id === 'number' ? id : Number.NaN;
          }
          ids = scratch;
        }
        const direct = bigintVectorWords(output);
        if (!direct && words.length < 2 * n) words = new Uint32Array(2 * n);
        const out = direct ?? words;
        aes.words(ids, n, out);
        persons.append(ids, n);
        if (!direct) for (let i = 0; i < n; i++) output.setItem(i, BigInt.asIntN(64, (BigInt(out[2 * i + 1]!) << 32n) | BigInt(out[2 * i]!)));
        output.flush();
      },
    }),
  );
  return {
    expr: (col) => `${name}(coalesce(CAST(${col} AS DOUBLE), 'NaN'::DOUBLE))`,
    join: () => '',
    pairs(all) {
      const hi = new Uint32Array(all.length);
      const lo = new Uint32Array(all.length);
      const words = new Uint32Array(2 * 65536);
      for (let off = 0; off < all.length; off += 65536) {
        const part = all.subarray(off, off + 65536);
        aes.words(part, part.length, words);
        for (let i = 0; i < part.length; i++) {
          lo[off + i] = words[2 * i]!;
          hi[off + i] = words[2 * i + 1]!;
        }
      }
      return { hi, lo };
    },
  };
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
  persons: PersonLog,
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
    let seen = new Float64Array(2048);
    for await (const chunk of result) {
      const ids = chunk.getColumnVector(0);
      const n = chunk.rowCount;
      out.rowCount = n;
      if (seen.length < n) seen = new Float64Array(n);
      const [o0, o1, o2] = [out.getColumnVector(0), out.getColumnVector(1), out.getColumnVector(2)];
      for (let i = 0; i < n; i++) {
        const id = ids.getItem(i) as number;
        const [hi, lo] = mac.words(id);
        seen[i] = id;
        o0.setItem(i, id);
        o1.setItem(i, hi);
        o2.setItem(i, lo);
      }
      o0.flush();
      o1.flush();
      o2.flush();
      persons.append(seen, n);
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
    pairs(all) {
      const hi = new Uint32Array(all.length);
      const lo = new Uint32Array(all.length);
      for (let i = 0; i < all.length; i++) [hi[i], lo[i]] = mac.words(all[i]!);
      return { hi, lo };
    },
  };
}

export type { PseudonymScheme, PersonLog };
