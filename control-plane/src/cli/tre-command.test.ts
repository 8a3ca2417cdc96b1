import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRE_BIN, treCommand } from './tre-command.ts';

const base = mkdtempSync(join(tmpdir(), 'tre-command-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the tre command a message prints', () => {
  it('is the absolute path of bin/tre when no tre is on PATH', () => {
    expect(treCommand({ PATH: '/usr/bin:/bin' })).toBe(TRE_BIN);
  });

  it('is plain tre when the first tre on PATH is this one, through a link as a global install makes', () => {
    const linked = join(base, 'global-bin');
    mkdirSync(linked);
    symlinkSync(TRE_BIN, join(linked, 'tre'));
    expect(treCommand({ PATH: `/usr/bin:${linked}` })).toBe('tre');
  });

  it('is the absolute path when another tre comes first on PATH', () => {
    const other = join(base, 'other-bin');
    mkdirSync(other);
    writeFileSync(join(other, 'tre'), '#!/bin/sh\n', { mode: 0o755 });
    expect(treCommand({ PATH: `${other}:${join(base, 'global-bin')}` })).toBe(TRE_BIN);
  });

  it('quotes a path the shell would split', () => {
    expect(treCommand({ PATH: '' }, '/opt/my tre/bin/tre')).toBe(`'/opt/my tre/bin/tre'`);
  });
});
