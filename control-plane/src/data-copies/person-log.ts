/**
 * The identity numbers that went into a copy, gathered while the extract runs: appended in bulk
 * to a growing Float64Array (11-digit numbers are exact doubles) and de-duplicated once at the
 * end by a native sort, which is far cheaper than a Set on the hot path.
 */
export class PersonLog {
  #ids = new Float64Array(1 << 16);
  #n = 0;

  append(ids: Float64Array, n: number): void {
    if (this.#n + n > this.#ids.length) {
      const next = new Float64Array(Math.max(this.#ids.length * 2, this.#n + n));
      next.set(this.#ids.subarray(0, this.#n));
      this.#ids = next;
    }
    this.#ids.set(ids.subarray(0, n), this.#n);
    this.#n += n;
  }

  /** The distinct ids, ascending. */
  distinct(): Float64Array {
    const sorted = this.#ids.subarray(0, this.#n).sort();
    let k = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i]!;
    }
    return sorted.slice(0, k);
  }
}

/** Merges ascending distinct id arrays into one. */
export function unionSorted(parts: Float64Array[]): Float64Array {
  const log = new PersonLog();
  for (const p of parts) log.append(p, p.length);
  return log.distinct();
}

/** The persons in a copy: identity numbers, ascending, produced on demand as strings. */
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
