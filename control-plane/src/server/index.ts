/** Starts one control plane: store, core services, the modules in order, the listener (`start.ts`). */

export { type RunningPlatform, startPlatform } from './start.ts';
export { configFromEnv, type ConfigInput, loadConfig } from './config.ts';
export type { AnyModuleFactory, PlatformModules } from './modules.ts';
