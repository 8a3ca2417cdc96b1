import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built web UI (`control-plane/web/dist`, made by `npm run build:web`), or undefined when it is not built. */
export function webDir(): string | undefined {
  const built = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  return existsSync(`${built}/index.html`) ? built : undefined;
}
