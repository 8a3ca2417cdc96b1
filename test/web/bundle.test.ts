/**
 * The UI shares the server's types, not its code: what the browser bundle holds of the server is
 * the plain constants it shows as choices, never zod or a module that runs on the server. A value
 * import of a schema module (instead of `import type`) fails here.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rollup } from 'vite';
import { WEB_ROOT } from '../e2e/build-ui.ts';

const SERVER_SRC = join(WEB_ROOT, '..', 'src');
/** Server modules the UI may bundle: constants without imports. */
const SHARED_VALUES = [
  join(SERVER_SRC, 'dialogue', 'limits.ts'),
  join(SERVER_SRC, 'notifications', 'texts.ts'),
  join(SERVER_SRC, 'projects', 'legal-bases.ts'),
];

async function bundledModules(): Promise<string[]> {
  const { build } = await import('vite');
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    const out = (await build({
      configFile: join(WEB_ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'silent',
      build: { write: false },
    })) as Rollup.RollupOutput;
    return out.output.flatMap((o) => (o.type === 'chunk' ? Object.keys(o.modules) : []));
  } finally {
    process.env.NODE_ENV = env;
  }
}

describe('the web bundle', () => {
  it('holds no zod and no server module but the shared constants', async () => {
    const modules = await bundledModules();
    expect(modules.some((m) => m.startsWith(join(WEB_ROOT, 'src')))).toBe(true);
    expect(modules.filter((m) => /[/\\]node_modules[/\\]zod[/\\]/.test(m))).toEqual([]);
    expect(modules.filter((m) => m.startsWith(SERVER_SRC)).sort()).toEqual(SHARED_VALUES);
  }, 120_000);
});
