/** A control plane in demo mode with the data-copies module, and helpers to wait for copies. */
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createDataCopiesModule, type DataCopiesModule, type CopiesOptionsInput } from '../../control-plane/src/data-copies/index.ts';

export interface CopiesTest {
  p: TestPlatform;
  module: DataCopiesModule;
  projectId: string;
}

export async function startCopies(options: CopiesOptionsInput = {}, now?: string): Promise<CopiesTest> {
  // A long interval: the tests drive passes themselves (the first one runs after the demo data).
  const p = await startTestPlatform({}, { now, modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 5000, ...options })] });
  const module = p.modules.dataCopies;
  await module.demoReady();
  const [project] = await p.deps.store.query<{ id: string }>(`SELECT id FROM projects ORDER BY created_at LIMIT 1`);
  return { p, module, projectId: project!.id };
}

/** Runs passes until the project has `n` copies (or fails). */
export async function waitForCopies(t: CopiesTest, projectId: string, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await t.module.reconciler.runOnce(projectId);
    const [row] = await t.p.deps.store.query<{ n: number }>('SELECT count(*)::int AS n FROM data_copies WHERE project_id = $1', [projectId]);
    if ((row?.n ?? 0) >= n) return;
    const progress = t.module.reconciler.progress(projectId);
    if (progress?.state === 'failed') throw new Error(`copy failed: ${progress.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no copy ${n} of ${projectId}`);
}
