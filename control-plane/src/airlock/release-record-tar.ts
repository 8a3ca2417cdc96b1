/**
 * The release record's serialisation: a POSIX ustar archive (POSIX.1-1988 `ustar`, the format
 * RFC 8500 section 4 names among a bag's serialisations), written byte for byte the same for the same
 * files: entries in the order given, regular files only (directories are implied by the names),
 * mode 0644, owner 0/0, no user or group names, one fixed modification time.
 * The reader takes only what the writer writes, and refuses anything else a hostile archive could
 * carry: links, devices, absolute or `..` names, names over 100 bytes, bad header checksums, duplicates.
 */

const BLOCK = 512;

export interface TarEntry {
  /** `/`-separated, relative, at most 100 bytes. */
  name: string;
  bytes: Buffer;
}

/** A name the writer accepts and the reader returns: relative, no `.`/`..` segments, printable ASCII. */
export function isSafeEntryName(name: string): boolean {
  return /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) && Buffer.byteLength(name) <= 100 && !name.split('/').some((s) => s === '.' || s === '..');
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'ascii');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\x0000', 257, 'binary');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** The archive of `entries` in their order, every entry dated `mtime` (seconds since 1970). */
export function writeTar(entries: readonly TarEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (!isSafeEntryName(e.name)) throw new RangeError(`unsafe archive entry name: ${JSON.stringify(e.name)}`);
    parts.push(header(e.name, e.bytes.length, mtime), e.bytes);
    const pad = (BLOCK - (e.bytes.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

export type TarRead = { ok: true; entries: Map<string, Buffer> } | { ok: false; message: string };

function field(h: Buffer, start: number, length: number): string {
  const raw = h.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('latin1');
}

/** The regular files of an archive as `writeTar` writes it; a string says what is wrong. */
export function readTar(archive: Buffer, limits: { maxEntries: number }): TarRead {
  const entries = new Map<string, Buffer>();
  let at = 0;
  while (at + BLOCK <= archive.length) {
    const h = archive.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) return { ok: true, entries };
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
    if (Number.parseInt(field(h, 148, 8).trim(), 8) !== sum) return { ok: false, message: `bad header checksum at byte ${at}` };
    const name = field(h, 0, 100);
    const type = field(h, 156, 1);
    if (field(h, 345, 155) !== '') return { ok: false, message: `entry ${JSON.stringify(name)} uses a name prefix` };
    if (type !== '0' && type !== '') return { ok: false, message: `entry ${JSON.stringify(name)} is not a regular file (type ${JSON.stringify(type)})` };
    if (!isSafeEntryName(name)) return { ok: false, message: `unsafe entry name ${JSON.stringify(name)}` };
    const size = Number.parseInt(field(h, 124, 12).trim(), 8);
    if (!Number.isSafeInteger(size) || size < 0 || at + BLOCK + size > archive.length) return { ok: false, message: `entry ${name} has a bad size` };
    if (entries.has(name)) return { ok: false, message: `entry ${name} appears twice` };
    if (entries.size >= limits.maxEntries) return { ok: false, message: `more than ${limits.maxEntries} entries` };
    entries.set(name, archive.subarray(at + BLOCK, at + BLOCK + size));
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return { ok: false, message: 'the archive ends without its end-of-archive blocks' };
}
