import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['control-plane/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
    // Every route's answer is held to its response schema (http/response-check.ts).
    env: { TRE_CHECK_RESPONSES: '1' },
  },
});
