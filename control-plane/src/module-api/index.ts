/**
 * The contract between the server (`server/`) and the bounded contexts it runs: the core
 * dependencies passed to each (`CoreDeps`), what a module is given (`ModuleDeps`) and what it
 * contributes (`PlatformModule`: routes, handlers, background work).
 */

export type { CoreDeps } from './deps.ts';
export { defineModule, type ModuleDeps, type ModuleFactory, type PlatformModule } from './module.ts';
