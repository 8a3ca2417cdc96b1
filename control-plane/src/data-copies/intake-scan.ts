/**
 * One streaming pass over a delivered file: SHA-256, UTF-8 validity (CSV), size, and the last bytes.
 * Memory stays at one read buffer whatever the file size. UTF-8 is checked with the native
 * `isUtf8` per chunk (carrying an incomplete trailing sequence into the next chunk); only when a
 * chunk fails is the exact position located, and its line counted by a second streaming read.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface ScanResult {
  sha256: string;
  bytes: number;
  /** The first invalid UTF-8 byte, or null when the file is valid UTF-8 (or UTF-8 was not checked). */
  badUtf8: { offset: number; line: number } | null;
  /** True when the file ends with a line feed. */
  endsWithNewline: boolean;
  /** The first and last bytes (up to 8 each), e.g. for Parquet's `PAR1` magic. */
  head: Buffer;
  tail: Buffer;
}

/** Length of the incomplete UTF-8 sequence at the end of `b` (0..3). */
function incompleteTail(b: Buffer): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/** Offset of the first byte of `b` that does not start or continue a valid UTF-8 sequence (run only on failure). */
function firstInvalid(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (need === 0 || i + need > b.length) return i;
    if (!isUtf8(b.subarray(i, i + need))) return i;
    i += need;
  }
  return b.length;
}

async function lineAt(path: string, offset: number): Promise<number> {
  if (offset === 0) return 1;
  let line = 1;
  for await (const chunk of createReadStream(path, { end: offset - 1, highWaterMark: 1 << 20 })) {
    const b = chunk as Buffer;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) line++;
  }
  return line;
}

export async function scanFile(path: string, opts: { utf8: boolean; onBytes?: (done: number) => void; signal?: AbortSignal }): Promise<ScanResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  let carry = Buffer.alloc(0);
  let bad: number | null = null;
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal: opts.signal })) {
    const b = chunk as Buffer;
    hash.update(b);
    if (head.length < 8) head = Buffer.concat([head, b.subarray(0, 8 - head.length)]);
    tail = Buffer.concat([tail, b]).subarray(-8);
    if (opts.utf8 && bad === null) {
      const piece = carry.length ? Buffer.concat([carry, b]) : b;
      const keep = incompleteTail(piece);
      const whole = piece.subarray(0, piece.length - keep);
      if (!isUtf8(whole)) bad = bytes - carry.length + firstInvalid(whole);
      carry = Buffer.from(piece.subarray(piece.length - keep));
    }
    bytes += b.length;
    opts.onBytes?.(bytes);
  }
  if (opts.utf8 && bad === null && carry.length) bad = bytes - carry.length;
  return {
    sha256: hash.digest('hex'),
    bytes,
    badUtf8: bad === null ? null : { offset: bad, line: await lineAt(path, bad) },
    endsWithNewline: tail.length > 0 && tail[tail.length - 1] === 10,
    head,
    tail,
  };
}
