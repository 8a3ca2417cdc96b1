/**
 * Builds the browser UI into `control-plane/web/dist/`, which the control plane serves at `/`.
 * Everything is bundled (no CDN, no web fonts); the CSP is `default-src 'self'`, so the build
 * must emit no inline script — Vite's module entry is an external file.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./dist/', import.meta.url)),
    emptyOutDir: true,
    // Small images would become data: URIs, which the CSP allows only for images; keep it plain.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `vite --config control-plane/web/vite.config.ts` during development: the API of a running control plane.
    proxy: { '/api': 'http://127.0.0.1:8099', '/rooms': { target: 'http://127.0.0.1:8099', ws: true } },
  },
});
