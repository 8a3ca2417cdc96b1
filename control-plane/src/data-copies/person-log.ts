/**
 * The persons that went into a copy, gathered while the extract runs.
 *
 * On the hot path (millions of rows per second) each row's identity number (11 digits, exact as a
 * double) is only appended to a growing Float64Array. De-duplication happens once at the end by
 * an LSD radix sort over 16-bit digits: sequential passes over typed arrays, several times faster
 * than a JS `Set`, a hash table (random memory access per row) or a comparison sort.
 */

/** One stable counting-sort pass of (hi, lo) pairs by the 16-bit digit `d` (0, 1: lo; 2, 3: hi). */
function pass(d: number, srcHi: Uint32Array, srcLo: Uint32Array, dstHi: Uint32Array, dstLo: Uint32Array, count: Uint32Array): void {
  const n = srcLo.length;
  const word = d < 2 ? srcLo : srcHi;
  const shift = (d & 1) * 16;
  count.fill(0);
  for (let i = 0; i < n; i++) count[(word[i]! >>> shift) & 0xffff]!++;
  let sum = 0;
  for (let k = 0; k < 65536; k++) {
    const c = count[k]!;
    count[k] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const at = count[(word[i]! >>> shift) & 0xffff]!++;
    dstHi[at] = srcHi[i]!;
    dstLo[at] = srcLo[i]!;
  }
}

/** Sorts pairs (hi, lo) of unsigned 32-bit words ascending as 64-bit numbers, in place. */
export function radixSortPairs(hi: Uint32Array, lo: Uint32Array): void {
  const n = lo.length;
  let maxHi = 0;
  for (let i = 0; i < n; i++) if (hi[i]! > maxHi) maxHi = hi[i]!;
  const passes = maxHi === 0 ? 2 : maxHi <= 0xffff ? 3 : 4;
  const tmpHi = new Uint32Array(n);
  const tmpLo = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let d = 0; d < passes; d++) {
    if (d % 2 === 0) pass(d, hi, lo, tmpHi, tmpLo, count);
    else pass(d, tmpHi, tmpLo, hi, lo, count);
  }
  if (passes % 2 === 1) {
    hi.set(tmpHi);
    lo.set(tmpLo);
  }
}

/** The number of distinct pairs in pairs sorted by `radixSortPairs`. */
function distinctSorted(hi: Uint32Array, lo: Uint32Array): number {
  let k = 0;
  for (let i = 0; i < lo.length; i++) if (i === 0 || hi[i] !== hi[i - 1] || lo[i] !== lo[i - 1]) k++;
  return k;
}

export class PersonLog {
  /** Above this many buffered ids, the buffer is de-duplicated before it grows (memory ~ persons, not rows). */
  static readonly COMPACT_AT = 1 << 23;
  #ids = new Float64Array(1 << 16);
  #n = 0;
  #distinct: Float64Array | null = null;

  /** Appends `ids[0..n)`. */
  append(ids: Float64Array, n: number): void {
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
    this.#distinct = null;
  }

  /** The distinct ids, ascending. */
  distinct(): Float64Array {
    if (!this.#distinct) this.#distinct = this.#compact().slice();
    return this.#distinct;
  }

  /** Replaces the buffer's first `n` entries by their distinct values, ascending; returns them. */
  #compact(): Float64Array {
    const n = this.#n;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const v = this.#ids[i]!;
      const h = Math.floor(v / 4294967296);
      hi[i] = h;
      lo[i] = v - h * 4294967296;
    }
    radixSortPairs(hi, lo);
    let k = 0;
    for (let i = 0; i < n; i++) if (i === 0 || hi[i] !== hi[i - 1] || lo[i] !== lo[i - 1]) this.#ids[k++] = hi[i]! * 4294967296 + lo[i]!;
    this.#n = k;
    return this.#ids.subarray(0, k);
  }
}

/** How many distinct 64-bit values there are among `hi`/`lo` word pairs (the arrays are reordered). */
export function countDistinctPairs(hi: Uint32Array, lo: Uint32Array): number {
  radixSortPairs(hi, lo);
  return distinctSorted(hi, lo);
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
