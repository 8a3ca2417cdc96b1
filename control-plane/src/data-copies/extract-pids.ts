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
import { endianness } from 'node:os';
import { duckdbBindings, ident } from './duckdb.ts';
import type { PersonLog } from './person-log.ts';
import { AesPseudonymiser, HmacPseudonymiser } from './pseudonym.ts';

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
 *
 * The function runs on the JavaScript thread while the DuckDB thread that called it waits, once
 * per vector (for a filtered scan, a vector per 2048 source rows), so it does as little per call as
 * it can: it goes through the low-level bindings (node-api's chunk and vector objects cost about
 * 17 µs a call), reads the ids as a Float64Array copy of the input vector, lays out the AES input
 * and output with typed-array views, and copies the pseudonyms into the result vector as bytes
 * rather than setting one BigInt per row.
 */
export function aesPidSource(conn: DuckDBConnection, key: Uint8Array, domain: string, persons: PersonLog): PidSource {
  // The result vector is filled with raw bytes in host order, laid out as little-endian words.
  if (endianness() !== 'LE') throw new Error('the aes-256-prf extract needs a little-endian host');
  const aes = new AesPseudonymiser(key, domain);
  const name = `tre_pid_${++counter}`;
  const b = duckdbBindings;
  let out = new Uint32Array(2 * 2048);
  const fn = DuckDBScalarFunction.create({ name, returnType: BIGINT, parameterTypes: [DOUBLE], mainFunction: () => undefined });
  b.scalar_function_set_function(fn.scalar_function, (_info, input, output) => {
    const n = b.data_chunk_get_size(input);
    if (n === 0) return;
    // The SQL (`expr`) turns a missing id into NaN, which the AES input check refuses.
    const data = b.vector_get_data(b.data_chunk_get_vector(input, 0), n * 8);
    const ids = data.byteOffset % 8 === 0 ? new Float64Array(data.buffer, data.byteOffset, n) : new Float64Array(data.slice().buffer, 0, n);
    if (out.length < 2 * n) out = new Uint32Array(2 * n);
    aes.words(ids, n, out);
    persons.append(ids, n);
    b.copy_data_to_vector(output, 0, out.buffer, out.byteOffset, n * 8);
  });
  conn.registerScalarFunction(fn);
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

export type { PersonLog };
