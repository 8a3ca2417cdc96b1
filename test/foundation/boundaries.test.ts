/**
 * The folder rules (`.dependency-cruiser.cjs`) and the codemod that brings imports in line with
 * them (`scripts/dev/index-imports.ts`), run for real on a small tree of their own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CODEMOD = join(REPO, 'scripts/dev/index-imports.ts');

const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', allowImportingTsExtensions: true, noEmit: true } }),
  'control-plane/src/a/index.ts': "export { foo } from './x.ts';\n",
  'control-plane/src/a/x.ts': 'export const foo = 1;\nexport const baz = 2;\nexport type Bar = { n: number };\n',
  // A folder's own files import each other freely.
  'control-plane/src/a/own.ts': "import { baz } from './x.ts';\nexport const own = baz;\n",
  'control-plane/src/b/y.ts': [
    "import { foo, baz, type Bar } from '../a/x.ts';",
    "import { foo as again } from '../a/index.ts';",
    'export const y: Bar = { n: foo + baz + again };',
    '',
  ].join('\n'),
  'test/t.test.ts': "import { baz } from '../control-plane/src/a/x.ts';\nexport const t = baz;\n",
  // A cycle of types only.
  'control-plane/src/c/p.ts': "import type { Q } from './q.ts';\nexport type P = { q?: Q };\n",
  'control-plane/src/c/q.ts': "import type { P } from './p.ts';\nexport type Q = { p?: P };\n",
};

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tree(): string {
  dir = mkdtempSync(join(tmpdir(), 'tre-boundaries-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function violations(root: string): { rule: string; from: string; to: string }[] {
  const r = spawnSync(process.execPath, [DEPCRUISE, '--config', join(REPO, '.dependency-cruiser.cjs'), '-T', 'json', 'control-plane/src', 'test'], {
    cwd: root,
    encoding: 'utf8',
  });
  const out = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return out.summary.violations
    .map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }))
    .sort((a, b) => `${a.rule}${a.from}`.localeCompare(`${b.rule}${b.from}`));
}

const codemod = (root: string, ...args: string[]) => spawnSync(process.execPath, [CODEMOD, '--root', root, ...args], { encoding: 'utf8' });

describe('folder boundaries', () => {
  it('refuses an import around a folder index.ts, from code and tests, and a cycle of types; allows a folder its own files', () => {
    const root = tree();
    expect(violations(root)).toEqual([
      { rule: 'no-cycles', from: 'control-plane/src/c/p.ts', to: 'control-plane/src/c/q.ts' },
      { rule: 'only-index-across-folders', from: 'control-plane/src/b/y.ts', to: 'control-plane/src/a/x.ts' },
      { rule: 'only-index-from-tests-and-benches', from: 'test/t.test.ts', to: 'control-plane/src/a/x.ts' },
    ]);
  });

  it('the codemod imports through index.ts, adds the re-exports the index lacks, and changes nothing when run again', () => {
    const root = tree();
    const first = codemod(root);
    expect(first.status).toBe(0);
    expect(readFileSync(join(root, 'control-plane/src/b/y.ts'), 'utf8')).toBe(
      "import { foo, baz, type Bar, foo as again } from '../a/index.ts';\nexport const y: Bar = { n: foo + baz + again };\n",
    );
    expect(readFileSync(join(root, 'test/t.test.ts'), 'utf8')).toBe("import { baz } from '../control-plane/src/a/index.ts';\nexport const t = baz;\n");
    expect(readFileSync(join(root, 'control-plane/src/a/index.ts'), 'utf8')).toBe("export { foo } from './x.ts';\nexport { type Bar, baz } from './x.ts';\n");
    expect(readFileSync(join(root, 'control-plane/src/a/own.ts'), 'utf8')).toBe(FILES['control-plane/src/a/own.ts']);
    expect(violations(root).map((v) => v.rule)).toEqual(['no-cycles']);
    const again = codemod(root, '--check');
    expect([again.status, again.stdout]).toEqual([0, '']);
  });
});
