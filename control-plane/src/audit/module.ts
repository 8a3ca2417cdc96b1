import { defineModule, type PlatformModule } from '../module-api/index.ts';
import { createCheckpointPublisher } from './checkpoint-publish.ts';
import { checkpointRoutes } from './checkpoint-routes.ts';
import { enforceRetention } from './retention.ts';
import { auditQueryRoutes } from './routes.ts';
import { checkpointSigningKey } from './signing-key.ts';

/**
 * Auditor tools (queries, counts, trails, project histories, exports) and the log's signed
 * checkpoints: published every `auditCheckpointSeconds` and on demand, with inclusion and
 * consistency proofs that anyone verifies offline with the public key.
 */
export const auditModule = defineModule('audit', async (deps): Promise<PlatformModule> => {
  await enforceRetention(deps.store, deps.config.auditRetentionDays);
  const key = await checkpointSigningKey(deps.store, deps.box);
  const origin = deps.config.auditLogOrigin;
  const publisher = createCheckpointPublisher({ store: deps.store, clock: deps.clock, privateKey: key.privateKey, origin });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const publish = () => {
    running = publisher.publish().catch((err: unknown) => deps.logger.error('checkpoint publish failed', { error: String(err) }));
  };
  return {
    name: 'audit',
    routes: [...auditQueryRoutes(deps), ...checkpointRoutes(deps, publisher, { publicKey: key.publicKey, keyName: origin })],
    async start() {
      publish();
      timer = setInterval(publish, deps.config.auditCheckpointSeconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
});
