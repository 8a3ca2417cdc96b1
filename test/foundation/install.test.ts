/**
 * Installing the control plane as its image does: a clean clone of the committed state, then
 * `npm ci --omit=dev` (scripts off and the npm cache preferred, so the test needs no network and
 * builds nothing native), and every package the control plane's code imports resolves there, and
 * its entry points load. The image itself cannot be built here (no registry for its base image), so
 * its Dockerfile is read instead: every file it copies from the build context is in a clean clone,
 * and the image it ends with holds one Node runtime, node@24 from node_modules, which bin/tre runs.
 *
 * Set TRE_SKIP_INSTALL_TEST=1 to skip the clone and install (about 20 s, mostly `npm ci`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const skipInstall = process.env.TRE_SKIP_INSTALL_TEST === '1' ? 'TRE_SKIP_INSTALL_TEST=1' : undefined;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Packages the control plane imports at run time: value imports and re-exports (type-only ones are erased), and literal dynamic imports. */
function importedPackages(): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(join(repo, 'control-plane/src'))) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^;]*?\sfrom\s+)?'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/\bawait import\('([^']+)'\)/g)].map((m) => m[1]!),
    ];
    for (const s of specifiers) if (!s.startsWith('.') && !s.startsWith('node:')) found.add(s);
  }
  return [...found].sort();
}

interface Stage {
  from: string;
  lines: string[];
}

/** The Dockerfile's stages, each with its instructions (continuation lines joined). */
function stages(dockerfile: string): Stage[] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) out.push({ from: line, lines: [] });
    else out.at(-1)!.lines.push(line);
  }
  return out;
}

describe.skipIf(skipInstall !== undefined)(`npm ci --omit=dev in a clean clone${skipInstall ? ` (skipped: ${skipInstall})` : ''}`, () => {
  let clone = '';
  beforeAll(async () => {
    clone = mkdtempSync(join(tmpdir(), 'tre-clean-clone-'));
    const { stdout: head } = await run('git', ['-C', repo, 'rev-parse', 'HEAD']);
    await run('git', ['clone', '--quiet', '--no-checkout', repo, clone]);
    await run('git', ['-C', clone, 'checkout', '--quiet', head.trim()]);
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, maxBuffer: 16 * 1024 * 1024 });
  }, 180_000);
  afterAll(() => {
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('resolves every package the control plane imports, and loads its entry points', async () => {
    const packages = importedPackages();
    expect(packages).toContain('express');
    const probe = join(clone, 'resolve-probe.mjs');
    writeFileSync(
      probe,
      [
        `const unresolved = [];`,
        `for (const p of ${JSON.stringify(packages)}) { try { import.meta.resolve(p); } catch { unresolved.push(p); } }`,
        `await import('./control-plane/src/server/start.ts');`,
        `await import('./control-plane/src/cli/main.ts');`,
        `process.stdout.write(JSON.stringify({ unresolved }));`,
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: clone });
    expect(JSON.parse(stdout)).toEqual({ unresolved: [] });
  }, 60_000);

  it('installs Node 24 itself as a production dependency and no development tool', () => {
    const pkg = (name: string) => JSON.parse(readFileSync(join(clone, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    expect(pkg('node').version).toMatch(/^24\./);
    const present = ['vitest', 'typescript', 'vite', '@biomejs/biome'].filter((name) => {
      try {
        return statSync(join(clone, 'node_modules', name)).isDirectory();
      } catch {
        return false;
      }
    });
    expect(present).toEqual([]);
  });
});

describe('the control plane image (control-plane/Dockerfile)', () => {
  const dockerfile = readFileSync(join(repo, 'control-plane/Dockerfile'), 'utf8');
  const all = stages(dockerfile);
  const image = all.at(-1)!;

  it('copies from the build context only what a clean clone has', async () => {
    const { stdout } = await run('git', ['-C', repo, 'ls-files']);
    const tracked = stdout.split('\n').filter(Boolean);
    const sources = all
      .flatMap((s) => s.lines)
      .filter((l) => /^COPY\s/i.test(l) && !/--from=/i.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(0);
    const missing = sources.filter((src) => !tracked.some((f) => f === src || f.startsWith(`${src.replace(/\/$/, '')}/`)));
    expect(missing).toEqual([]);
  });

  it('ends in an image with one Node runtime: node@24 from node_modules, run by bin/tre, no Node base image and no Debian nodejs or npm', () => {
    expect(image.from).not.toMatch(/\bnode\b|nodejs/i);
    expect(image.lines.filter((l) => /^RUN\s/i.test(l) && /\b(nodejs|npm|node)\b/.test(l))).toEqual([]);
    // node_modules comes from a stage that installed the production dependencies with npm ci.
    const from = /--from=(\S+)\s+\/app\/node_modules\s+node_modules/.exec(image.lines.join('\n'))?.[1];
    const installer = all.find((s) => new RegExp(`\\sAS\\s+${from}$`, 'i').test(s.from));
    expect(installer?.lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(image.lines).toContain('ENTRYPOINT ["/app/bin/tre"]');
    const tre = readFileSync(join(repo, 'bin/tre'), 'utf8');
    expect(tre).toContain('node="$root/node_modules/node/bin/node"');
    expect(tre).toMatch(/^exec "\$node" /m);
  });

  it('holds every file of the installation the control plane reads at run time', () => {
    // `new URL('../…', import.meta.url)` outside a file's own folder: the installation's files.
    const read = sourceFiles(join(repo, 'control-plane/src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/new URL\('(\.\.\/[^']*)', import\.meta\.url\)/g)].map((m) =>
        relative(repo, fileURLToPath(new URL(m[1]!, pathToFileURL(file)))).replace(/\/$/, ''),
      ),
    );
    const copied = image.lines.filter((l) => /^COPY\s/i.test(l)).map((l) => l.split(/\s+/).at(-1)!.replace(/\/$/, ''));
    const notRead = new Map([
      ['', "the installation folder itself (privileges/ keeps it out of the service account's reach)"],
      ['workspace-images/build/rootfs', "a checkout's room file system for the local driver; the image runs the Kubernetes driver"],
    ]);
    const missing = [...new Set(read)].filter((p) => !notRead.has(p) && !copied.some((c) => p === c || p.startsWith(`${c}/`)));
    expect(read).toContain('k8s/rooms');
    expect(missing).toEqual([]);
  });

  it('the Deployment runs this image as the user the image makes', () => {
    const deployment = readFileSync(join(repo, 'k8s/base/deployment.yaml'), 'utf8');
    const uid = /useradd --system --uid (\d+)/.exec(dockerfile)?.[1];
    expect(deployment).toContain(`runAsUser: ${uid}`);
  });
});
