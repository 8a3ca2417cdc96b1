/**
 * The `data-copies` platform module: catalogue and intake routes, the copy reconcile loop, copy
 * routes, and in demo mode the demo registers. Offers the rooms module `currentCopyDir(projectId)`.
 *
 * Start-up stays fast: `start()` only sweeps leftovers, seeds the catalogue if empty and starts the
 * loop; the demo data work runs in the background and never blocks requests.
 */
import { demoCatalogue, loadCatalogue, saveCatalogue, catalogRoutes } from '../catalog/index.ts';
import { defineModule, type PlatformModule } from '../module-api/index.ts';
import { deliverDemoRegisters, linkDemoCitizen } from './demo-data.ts';
import { sweepIntakeLeftovers } from './intake.ts';
import { createCopyReconciler, type CopyReconciler } from './reconcile.ts';
import { sweepExtractLeftovers } from './reconcile-copy.ts';
import { copiesOptions, type CopiesOptions, type CopiesOptionsInput } from './reconcile-options.ts';
import { copyRoutes } from './routes-copies.ts';
import { intakeRoutes, sweepSpool } from './routes-intake.ts';

export type { CopiesOptions, CopiesOptionsInput } from './reconcile-options.ts';

export interface DataCopiesModule extends PlatformModule {
  reconciler: CopyReconciler;
  options: CopiesOptions;
  /** The newest undeleted copy's directory, or null (rooms mount it read-only as `/data`). */
  currentCopyDir(projectId: string): Promise<string | null>;
  /** Settles when the demo data work started by `start()` is done (tests). */
  demoReady(): Promise<void>;
}

/** The module with settings from the config's `copies` section, then `overrides`. */
export function createDataCopiesModule(overrides: CopiesOptionsInput = {}) {
  return defineModule('dataCopies', (deps): DataCopiesModule => {
    const options = copiesOptions(deps.config.copies, overrides);
    const act = { store: deps.store, clock: deps.clock, audit: deps.audit, box: deps.box, paths: deps.paths };
    const reconciler = createCopyReconciler({ ...act, logger: deps.logger, options });
    let demo: Promise<void> = Promise.resolve();
    const demoAbort = new AbortController();

    async function demoData(): Promise<void> {
      const started = Date.now();
      const delivered = await deliverDemoRegisters(act, { rows: options.demoRows, seed: options.demoSeed, signal: demoAbort.signal });
      demoAbort.signal.throwIfAborted();
      await linkDemoCitizen(act);
      if (delivered) deps.logger.info('demo registers delivered', { rows: options.demoRows, seconds: (Date.now() - started) / 1000 });
      reconciler.trigger();
    }

    return {
      name: 'data-copies',
      options,
      reconciler,
      routes: [
        ...catalogRoutes({ store: deps.store, dataDir: deps.paths.dataDir }),
        ...intakeRoutes({
          store: deps.store,
          clock: deps.clock,
          audit: deps.audit,
          dataDir: deps.paths.dataDir,
          bodyIdleTimeoutMs: deps.config.bodyIdleTimeoutMs,
        }),
        ...copyRoutes({ ...act, reconciler }),
      ],
      async currentCopyDir(projectId) {
        const [row] = await deps.store.query<{ v: number | null }>(
          'SELECT max(copy_version) AS v FROM data_copies WHERE project_id = $1 AND deleted_at IS NULL',
          [projectId],
        );
        return row?.v ? deps.paths.copy(projectId, Number(row.v)) : null;
      },
      demoReady: () => demo,
      async start() {
        await sweepIntakeLeftovers(deps.paths.dataDir);
        await sweepSpool(deps.paths.dataDir);
        const removed = await sweepExtractLeftovers(deps.paths);
        if (removed.length) deps.logger.info('removed interrupted extracts', { removed });
        if ((await loadCatalogue(deps.store)).datasets.length === 0) {
          await deps.store.tx((q) => saveCatalogue(q, demoCatalogue(), deps.clock.now()));
        }
        if (deps.config.demo) {
          demo = demoData().catch((err: unknown) => {
            if (!demoAbort.signal.aborted) deps.logger.error('demo data failed', { error: (err as Error).message });
          });
          // The loop starts once the demo registers are in, so its first pass finds them.
          void demo.then(() => {
            if (!demoAbort.signal.aborted) reconciler.start();
          });
        } else {
          reconciler.start();
        }
      },
      async stop() {
        demoAbort.abort();
        await demo;
        await reconciler.stop();
      },
    };
  });
}

/** The data-copies module with settings from the config. */
export const dataCopiesModule = createDataCopiesModule();
