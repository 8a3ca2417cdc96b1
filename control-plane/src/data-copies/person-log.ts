/**
 * The persons that went into a copy, gathered while the extract runs.
 *
 * On the hot path (millions of rows per second, inside the extract query's pseudonym function,
 * while DuckDB's threads wait for it) each row's identity number (11 digits, exact as a double) is
 * only appended to a growing Float64Array. De-duplication happens once at the end (or when the
 * buffer gets large), cache-friendly: one counting-sort pass splits the rows by value range into a
 * few hundred buckets, then each bucket is de-duplicated with a hash table small enough for the
 * CPU's second-level cache and its distinct ids radix-sorted. A hash set over all rows instead costs a
 * cache miss per row (its table outgrows the caches), and a radix sort of every row by 16-bit
 * digits several passes that each scatter into 65536 places (TLB misses on every write).
 * `person-log.property.test.ts` holds every path here to a `Set` and a sort on random inputs.
 */

/**
 * How many distinct 64-bit values there are among `hi`/`lo` word pairs. One counting-sort pass
 * splits the pairs by the top bits of the high word into buckets of ~1024 (pseudonyms are uniformly
 * spread), then each bucket is counted with a hash table that stays in the first-level cache:
 * about a quarter of the time of radix-sorting all pairs.
 */
export function countDistinctPairs(hi: Uint32Array, lo: Uint32Array): number {
  const n = lo.length;
  const bucketBits = Math.min(10, Math.max(0, Math.ceil(Math.log2(n / 1024))));
  const buckets = 2 ** bucketBits;
  const bucketOf = (h: number) => (bucketBits === 0 ? 0 : h >>> (32 - bucketBits));
  const starts = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) starts[bucketOf(hi[i]!) + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const next = starts.slice(0, buckets);
  const bh = new Uint32Array(n);
  const bl = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const at = next[bucketOf(hi[i]!)]!++;
    bh[at] = hi[i]!;
    bl[at] = lo[i]!;
  }
  let largest = 0;
  for (let b = 0; b < buckets; b++) largest = Math.max(largest, starts[b + 1]! - starts[b]!);
  // Slot: 0 free, else 1 + the pair's index.
  const table = new Int32Array(2 ** Math.max(4, Math.ceil(Math.log2(2 * largest))));
  let distinct = 0;
  for (let b = 0; b < buckets; b++) {
    const first = starts[b]!;
    const end = starts[b + 1]!;
    if (first === end) continue;
    const bits = Math.max(4, Math.ceil(Math.log2(2 * (end - first))));
    const mask = 2 ** bits - 1;
    table.fill(0, 0, mask + 1);
    for (let i = first; i < end; i++) {
      const h = bh[i]!;
      const l = bl[i]!;
      let at = Math.imul(l ^ Math.imul(h, 0x85ebca6b), 0x9e3779b1) >>> (32 - bits);
      for (;;) {
        const t = table[at]!;
        if (t === 0) {
          table[at] = i + 1;
          distinct++;
          break;
        }
        if (bh[t - 1] === h && bl[t - 1] === l) break;
        at = (at + 1) & mask;
      }
    }
  }
  return distinct;
}

const EMPTY = -1;

/**
 * The rows of a log split into value-range buckets, in shared memory so that another thread can
 * de-duplicate some of the buckets (`dedupeBuckets`) while this one does the others.
 */
export interface Buckets {
  /** Rows grouped by bucket: bucket b is `rows[starts[b] .. starts[b + 1])`. */
  rows: Float64Array;
  starts: Uint32Array;
  /** After `dedupeBuckets`, bucket b's distinct ids, ascending, are `rows[starts[b] .. starts[b] + kept[b])`. */
  kept: Uint32Array;
}

function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * length), 0, length);
}

function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(4 * length), 0, length);
}

/**
 * Splits `ids[0..n)` into buckets of ~8192 rows by value range (bucket order is value order),
 * checking that every id is a non-negative integer below 2^53. Bucket hash tables of 16384 slots
 * (128 KiB) fit the second-level cache for evenly spread ids; at most 1024 buckets, as more
 * scatter targets than the TLB covers make the one scatter pass slow.
 */
export function toBuckets(ids: Float64Array, n: number): Buckets {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v)) throw new RangeError(`person id ${v} is not a non-negative integer`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const buckets = Math.min(1024, 2 ** Math.max(0, Math.ceil(Math.log2(n / 8192))));
  const scale = buckets / (max - min + 1);
  const starts = sharedUint32(buckets + 1);
  for (let i = 0; i < n; i++) starts[Math.min(buckets - 1, Math.floor((ids[i]! - min) * scale)) + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const next = starts.slice(0, buckets);
  const rows = sharedFloat64(n);
  for (let i = 0; i < n; i++) {
    const v = ids[i]!;
    rows[next[Math.min(buckets - 1, Math.floor((v - min) * scale))]!++] = v;
  }
  return { rows, starts, kept: sharedUint32(buckets) };
}

/** De-duplicates and sorts buckets `from..to` of `b` in place (see `Buckets.kept`). */
export function dedupeBuckets({ rows, starts, kept }: Buckets, from: number, to: number): void {
  let largest = 0;
  for (let b = from; b < to; b++) largest = Math.max(largest, starts[b + 1]! - starts[b]!);
  const table = new Float64Array(2 ** Math.max(4, Math.ceil(Math.log2(2 * largest))));
  const scratch = new Float64Array(largest);
  const counts = new Uint32Array(512);
  for (let b = from; b < to; b++) {
    const first = starts[b]!;
    const end = starts[b + 1]!;
    if (first === end) {
      kept[b] = 0;
      continue;
    }
    const bits = Math.max(4, Math.ceil(Math.log2(2 * (end - first))));
    const mask = 2 ** bits - 1;
    const shift = 32 - bits;
    table.fill(EMPTY, 0, mask + 1);
    let k = first;
    for (let i = first; i < end; i++) {
      const v = rows[i]!;
      let at = slot(v, shift);
      let t = table[at]!;
      while (t !== v && t !== EMPTY) {
        at = (at + 1) & mask;
        t = table[at]!;
      }
      if (t !== EMPTY) continue;
      table[at] = v;
      rows[k++] = v; // k <= i: the write never overtakes the read
    }
    sortSmall(rows, first, k, scratch, counts);
    kept[b] = k - first;
  }
}

/** The distinct ids of de-duplicated buckets, ascending, into `out` (from 0); returns their count. */
function gather({ rows, starts, kept }: Buckets, out: Float64Array): number {
  let k = 0;
  for (let b = 0; b < kept.length; b++) {
    out.set(rows.subarray(starts[b]!, starts[b]! + kept[b]!), k);
    k += kept[b]!;
  }
  return k;
}

/** Runs `dedupeBuckets(buckets, from, to)` on another thread. */
export type BucketHelper = (buckets: Buckets, from: number, to: number) => Promise<void>;

export class PersonLog {
  /** Above this many buffered ids, the buffer is de-duplicated before it grows (memory ~ persons, not rows). */
  static readonly COMPACT_AT = 1 << 23;
  /** Rows appended so far in `[0, #n)`; after a compaction, the distinct ids ascending. */
  #ids = new Float64Array(1 << 16);
  #n = 0;
  #compacted = true;

  /** Appends `ids[0..n)` (non-negative integers below 2^53; checked when de-duplicated). */
  append(ids: Float64Array, n: number): void {
    if (n === 0) return;
    if (this.#n + n > this.#ids.length) {
      if (this.#ids.length >= PersonLog.COMPACT_AT) this.#compact();
      if (this.#n + n > this.#ids.length / 2 || this.#n + n > this.#ids.length) {
        const next = new Float64Array(Math.max(this.#ids.length * 2, this.#n + n));
        next.set(this.#ids.subarray(0, this.#n));
        this.#ids = next;
      }
    }
    this.#ids.set(ids.subarray(0, n), this.#n);
    this.#n += n;
    this.#compacted = false;
  }

  /** The distinct ids, ascending. */
  distinct(): Float64Array {
    this.#compact();
    return this.#ids.slice(0, this.#n);
  }

  /**
   * The distinct ids, ascending, with the buckets of the larger half of the rows de-duplicated by
   * `helper` on another thread meanwhile (same result as `distinct`).
   */
  async distinctWith(helper: BucketHelper): Promise<Float64Array> {
    if (this.#compacted || this.#n < 1 << 16) return this.distinct();
    const buckets = toBuckets(this.#ids, this.#n);
    const count = buckets.kept.length;
    let split = 0;
    while (split < count && buckets.starts[split + 1]! <= this.#n / 2) split++;
    const other = helper(buckets, split, count);
    other.catch(() => undefined); // awaited below, after this thread's half
    dedupeBuckets(buckets, 0, split);
    await other;
    this.#n = gather(buckets, this.#ids);
    this.#compacted = true;
    return this.#ids.slice(0, this.#n);
  }

  /** De-duplicates rows `[0, #n)` in place: afterwards they are the distinct ids, ascending. */
  #compact(): void {
    if (this.#compacted) return;
    this.#compacted = true;
    const buckets = toBuckets(this.#ids, this.#n);
    dedupeBuckets(buckets, 0, buckets.kept.length);
    this.#n = gather(buckets, this.#ids);
  }
}

/** The hash slot of `v` (an integer double) in a table of 2^(32 - shift): Fibonacci hashing of its two 32-bit words, top bits kept. */
function slot(v: number, shift: number): number {
  const lo = v >>> 0;
  const hi = (v / 4294967296) >>> 0;
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> shift;
}

/**
 * Sorts `a[from..to)` (non-negative integer doubles) ascending: LSD radix over 9-bit digits of the
 * offset from the smallest value, whose 512 counters stay in the first-level cache. A bucket spans a
 * small part of the id range, so that takes few passes; it is several times faster than the
 * built-in typed-array sort, which costs most of the de-duplication otherwise.
 */
function sortSmall(a: Float64Array, from: number, to: number, scratch: Float64Array, counts: Uint32Array): void {
  const n = to - from;
  if (n < 64) {
    a.subarray(from, to).sort();
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = a[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let src = a;
  let srcAt = from;
  let dst = scratch;
  let dstAt = 0;
  for (let div = 1; div <= hi - lo; div *= 512) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor((src[srcAt + i]! - lo) / div) & 511]!++;
    let sum = 0;
    for (let d = 0; d < 512; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[srcAt + i]!;
      dst[dstAt + counts[Math.floor((v - lo) / div) & 511]!++] = v;
    }
    [src, srcAt, dst, dstAt] = [dst, dstAt, src, srcAt];
  }
  if (src !== a) a.set(src.subarray(srcAt, srcAt + n), from);
}

/** The distinct ids of several ascending distinct arrays, ascending. */
export function unionIds(parts: Float64Array[]): Float64Array {
  if (parts.length === 1) return parts[0]!;
  const log = new PersonLog();
  for (const p of parts) log.append(p, p.length);
  return log.distinct();
}

/** The persons in a copy: identity numbers, ascending, as strings on demand. */
export class PersonList implements Iterable<string> {
  readonly #ids: Float64Array;
  constructor(ids: Float64Array) {
    this.#ids = ids;
  }
  get count(): number {
    return this.#ids.length;
  }
  *[Symbol.iterator](): Iterator<string> {
    for (const id of this.#ids) yield String(id).padStart(11, '0');
  }
  toArray(): string[] {
    return Array.from(this);
  }
}
