/**
 * The explorer (issue 14): protected statistics across the registers without a room and without
 * a record leaving the server — counts of persons and records under the cell-key method, magnitudes
 * under nk and p%, a daily query budget, every query audited; and synthetic dummy data shaped like a permit.
 */
import { keptSecret } from '../secrets/index.ts';
import { defineModule, type PlatformModule } from '../module-api/index.ts';
import { loadPolicySet } from '../policies/index.ts';
import { createExploreEngine } from './engine.ts';
import { exploreRoutes } from './routes.ts';
import { randomBytes } from 'node:crypto';

export interface ExploreModuleOptions {
  /** The policy directory (default: the repository's `policies/`). */
  policyDir?: string;
  /** The profile whose `explore:` section is in force (default `default`). */
  profile?: string;
}

export function exploreModuleWith(opts: ExploreModuleOptions = {}) {
  return defineModule('explore', async (deps): Promise<PlatformModule> => {
    const set = await loadPolicySet(opts.policyDir);
    const name = opts.profile ?? 'default';
    const profile = set.profiles.get(name);
    if (!profile) throw new Error(`no policy profile '${name}' for the explorer`);
    let secret: Promise<string> | null = null;
    const engine = createExploreEngine({
      dataDir: deps.paths.dataDir,
      recordKeySecret: () => (secret ??= keptSecret(deps.store, deps.box, 'explore-record-key', () => randomBytes(32)).then((b) => b.toString('hex'))),
    });
    return {
      name: 'explore',
      routes: exploreRoutes({ store: deps.store, clock: deps.clock, engine, rules: profile.explore, profile: name, sources: [profile.file] }),
      async stop() {
        engine.close();
      },
    };
  });
}

/** The explorer with the repository's policies: the default of its slot (`server/modules.ts`). */
export const exploreModule = exploreModuleWith();

export { createExploreEngine, type ExploreEngine, type ExploreResult } from './engine.ts';
export * from './schemas.ts';
