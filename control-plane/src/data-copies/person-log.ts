/**
 * The persons that went into a copy, gathered while the extract runs, each with its pseudonym.
 *
 * On the hot path (millions of rows per second, inside the extract query's pseudonym function)
 * each row's identity number (11 digits, exact as a double) is looked up in an open-addressing hash
 * set over a Float64Array; only a person not seen before is stored, with its 64-bit pseudonym.
 * A copy has several rows per person, so this keeps memory and the work at the end proportional to
 * persons, not rows: sorting the persons and checking their pseudonyms for collisions then costs
 * a few passes over typed arrays (LSD radix sort over 16-bit digits), not a sort of every row.
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

/** Stable LSD passes `digits` (in order) over the pairs, in place. */
function sortByDigits(hi: Uint32Array, lo: Uint32Array, digits: number[]): void {
  const n = lo.length;
  const tmpHi = new Uint32Array(n);
  const tmpLo = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (const [i, d] of digits.entries()) {
    if (i % 2 === 0) pass(d, hi, lo, tmpHi, tmpLo, count);
    else pass(d, tmpHi, tmpLo, hi, lo, count);
  }
  if (digits.length % 2 === 1) {
    hi.set(tmpHi);
    lo.set(tmpLo);
  }
}

/** Sorts pairs (hi, lo) of unsigned 32-bit words ascending as 64-bit numbers, in place. */
export function radixSortPairs(hi: Uint32Array, lo: Uint32Array): void {
  let maxHi = 0;
  for (let i = 0; i < hi.length; i++) if (hi[i]! > maxHi) maxHi = hi[i]!;
  sortByDigits(hi, lo, maxHi === 0 ? [0, 1] : maxHi <= 0xffff ? [0, 1, 2] : [0, 1, 2, 3]);
}

/**
 * How many distinct 64-bit values there are among `hi`/`lo` word pairs (the arrays are reordered).
 * Sorting by the high word alone (two passes) suffices: equal values have equal high words, and the
 * few pairs sharing a high word are compared by their low words.
 */
export function countDistinctPairs(hi: Uint32Array, lo: Uint32Array): number {
  sortByDigits(hi, lo, [2, 3]);
  const n = lo.length;
  let k = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && hi[j] === hi[i]) j++;
    if (j - i === 1) k++;
    else {
      const run = lo.slice(i, j).sort();
      for (let r = 0; r < run.length; r++) if (r === 0 || run[r] !== run[r - 1]) k++;
    }
    i = j;
  }
  return k;
}

const EMPTY = -1;

export class PersonLog {
  /** Hash set of the ids seen; `EMPTY` marks a free slot; the size is a power of two, at most half full. */
  #table = new Float64Array(1 << 16).fill(EMPTY);
  #bits = 16;
  /** The distinct ids in order of first sight, and their tags as [low word, high word] pairs. */
  #ids = new Float64Array(1 << 14);
  #tags = new Uint32Array(2 << 14);
  #n = 0;
  #distinct: Float64Array | null = null;

  /** How many distinct ids were added. */
  get size(): number {
    return this.#n;
  }

  /**
   * Adds `ids[0..n)` (non-negative integers below 2^53). With `tags`, row i's 64-bit tag (its
   * pseudonym) is `tags[2i]` (low word) and `tags[2i + 1]` (high word), as in a little-endian
   * BIGINT column; a person keeps the tag of its first row.
   */
  append(ids: Float64Array, n: number, tags?: Uint32Array): void {
    if (this.#n + n > this.#table.length / 2) this.#reserve(this.#n + n);
    const table = this.#table;
    const mask = table.length - 1;
    const shift = 32 - this.#bits;
    for (let i = 0; i < n; i++) {
      const v = ids[i]!;
      let at = slot(v, shift);
      let t = table[at]!;
      while (t !== v && t !== EMPTY) {
        at = (at + 1) & mask;
        t = table[at]!;
      }
      if (t !== EMPTY) continue;
      if (!(v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v)) throw new RangeError(`person id ${v} is not a non-negative integer`);
      table[at] = v;
      const k = this.#n++;
      if (k === this.#ids.length) this.#grow();
      this.#ids[k] = v;
      if (tags) {
        this.#tags[2 * k] = tags[2 * i]!;
        this.#tags[2 * k + 1] = tags[2 * i + 1]!;
      }
    }
    this.#distinct = null;
  }

  /** The distinct ids, ascending. */
  distinct(): Float64Array {
    if (!this.#distinct) {
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
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = hi[i]! * 4294967296 + lo[i]!;
      this.#distinct = out;
    }
    return this.#distinct;
  }

  /** How many distinct tags the distinct ids have (fewer than `size` means two persons share one). */
  distinctTags(): number {
    const n = this.#n;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      lo[i] = this.#tags[2 * i]!;
      hi[i] = this.#tags[2 * i + 1]!;
    }
    return countDistinctPairs(hi, lo);
  }

  /** Makes room for `count` distinct ids in the hash set, re-inserting those stored. */
  #reserve(count: number): void {
    let bits = this.#bits;
    while (count > 2 ** bits / 2) bits++;
    if (bits === this.#bits) return;
    const table = new Float64Array(2 ** bits).fill(EMPTY);
    const mask = table.length - 1;
    const shift = 32 - bits;
    for (let i = 0; i < this.#n; i++) {
      const v = this.#ids[i]!;
      let at = slot(v, shift);
      while (table[at] !== EMPTY) at = (at + 1) & mask;
      table[at] = v;
    }
    this.#table = table;
    this.#bits = bits;
  }

  #grow(): void {
    const ids = new Float64Array(this.#ids.length * 2);
    ids.set(this.#ids);
    this.#ids = ids;
    const tags = new Uint32Array(this.#tags.length * 2);
    tags.set(this.#tags);
    this.#tags = tags;
  }
}

/** The hash slot of `v` (an integer double): Fibonacci hashing of its two 32-bit words, top bits kept. */
function slot(v: number, shift: number): number {
  const lo = v >>> 0;
  const hi = (v / 4294967296) >>> 0;
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> shift;
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
