import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtractHelper } from './extract-helper.ts';
import { sha256File } from './generator.ts';
import { PersonLog } from './person-log.ts';

describe('extract helper thread', () => {
  let dir: string;
  const helper = new ExtractHelper();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'extract-helper-'));
  });
  afterAll(async () => {
    await helper.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes a file as sha256File does', async () => {
    const path = join(dir, 'f.bin');
    await writeFile(path, Buffer.alloc(5 << 20, 7));
    expect(await helper.hash(path)).toBe(await sha256File(path));
  });

  it('de-duplicates half of the persons with the main thread to the same result as alone', async () => {
    const rows = Float64Array.from({ length: 300_000 }, (_, i) => 1_000_000_000 + ((i * 7919) % 70_001) * 401_113);
    const shared = new PersonLog();
    const alone = new PersonLog();
    for (const log of [shared, alone])
      for (let off = 0; off < rows.length; off += 683) log.append(rows.subarray(off, off + 683), Math.min(683, rows.length - off));
    const got = await shared.distinctWith(helper.dedupe);
    expect(got.length).toBe(70_001);
    expect(Array.from(got)).toEqual(Array.from(alone.distinct()));
  });

  it('rejects a hash after it is closed, and does the work here when its thread is gone', async () => {
    const other = new ExtractHelper();
    await other.close();
    await expect(other.hash(join(dir, 'f.bin'))).resolves.toBe(await sha256File(join(dir, 'f.bin')));
  });
});
