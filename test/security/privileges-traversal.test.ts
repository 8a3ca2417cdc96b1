/**
 * The start-time check that the service account can pass through the folders above the data
 * directory (privileges/traversal.ts) agrees with the kernel, for any owner, group and mode: each
 * case makes a real folder and asks the kernel, as the account, to reach a file inside it.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canTraverse, ensureServiceAccount } from '../../control-plane/src/privileges/index.ts';
import { traversableTempDir } from '../support/tre.ts';

const run = promisify(execFile);
const notRoot = process.getuid?.() !== 0 ? 'not running as root' : undefined;

describe.skipIf(notRoot !== undefined)(`data directory traversal check${notRoot ? ` (skipped: ${notRoot})` : ''}`, () => {
  let base = '';
  beforeAll(() => {
    base = traversableTempDir('tre-traversal-');
  });
  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('predicts exactly whether the service account can pass a folder, for any owner, group and mode', async () => {
    const account = ensureServiceAccount('analyserom');
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, account.uid, 65534),
        fc.constantFrom(0, account.gid, 65534),
        fc.integer({ min: 0, max: 0o777 }),
        async (uid, gid, mode) => {
          const dir = join(base, `d${n++}`);
          mkdirSync(dir);
          writeFileSync(join(dir, 'inside'), '');
          chownSync(dir, uid, gid);
          chmodSync(dir, mode);
          const kernel = await run('setpriv', [
            `--reuid=${account.uid}`,
            `--regid=${account.gid}`,
            `--groups=${account.gid}`,
            '--',
            'test',
            '-e',
            join(dir, 'inside'),
          ]).then(
            () => true,
            () => false,
          );
          const st = statSync(dir);
          expect(canTraverse({ path: dir, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 }, account.uid, [account.gid])).toBe(kernel);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
