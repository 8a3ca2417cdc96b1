import type { ModuleFactory } from '../server/module.ts';
import { auditQueryRoutes } from './routes.ts';

/** Auditor tools: queries, counts, trails, project histories, exports. */
export const auditModule: ModuleFactory = (deps) => ({
  name: 'audit',
  routes: [...auditQueryRoutes(deps)],
});
