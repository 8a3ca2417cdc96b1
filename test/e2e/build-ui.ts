/**
 * Builds the web UI with Vite's JS API when `control-plane/web/dist` is missing or older than
 * any of its sources, so the platform a test starts serves the current UI. Called before
 * `startTestPlatform`, which decides at start whether a built UI exists.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('../../control-plane/web/', import.meta.url));
const DIST_INDEX = join(WEB_ROOT, 'dist', 'index.html');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function uiIsStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  const sources = Math.max(
    newestMtime(join(WEB_ROOT, 'src')),
    newestMtime(join(WEB_ROOT, 'index.html')),
    newestMtime(join(WEB_ROOT, 'vite.config.ts')),
    // The server modules the UI bundles by value (test/web/bundle.test.ts holds it to them).
    newestMtime(join(WEB_ROOT, '..', 'src', 'projects', 'legal-bases.ts')),
    newestMtime(join(WEB_ROOT, '..', 'src', 'notifications', 'texts.ts')),
  );
  return sources > built;
}

/** One build at a time across test files running in parallel (a build empties `dist/` first). */
const LOCK = join(tmpdir(), 'analyserom-web-build.lock');

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than two minutes was left by a killed run.
      const st = statSync(LOCK, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function ensureUiBuilt(): Promise<void> {
  if (!uiIsStale()) return;
  await withLock(async () => {
    if (uiIsStale()) await build();
  });
}

async function build(): Promise<void> {
  const { build } = await import('vite');
  // Under vitest NODE_ENV is `test`, which would bundle React's development build.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = env;
  }
}
