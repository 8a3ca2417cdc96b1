/**
 * Property: whatever path is asked for, in whatever tree of folders, files and links (to the
 * host, to the root, to each other, dangling), `openRoomFile` returns a regular file that really
 * lies under the root with no link on its way, or refuses with a domain error; a listing never
 * names what lies outside. Never a file outside the root.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../errors/index.ts';
import { listRoomTree } from './list-tree.ts';
import { openRoomFile } from './open-file.ts';

const NAMES = ['a', 'b', 'é', 'ü.csv', 'f.csv', '..a', '日本'];
const SECRET = 'HOST-SECRET';

let base: string;
let host: string;
let n = 0;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'tre-room-prop-')));
  host = join(base, 'host');
  mkdirSync(join(host, 'a'), { recursive: true });
  for (const name of NAMES) writeFileSync(join(host, `${name}-host`), SECRET);
  writeFileSync(join(host, 'a', 'f.csv'), SECRET);
  writeFileSync(join(host, 'f.csv'), SECRET);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

type Node = { kind: 'file' } | { kind: 'dir'; children: Record<string, Node> } | { kind: 'link'; target: string };

const linkTarget = fc.constantFrom('HOST', 'HOST/a', 'HOST/f.csv', '..', '../..', '.', 'a', 'a/f.csv', '/etc', '/etc/passwd', 'nowhere', 'ROOT', 'ROOT/a');
const tree: fc.Arbitrary<Record<string, Node>> = fc.letrec<{ node: Node; dir: Record<string, Node> }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant({ kind: 'file' as const }),
    linkTarget.map((target) => ({ kind: 'link' as const, target })),
    tie('dir').map((children) => ({ kind: 'dir' as const, children })),
  ),
  dir: fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { maxKeys: 4 }),
})).dir;

const segment = fc.oneof(fc.constantFrom(...NAMES, '..', '.', '', '\0', 'a\0b', '\ud800', '/', 'HOST', '\u202e', ' '), fc.string({ maxLength: 4 }));
const requested = fc.oneof(
  fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => s.join('/')),
  fc.array(segment, { maxLength: 3 }).map((s) => `/${s.join('/')}`),
  fc.constantFrom('HOST/f.csv', 'HOST/a/f.csv'),
  // Paths that name a file when the tree has one there: the property must also see opens succeed.
  fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
);

function build(dir: string, root: string, nodes: Record<string, Node>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, node] of Object.entries(nodes)) {
    const at = join(dir, name);
    if (node.kind === 'file') writeFileSync(at, `own:${at.slice(root.length)}`);
    else if (node.kind === 'dir') build(at, root, node.children);
    else symlinkSync(node.target.replace('HOST', host).replace('ROOT', root), at);
  }
}

/** The file the lexical path names under `root` when no component is a link, else null. */
function plainFileUnder(root: string, rel: string): string | null {
  let at = root;
  for (const part of rel.split('/')) {
    at = join(at, part);
    const st = lstatSync(at, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return null;
  }
  return lstatSync(at).isFile() ? at : null;
}

describe('room paths, for any tree and any path', () => {
  it('open returns a regular file really under the root, reached without a link, or refuses', async () => {
    let opens = 0;
    await fc.assert(
      fc.asyncProperty(tree, requested, async (nodes, path) => {
        const root = join(base, `r${n++}`);
        build(root, root, nodes);
        try {
          let opened;
          try {
            opened = await openRoomFile(root, path.replace('HOST', host), { label: '/outputs' });
          } catch (err) {
            expect(err).toBeInstanceOf(DomainError);
            return;
          }
          try {
            const bytes = (await opened.handle.readFile()).toString();
            const st = await opened.handle.stat();
            const file = plainFileUnder(root, opened.rel);
            expect(file, `${JSON.stringify(path)} opened ${opened.rel}`).not.toBeNull();
            expect([st.dev, st.ino]).toEqual([lstatSync(file!).dev, lstatSync(file!).ino]);
            expect(bytes).not.toContain(SECRET);
            expect(bytes).toBe(readFileSync(file!, 'utf8'));
            opens++;
          } finally {
            await opened.handle.close();
          }
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 300 },
    );
    expect(opens, 'some paths name a file of the tree').toBeGreaterThan(0);
  });

  it('a listing names only what lies under the root, each entry reached without a link', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (nodes) => {
        const root = join(base, `l${n++}`);
        build(root, root, nodes);
        try {
          for (const e of await listRoomTree(root, { maxEntries: 1000, maxDepth: 8 })) {
            expect(e.path).not.toContain('-host');
            const parts = e.path.split('/');
            for (let i = 1; i < parts.length; i++) expect(lstatSync(join(root, ...parts.slice(0, i))).isDirectory(), e.path).toBe(true);
            expect(lstatSync(join(root, e.path)).isSymbolicLink()).toBe(e.kind === 'symlink');
          }
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 200 },
    );
  });
});
