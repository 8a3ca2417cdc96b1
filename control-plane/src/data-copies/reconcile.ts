/**
 * The copy reconciler (kubebuilder style): on every pass it compares what the store wants with
 * what exists and acts, idempotently, so a crash anywhere is repaired by the next pass.
 *
 *   - An active project whose current permit version is in force and has no copy gets one
 *     (`makeCopy`: copy version = last + 1; earlier versions stay until the project closes).
 *   - A project whose permit expired more than `graceDays` ago is closed (`closeProjectData`):
 *     copies and pseudonym key deleted, proof of deletion audited, status `closed`.
 *   - A closed project with copies not yet marked deleted (an interrupted close) is closed again.
 *   - A failed extract is audited and retried for the same permit version only after `retryMs`.
 *   - A consent project's cohort is asked for consent once per permit version, and the project gets
 *     a new copy version when a person in its newest copy withdrew, or new consents are at least
 *     `consentJoinMs` newer than that copy (`consent-copies.ts`).
 * Progress of the extract in flight is published in this process (events) and written to the store
 * (`copy_progress`, at most once a second and on every change of state) so that every control plane
 * serving the project shows it; everything else is read from the store on each pass.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../platform/index.ts';
import { currentPermit, type Permit } from '../projects/index.ts';
import { askConsentCohort, consentChange, requiresConsent, type CopyReason } from './consent-copies.ts';
import type { Progress } from './generator.ts';
import { closeProjectData, makeCopy, type CopyActDeps } from './reconcile-copy.ts';
import type { CopiesOptions } from './reconcile-options.ts';
import type { CopyProgress } from './schemas.ts';

export type { CopyProgress } from './schemas.ts';

export interface CopyReconciler {
  /** One pass now (after any pass in flight); `projectId` limits it to one project. */
  runOnce(projectId?: string): Promise<void>;
  /** Ask for a pass soon. */
  trigger(): void;
  start(): void;
  stop(): Promise<void>;
  /** The latest progress of this process's extract for the project, if any. */
  progress(projectId: string): CopyProgress | null;
  /** The latest progress any control plane wrote for the project, if any. */
  storedProgress(projectId: string): Promise<CopyProgress | null>;
  /** Emits `progress` with a `CopyProgress`. */
  events: EventEmitter;
}

export interface ReconcilerDeps extends CopyActDeps {
  logger: Logger;
  options: CopiesOptions;
}

const DAY = 86_400_000;
/** Progress rows are written at most this often while an extract runs (changes of state at once). */
const STORE_EVERY_MS = 1000;

interface ProgressRow {
  project_id: string;
  permit_version: number;
  copy_version: number;
  state: CopyProgress['state'];
  stage: string;
  done: string;
  total: string;
  error: string | null;
  at: Date;
}

export function createCopyReconciler(deps: ReconcilerDeps): CopyReconciler {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const latest = new Map<string, CopyProgress>();
  const failedAt = new Map<string, { permitVersion: number; at: number }>();
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const storedAt = new Map<string, { at: number; state: string }>();
  let writes: Promise<void> = Promise.resolve();
  const publish = (p: CopyProgress) => {
    latest.set(p.projectId, p);
    events.emit('progress', p);
    const last = storedAt.get(p.projectId);
    const now = Date.now();
    if (last && last.state === p.state && now - last.at < STORE_EVERY_MS) return;
    storedAt.set(p.projectId, { at: now, state: p.state });
    // One write after another, so an older figure never lands after a newer one.
    writes = writes
      .then(() =>
        deps.store.query(
          `INSERT INTO copy_progress (project_id, permit_version, copy_version, state, stage, done, total, error, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (project_id) DO UPDATE SET permit_version = $2, copy_version = $3, state = $4, stage = $5, done = $6, total = $7, error = $8, at = $9`,
          [p.projectId, p.permitVersion, p.copyVersion, p.state, p.stage, p.done, p.total, p.error, p.at],
        ),
      )
      .then(
        () => undefined,
        (err: unknown) => deps.logger.warn('copy progress not stored', { projectId: p.projectId, error: String(err) }),
      );
  };

  async function storedProgress(projectId: string): Promise<CopyProgress | null> {
    const [r] = await deps.store.query<ProgressRow>('SELECT * FROM copy_progress WHERE project_id = $1', [projectId]);
    if (!r) return null;
    return {
      projectId,
      permitVersion: r.permit_version,
      copyVersion: r.copy_version,
      state: r.state,
      stage: r.stage,
      done: Number(r.done),
      total: Number(r.total),
      error: r.error,
      at: new Date(r.at).toISOString(),
    };
  }

  async function copyProject(permit: Permit, reason?: CopyReason): Promise<void> {
    const failed = failedAt.get(permit.projectId);
    const now = deps.clock.now().getTime();
    if (failed && failed.permitVersion === permit.version && now - failed.at < deps.options.retryMs) return;
    const report = (p: Progress & { copyVersion: number }, state: CopyProgress['state'] = 'extracting', error: string | null = null) =>
      publish({
        projectId: permit.projectId,
        permitVersion: permit.version,
        copyVersion: p.copyVersion,
        state,
        stage: p.stage,
        done: p.done,
        total: p.total,
        error,
        at: deps.clock.now().toISOString(),
      });
    let last: Progress & { copyVersion: number } = { stage: 'start', done: 0, total: 0, copyVersion: 0 };
    try {
      const out = await makeCopy(deps, permit, (p) => report((last = p)), abort.signal, reason);
      if (out.made) {
        failedAt.delete(permit.projectId);
        report({ stage: 'done', done: last.total, total: last.total, copyVersion: out.copyVersion }, 'done');
        deps.logger.info('data copy made', { projectId: permit.projectId, copyVersion: out.copyVersion, persons: out.personCount });
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      failedAt.set(permit.projectId, { permitVersion: permit.version, at: now });
      report(last, 'failed', (err as Error).message);
      deps.logger.error('data copy failed', { projectId: permit.projectId, permitVersion: permit.version, error: (err as Error).message });
    }
  }

  async function closeExpired(permit: Permit): Promise<void> {
    try {
      await closeProjectData(deps, {
        projectId: permit.projectId,
        actor: 'system',
        role: 'system',
        reason: `permit expired ${permit.expiresAt}; grace period of ${deps.options.graceDays} days over`,
      });
      deps.logger.info('project closed after permit expiry', { projectId: permit.projectId });
    } catch (err) {
      deps.logger.error('closing an expired project failed', { projectId: permit.projectId, error: (err as Error).message });
    }
  }

  async function pass(only?: string): Promise<void> {
    const projects = await deps.store.query<{ id: string; status: string; undeleted: boolean }>(
      `SELECT p.id, p.status, EXISTS (SELECT 1 FROM data_copies c WHERE c.project_id = p.id AND c.deleted_at IS NULL) AS undeleted
         FROM projects p WHERE p.status IN ('active', 'closed') AND ($1::text IS NULL OR p.id = $1) ORDER BY p.id`,
      [only ?? null],
    );
    for (const p of projects) {
      if (stopped) return;
      const permit = await currentPermit(deps.store, p.id);
      if (p.status === 'closed') {
        if (p.undeleted)
          await closeProjectData(deps, { projectId: p.id, actor: 'system', role: 'system', reason: 'project closed; finishing an interrupted deletion' }).catch(
            (err: unknown) => deps.logger.error('finishing a close failed', { projectId: p.id, error: (err as Error).message }),
          );
        continue;
      }
      if (!permit) continue;
      const expires = new Date(permit.expiresAt).getTime();
      const now = deps.clock.now().getTime();
      if (expires <= now) {
        if (now - expires >= deps.options.graceDays * DAY) await closeExpired(permit);
        continue;
      }
      if (!requiresConsent(permit)) {
        await copyProject(permit);
        continue;
      }
      await askConsentCohort(deps, permit).catch((err: unknown) =>
        deps.logger.error('asking the consent cohort failed', { projectId: p.id, error: (err as Error).message }),
      );
      await copyProject(permit);
      const why = await consentChange(deps.store, p.id, deps.clock.now(), deps.options.consentJoinMs);
      if (why) await copyProject(permit, why);
    }
  }

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void runOnce().finally(() => schedule(deps.options.reconcileMs));
    }, ms);
    timer.unref?.();
  };

  function runOnce(projectId?: string): Promise<void> {
    const next = running
      .then(() => (stopped ? undefined : pass(projectId)))
      .catch((err: unknown) => {
        deps.logger.error('copy reconcile pass failed', { error: (err as Error).message });
      });
    running = next;
    return next;
  }

  return {
    runOnce,
    trigger: () => schedule(0),
    start: () => schedule(0),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await running;
      await writes;
    },
    progress: (projectId) => latest.get(projectId) ?? null,
    storedProgress,
    events,
  };
}
