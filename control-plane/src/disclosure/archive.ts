/**
 * Unpacking allowed archives for inspection, never past a byte budget: a
 * gzip stream is inflated with zlib's `maxOutputLength`; a zip's central
 * directory is read first and its declared sizes checked against the budget
 * before any entry is inflated (and each inflation is capped again, since a
 * declared size can lie). Other formats cannot be inspected here.
 */
import { gunzipSync, inflateRawSync } from 'node:zlib';

export interface UnpackedEntry {
  name: string;
  bytes: Buffer;
}

export type UnpackResult =
  | { ok: true; entries: UnpackedEntry[] }
  | { ok: false; reason: 'over_limit' | 'unsupported' | 'encrypted' | 'corrupt'; message: string };

export function unpack(mime: string, name: string, buf: Buffer, budget: number): UnpackResult {
  try {
    if (mime === 'application/gzip') {
      const bytes = gunzipSync(buf, { maxOutputLength: budget });
      return { ok: true, entries: [{ name: name.replace(/\.gz$|\.tgz$/i, (s) => (s.toLowerCase() === '.tgz' ? '.tar' : '')), bytes }] };
    }
    if (mime === 'application/zip') return unzip(buf, budget);
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return { ok: false, reason: 'over_limit', message: `unpacks to more than ${budget} bytes` };
    }
    return { ok: false, reason: 'corrupt', message: `cannot be unpacked: ${(err as Error).message}` };
  }
  return { ok: false, reason: 'unsupported', message: `${mime} cannot be inspected` };
}

function unzip(buf: Buffer, budget: number): UnpackResult {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > buf.length) return { ok: false, reason: 'corrupt', message: 'no zip central directory' };
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) return { ok: false, reason: 'unsupported', message: 'zip64 archives cannot be inspected' };
  const headers: Array<{ name: string; method: number; flags: number; csize: number; usize: number; offset: number }> = [];
  let declared = 0;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) return { ok: false, reason: 'corrupt', message: 'bad zip central directory entry' };
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    headers.push({ name, method, flags, csize, usize, offset });
    declared += usize;
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (declared > budget) return { ok: false, reason: 'over_limit', message: `declares ${declared} unpacked bytes, more than ${budget}` };
  const entries: UnpackedEntry[] = [];
  let left = budget;
  for (const h of headers) {
    if (h.name.endsWith('/')) continue;
    if (h.flags & 1) return { ok: false, reason: 'encrypted', message: `${h.name} is encrypted` };
    const local = h.offset;
    if (buf.readUInt32LE(local) !== 0x04034b50) return { ok: false, reason: 'corrupt', message: `bad local header for ${h.name}` };
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + h.csize);
    let bytes: Buffer;
    if (h.method === 0) bytes = Buffer.from(data);
    else if (h.method === 8) bytes = inflateRawSync(data, { maxOutputLength: Math.max(1, left) });
    else return { ok: false, reason: 'unsupported', message: `${h.name} uses zip method ${h.method}` };
    left -= bytes.length;
    if (left < 0) return { ok: false, reason: 'over_limit', message: `unpacks to more than ${budget} bytes` };
    entries.push({ name: h.name, bytes });
  }
  return { ok: true, entries };
}
