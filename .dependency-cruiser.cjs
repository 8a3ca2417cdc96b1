/**
 * The two boundary rules of control-plane/src/ (ARCHITECTURE.md), checked by `npm run check:deps`.
 *
 * 1. Across folders, only a folder's index.ts. A bounded context is a top-level folder of
 *    control-plane/src/; its files import each other freely, nested folders included
 *    (rooms/drivers/local/, cli/commands/ are the context's own structure, not surfaces of their
 *    own). Anything else, tests under test/ and benchmarks under bench/ included, imports the
 *    context through its index.ts. Tests beside the code (control-plane/src/<ctx>/*.test.ts) are
 *    inside their context and may import its internals.
 * 2. No cycles, type-only imports included: a cycle of types is still two folders that cannot be
 *    understood, or changed, one without the other.
 *
 * Together they make the folders a layered graph: an index.ts re-exports only its own folder's
 * files, so a cycle between folders would show up as a cycle between files.
 */
module.exports = {
  forbidden: [
    {
      name: 'only-index-across-folders',
      comment: 'Import another folder of control-plane/src/ through its index.ts (export what you need from there).',
      severity: 'error',
      from: { path: '^control-plane/src/([^/]+)/' },
      to: {
        path: '^control-plane/src/[^/]+/',
        pathNot: ['^control-plane/src/$1/', '^control-plane/src/[^/]+/(index|schemas)\\.ts$'],
      },
    },
    {
      name: 'only-index-from-tests-and-benches',
      comment: 'Tests under test/ and benchmarks under bench/ use a context through its index.ts, like any other caller.',
      severity: 'error',
      from: { path: '^(test|bench)/' },
      to: {
        path: '^control-plane/src/[^/]+/',
        pathNot: ['^control-plane/src/[^/]+/(index|schemas)\\.ts$'],
      },
    },
    {
      name: 'contracts-stay-pure',
      comment: "A context's schemas.ts is the API contract the web UI and the CLI import too: zod and other contracts only, no Node built-in.",
      severity: 'error',
      from: { path: '^control-plane/src/[^/]+/schemas\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-cycles',
      comment: 'A cycle, type-only imports included; break it by moving the shared piece down a layer (ARCHITECTURE.md).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count (rule 2).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^control-plane/web/'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
