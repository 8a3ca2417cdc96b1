import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built web UI if present (`control-plane/web/dist`), else the minimal built-in pages. */
export function webDir(): string {
  const built = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  if (existsSync(`${built}/index.html`)) return built;
  return fileURLToPath(new URL('./public/', import.meta.url));
}
