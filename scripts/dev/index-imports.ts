/**
 * Codemod for the folder rule of `.dependency-cruiser.cjs`: every import of another folder's file
 * (`../rooms/service.ts`) becomes an import of that folder's index.ts (`../rooms/index.ts`), and
 * the index gains the re-exports it lacks. Re-runnable: a second run changes nothing.
 *
 *   node scripts/dev/index-imports.ts          rewrite in place, list what changed
 *   node scripts/dev/index-imports.ts --check  exit 1 when something would change
 *   ... --root DIR                             work on another tree than this repository
 *
 * `MOVED` maps files that moved between folders to where they are now, so a branch written
 * against the old place is rewritten too. Imports it cannot rewrite safely (default and namespace
 * imports, side-effect imports, a name two files of one folder export) are listed and left alone.
 * Files are parsed with TypeScript; only the import declarations it rewrites change.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const rootArg = process.argv.indexOf('--root');
/** The repository (`--root DIR` for another tree: the codemod's own test). */
const ROOT = rootArg > 0 ? resolve(process.argv[rootArg + 1] ?? '.') : resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'control-plane/src');
const SCAN = ['control-plane/src', 'test', 'bench'].map((d) => join(ROOT, d)).filter((d) => existsSync(d));

/** Old path → new path, relative to control-plane/src. */
const MOVED: Record<string, string> = {
  'platform/deps.ts': 'module-api/deps.ts',
  'platform/module.ts': 'module-api/module.ts',
  'audit/types.ts': 'platform/audit.ts',
  'identity/roles.ts': 'platform/roles.ts',
};

/** Names that moved out of an index (the file they are in now, relative to control-plane/src). */
const MOVED_NAMES: Record<string, Record<string, string>> = {
  'identity/index.ts': { Principal: 'platform/roles.ts', Role: 'platform/roles.ts', roleSchema: 'platform/roles.ts', PRIVILEGED_ROLES: 'platform/roles.ts' },
  'config/index.ts': { loadConfig: 'server/config.ts', configFromEnv: 'server/config.ts', configSchema: 'server/config.ts', ConfigInput: 'server/config.ts' },
  'audit/index.ts': {
    AuditEntry: 'platform/audit.ts',
    AuditEntryInput: 'platform/audit.ts',
    AuditOutcome: 'platform/audit.ts',
    AuditService: 'platform/audit.ts',
  },
};

const check = process.argv.includes('--check');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The top-level folder of control-plane/src a path lies in, or null (tests, benches). */
function contextOf(file: string): string | null {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? (parts[0] ?? null) : null;
}

function toSpecifier(from: string, target: string): string {
  let s = relative(dirname(from), target).split(sep).join('/');
  if (!s.startsWith('.')) s = `./${s}`;
  return s;
}

interface Name {
  name: string;
  alias?: string;
  typeOnly: boolean;
}

/** Re-exports each index must gain: index path → source file → names. */
const wanted = new Map<string, Map<string, Map<string, boolean>>>();
const problems: string[] = [];
const changedFiles: string[] = [];

function want(index: string, source: string, name: string, typeOnly: boolean) {
  const bySource = wanted.get(index) ?? new Map<string, Map<string, boolean>>();
  wanted.set(index, bySource);
  const names = bySource.get(source) ?? new Map<string, boolean>();
  bySource.set(source, names);
  // A name wanted as a value anywhere is re-exported as a value.
  names.set(name, (names.get(name) ?? true) && typeOnly);
}

function resolveTarget(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const abs = resolve(dirname(file), spec);
  const rel = relative(SRC, abs).split(sep).join('/');
  if (rel.startsWith('..')) return null;
  const moved = MOVED[rel];
  return moved && !existsSync(abs) ? join(SRC, moved) : abs;
}

function namesOf(clause: ts.ImportClause | undefined, sf: ts.SourceFile): Name[] | null {
  if (!clause || clause.name || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) return null;
  return clause.namedBindings.elements.map((e) => ({
    name: (e.propertyName ?? e.name).getText(sf),
    ...(e.propertyName ? { alias: e.name.getText(sf) } : {}),
    typeOnly: clause.isTypeOnly || e.isTypeOnly,
  }));
}

function printImport(names: Name[], spec: string): string {
  const allTypes = names.every((n) => n.typeOnly);
  const parts = names.map((n) => `${!allTypes && n.typeOnly ? 'type ' : ''}${n.name}${n.alias ? ` as ${n.alias}` : ''}`);
  return `import ${allTypes ? 'type ' : ''}{ ${parts.join(', ')} } from '${spec}';`;
}

const files = SCAN.flatMap((d) => walk(d));

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
  const from = contextOf(file);
  const edits: { start: number; end: number; text: string }[] = [];
  const where = (n: ts.Node) => `${relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;

  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) {
        const target = resolveTarget(file, arg.text);
        if (target && needsIndex(from, target)) problems.push(`${where(node)}: dynamic import of ${arg.text}; import its index.ts by hand`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);

  /** Named imports by the specifier they end up with; printed where the first of them stood. */
  const buckets = new Map<string, { names: Name[]; at: ts.ImportDeclaration; from: Set<ts.ImportDeclaration> }>();
  const rewritten = new Set<ts.ImportDeclaration>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) continue;
    const specNode = st.moduleSpecifier;
    if (!specNode || !ts.isStringLiteral(specNode)) continue;
    const target = resolveTarget(file, specNode.text);
    if (!target) continue;
    const names = ts.isImportDeclaration(st) ? namesOf(st.importClause, sf) : null;
    if (!ts.isImportDeclaration(st) || !names) {
      // Re-exports, default, namespace and side-effect imports: only a moved file's path is fixed.
      if (needsIndex(from, target)) {
        problems.push(
          `${where(st)}: ${ts.isExportDeclaration(st) ? 're-export' : st.importClause ? 'default or namespace import' : 'side-effect import'} of ${specNode.text}; rewrite by hand`,
        );
      } else {
        const spec = toSpecifier(file, target);
        if (spec !== specNode.text) edits.push({ start: specNode.getStart(sf), end: specNode.getEnd(), text: `'${spec}'` });
      }
      continue;
    }
    const movedNames = MOVED_NAMES[relative(SRC, target).split(sep).join('/')] ?? {};
    const groups = new Map<string, Name[]>();
    for (const n of names) {
      const t = movedNames[n.name] ? join(SRC, movedNames[n.name]!) : target;
      groups.set(t, [...(groups.get(t) ?? []), n]);
    }
    const finals: [string, Name[]][] = [];
    for (const [t, ns] of groups) {
      if (needsIndex(from, t)) {
        const index = join(SRC, contextOf(t)!, 'index.ts');
        for (const n of ns) want(index, toSpecifier(index, t), n.name, n.typeOnly);
        finals.push([toSpecifier(file, index), ns]);
      } else {
        finals.push([toSpecifier(file, t), ns]);
      }
    }
    if (finals.length !== 1 || finals[0]![0] !== specNode.text) rewritten.add(st);
    for (const [spec, ns] of finals) {
      const b = buckets.get(spec) ?? { names: [], at: st, from: new Set<ts.ImportDeclaration>() };
      buckets.set(spec, b);
      b.names.push(...ns);
      b.from.add(st);
    }
  }
  // A bucket fed by a rewritten import, or by two imports, is printed anew at its first statement.
  const reprint = [...buckets].filter(([, b]) => b.from.size > 1 || [...b.from].some((st) => rewritten.has(st)));
  const touched = new Set(reprint.flatMap(([, b]) => [...b.from]));
  for (const st of touched) {
    const here = [...buckets].filter(([, b]) => b.at === st);
    if (!here.length) {
      edits.push({ start: st.getFullStart(), end: st.getEnd(), text: '' });
      continue;
    }
    const lines = here.map(([spec, b]) => printImport([...new Map(b.names.map((n) => [`${n.name} as ${n.alias ?? n.name}`, n])).values()], spec));
    edits.push({ start: st.getStart(sf), end: st.getEnd(), text: lines.join('\n') });
  }
  if (!edits.length) continue;
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  if (out !== text) {
    changedFiles.push(relative(ROOT, file));
    if (!check) writeFileSync(file, out);
  }
}

function needsIndex(from: string | null, target: string): boolean {
  const to = contextOf(target);
  if (!to || to === from) return false;
  // A folder's schemas.ts is its second public surface: the API contract, read by the web UI's type check too.
  const file = relative(join(SRC, to), target);
  return file !== 'index.ts' && file !== 'schemas.ts';
}

/** Names an index exports now: declared in it, or re-exported (by name or `export *`). */
function exportsOf(index: string): { names: Map<string, string | null>; star: string[] } {
  const names = new Map<string, string | null>();
  const star: string[] = [];
  if (!existsSync(index)) return { names, star };
  const sf = ts.createSourceFile(index, readFileSync(index, 'utf8'), ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
      if (!st.exportClause && from) star.push(from);
      else if (st.exportClause && ts.isNamedExports(st.exportClause)) for (const e of st.exportClause.elements) names.set(e.name.text, from);
    } else if (ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) names.set(d.name.getText(sf), null);
      else if ('name' in st && st.name) names.set((st.name as ts.Identifier).text, null);
    }
  }
  return { names, star };
}

/** Names a file exports (declared or re-exported), to follow `export *`. */
function declaredIn(file: string): Set<string> {
  const { names } = exportsOf(file);
  return new Set(names.keys());
}

for (const [index, bySource] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
  const { names: have, star } = exportsOf(index);
  const viaStar = new Set(star.flatMap((s) => [...declaredIn(resolve(dirname(index), s))]));
  const lines: string[] = [];
  for (const [source, names] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    const add: string[] = [];
    for (const [name, typeOnly] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
      if (viaStar.has(name)) continue;
      if (have.has(name)) {
        const from = have.get(name);
        if (from !== null && from !== undefined && from !== source)
          problems.push(`${relative(ROOT, index)}: ${name} is exported from ${from}, wanted from ${source}`);
        continue;
      }
      add.push(typeOnly ? `type ${name}` : name);
    }
    if (!add.length) continue;
    const allTypes = add.every((a) => a.startsWith('type '));
    const list = allTypes ? add.map((a) => a.slice(5)) : add;
    lines.push(`export ${allTypes ? 'type ' : ''}{ ${list.join(', ')} } from '${source}';`);
  }
  if (!lines.length) continue;
  changedFiles.push(relative(ROOT, index));
  if (check) continue;
  const before = existsSync(index) ? readFileSync(index, 'utf8') : `/** The public surface of ${relative(SRC, dirname(index))}/. */\n`;
  // Appended below what is there; a blank line first unless the index ends in re-exports already.
  const trimmed = before.replace(/\n*$/, '\n');
  const gap = /^export [^\n]* from '[^']+';\n$/m.test(trimmed.split('\n').slice(-2).join('\n')) ? '' : '\n';
  writeFileSync(index, `${trimmed}${gap}${lines.join('\n')}\n`);
}

for (const f of [...new Set(changedFiles)].sort()) console.log(`${check ? 'would change' : 'changed'}: ${f}`);
for (const p of problems) console.error(`not rewritten: ${p}`);
if (check && changedFiles.length) process.exit(1);
if (problems.length) process.exitCode = 2;
