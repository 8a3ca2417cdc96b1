/**
 * Demo mode's data: at first start (no register version stored yet) small synthetic registers are
 * generated and delivered through the real, checked intake; the demo citizen is linked to a person
 * in the demo project's population so "which projects used my data" shows the demo project.
 * Runs in the background after the listener is up; a few seconds for the default 20,000 rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditService, Clock, PlatformPaths } from '../platform/index.ts';
import { DEMO_DATASET_NAMES, loadCatalogue, recordDatasetVersion } from '../catalog/index.ts';
import { linkCitizen } from '../citizens/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Store } from '../store/index.ts';
import { lit, openDuck, rowsOf } from './duckdb.ts';
import { generateRegisters } from './generator.ts';
import { intakeDelivery } from './intake.ts';

export interface DemoDataDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  box: SecretBox;
  paths: PlatformPaths;
}

export const DEMO_VERSION = 'demo-1';

/**
 * Generates and delivers the demo registers that have no stored version yet (all of them at first
 * start; the rest after a start interrupted half-way: the same seed gives the same persons).
 * Returns whether it delivered any.
 */
export async function deliverDemoRegisters(deps: DemoDataDeps, opts: { rows: number; seed: number; signal?: AbortSignal }): Promise<boolean> {
  const stored = new Set((await deps.store.query<{ dataset: string }>('SELECT DISTINCT dataset FROM catalog_dataset_versions')).map((r) => r.dataset));
  const missing = DEMO_DATASET_NAMES.filter((d) => !stored.has(d));
  if (!missing.length) return false;
  const dir = await mkdtemp(join(tmpdir(), 'tre-demo-registers-'));
  try {
    const generated = await generateRegisters({ rows: opts.rows, seed: opts.seed, outDir: dir, threads: 2, datasets: missing }, undefined, opts.signal);
    const catalogue = await loadCatalogue(deps.store);
    for (const f of generated.files) {
      const base = {
        actor: 'system',
        role: 'system',
        action: 'dataset.version.create',
        object: `dataset:${f.dataset}@${DEMO_VERSION}`,
        projectId: null,
        requestId: null,
        clientAddress: null,
      };
      await deps.audit.record({ ...base, outcome: 'initiated', reason: 'demo registers (synthetic)' });
      const r = await intakeDelivery(
        { dataDir: deps.paths.dataDir, clock: deps.clock },
        {
          file: f.path,
          name: `${f.dataset}.parquet`,
          signal: opts.signal,
          manifest: { dataset: f.dataset, version: DEMO_VERSION, sha256: f.sha256, rowCount: f.rows },
          catalogue,
        },
      );
      await recordDatasetVersion(deps.store, { ...r, receivedBy: 'system' });
      await deps.audit.record({ ...base, outcome: 'success', reason: null, details: { rows: r.rowCount, sha256: r.sha256 } });
    }
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Links the demo `citizen` user (if not linked yet) to the first person, by identity number, born
 * 1950-1980 in the stored population register: inside the demo project's cohort, so in its copy.
 */
export async function linkDemoCitizen(deps: DemoDataDeps): Promise<string | null> {
  const [user] = await deps.store.query<{ person_lookup: string | null }>(`SELECT person_lookup FROM users WHERE id = 'citizen'`);
  if (!user || user.person_lookup) return null;
  const [version] = await deps.store.query<{ path: string }>(
    `SELECT path FROM catalog_dataset_versions WHERE dataset = 'population' ORDER BY received_at DESC, version DESC LIMIT 1`,
  );
  if (!version) return null;
  const duck = await openDuck({ threads: 1 });
  let fnr: string | undefined;
  try {
    const rows = await rowsOf<{ fnr: string }>(
      duck.conn,
      `SELECT fnr FROM read_parquet(${lit(join(deps.paths.dataDir, version.path))}) WHERE year(birth_date) BETWEEN 1950 AND 1980 ORDER BY fnr LIMIT 1`,
    );
    fnr = rows[0]?.fnr;
  } finally {
    duck.close();
  }
  if (!fnr) return null;
  const person = fnr;
  await deps.store.tx((q) => linkCitizen(q, deps.box, 'citizen', person));
  await deps.audit.record({
    actor: 'system',
    role: 'system',
    action: 'citizen.link',
    object: 'user:citizen',
    projectId: null,
    outcome: 'success',
    reason: 'demo: linked to a synthetic person',
    requestId: null,
    clientAddress: null,
  });
  return person;
}
