/**
 * Data copies on the API. Nothing here downloads data: data leaves only through the airlock, and
 * rooms mount the copy read-only. Access:
 *   - list and progress events: members with data access (`requireDataAccess`: authorised by the
 *     permit in force) and oversight roles (access administrators, auditors, operators);
 *   - one copy's manifest: members with data access only;
 *   - make now (`POST .../copies`) and close: access administrators.
 * A member's request after the permit expired is refused with `permit_expired`.
 */
import { z } from 'zod';
import { NotFoundError } from '../errors/index.ts';
import { assertResponse, checkResponses, bytes, defineRoute, type RouteContext, type RouteDef } from '../http/index.ts';
import type { Principal } from '../platform/index.ts';
import { currentPermit, hasOversight, memberRole, requireDataAccess, requireIndependent, requireProjectVisible } from '../projects/index.ts';
import type { CopyProgress, CopyReconciler } from './reconcile.ts';
import { closeProjectData, type CopyActDeps } from './reconcile-copy.ts';
import { closeInputSchema, copyListSchema, CopyManifestSchema, copyProgressSchema, proofOfDeletionSchema, type CopyList } from './schemas.ts';
import { listCopies } from './store.ts';

/** How long `POST .../copies` waits for the pass before answering 202 (the events endpoint follows the rest). */
const SYNC_WAIT_MS = 3000;

const projectParams = z.object({ projectId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/) });

export interface CopyRouteDeps extends CopyActDeps {
  reconciler: CopyReconciler;
}

export function copyRoutes(deps: CopyRouteDeps): RouteDef[] {
  const { store, clock } = deps;

  /** Members go through the permit gate; oversight roles who are not members may look. */
  async function requireCopiesVisible(p: Principal, projectId: string): Promise<void> {
    if (!(await memberRole(store, projectId, p.userId)) && hasOversight(p)) {
      await requireProjectVisible(store, p, projectId);
      return;
    }
    await requireDataAccess(store, p, projectId, clock.now());
  }

  const listBody = async (projectId: string): Promise<CopyList> => ({
    projectId,
    progress: deps.reconciler.progress(projectId) ?? (await progressOfOthers(projectId)),
    copies: (await listCopies(store, projectId))
      .map((c) => ({ ...c, current: false }))
      .map((c, i, all) => ({ ...c, current: i === all.length - 1 && c.deletedAt === null })),
  });

  /** An extract another control plane runs, or ran for the permit in force, from the store. */
  async function progressOfOthers(projectId: string): Promise<CopyProgress | null> {
    const p = await deps.reconciler.storedProgress(projectId);
    if (!p) return null;
    if (p.state !== 'extracting' && p.permitVersion !== (await currentPermit(store, projectId))?.version) return null;
    return p;
  }

  /** No extract seen by this process (e.g. after a restart): the current permit's copy, if made, as a finished one. */
  async function doneFromStore(projectId: string): Promise<CopyProgress | null> {
    const permit = await currentPermit(store, projectId);
    const copy = (await listCopies(store, projectId)).findLast((c) => c.deletedAt === null && c.permitVersion === permit?.version);
    if (!copy) return null;
    const rows = copy.manifest.datasets.reduce((n, d) => n + d.rows, 0);
    return {
      projectId,
      copyVersion: copy.copyVersion,
      permitVersion: copy.permitVersion,
      state: 'done',
      stage: 'done',
      done: rows,
      total: rows,
      error: null,
      at: copy.createdAt,
    };
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/copies',
      tag: 'data-copies',
      summary: "The project's data copies with their manifests, and extract progress",
      action: 'copy.list',
      access: 'authenticated',
      params: projectParams,
      response: copyListSchema,
      async handler({ principal, params }) {
        await requireCopiesVisible(principal!, params.projectId);
        return listBody(params.projectId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/copies/events',
      tag: 'data-copies',
      summary: 'Extract progress (rows done / total) as server-sent events; ends when the copy is done or failed',
      action: 'copy.events',
      access: 'authenticated',
      params: projectParams,
      response: bytes(['text/event-stream'], 'One `data:` frame per progress step of the running extract'),
      async handler(ctx: RouteContext<z.infer<typeof projectParams>, unknown, unknown>) {
        const { principal, params, res } = ctx;
        await requireCopiesVisible(principal!, params.projectId);
        await ctx.commitSuccess();
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        const events = deps.reconciler.events;
        await new Promise<void>((resolve) => {
          const send = (p: CopyProgress) => {
            if (checkResponses) assertResponse('GET /api/projects/:projectId/copies/events (progress)', copyProgressSchema, p);
            res.write(`event: progress\ndata: ${JSON.stringify(p)}\n\n`);
          };
          const finish = () => {
            events.off('progress', onProgress);
            clearInterval(ping);
            clearInterval(follow);
            if (!res.writableEnded) res.end();
            resolve();
          };
          const onProgress = (p: CopyProgress) => {
            if (p.projectId !== params.projectId) return;
            send(p);
            if (p.state !== 'extracting') finish();
          };
          const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
          // Another control plane may be the one extracting: follow its figures in the store too.
          let seenAt: string | undefined;
          const follow = setInterval(() => {
            if (deps.reconciler.progress(params.projectId)) return; // this process's events cover it
            void progressOfOthers(params.projectId).then(
              (p) => {
                if (!p || p.at === seenAt || res.writableEnded) return;
                seenAt = p.at;
                send(p);
                if (p.state !== 'extracting') finish();
              },
              () => undefined,
            );
          }, 1000);
          res.on('close', () => clearInterval(follow));
          events.on('progress', onProgress);
          res.on('close', finish);
          void (async () => {
            const now = deps.reconciler.progress(params.projectId) ?? (await progressOfOthers(params.projectId)) ?? (await doneFromStore(params.projectId));
            if (now) {
              seenAt = now.at;
              send(now);
              if (now.state !== 'extracting') finish();
            }
          })().catch(finish);
        });
        return { sent: true };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/copies',
      tag: 'data-copies',
      summary:
        'Make the copy for the permit in force now, if it has none (access administrator): 200 when done within a few seconds, else 202 while it is extracted',
      action: 'copy.request',
      access: ['access_admin'],
      params: projectParams,
      response: copyListSchema,
      status: [202, 200],
      async handler({ principal, params }) {
        await requireProjectVisible(store, principal!, params.projectId);
        const pass = deps.reconciler.runOnce(params.projectId).then(() => true);
        const done = await Promise.race([pass, new Promise<false>((r) => setTimeout(() => r(false), SYNC_WAIT_MS).unref())]);
        return { status: done ? 200 : 202, body: await listBody(params.projectId) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/copies/:version/manifest',
      tag: 'data-copies',
      summary: 'The manifest of one copy version (variables, row counts, source versions, permit version, sha256 per file)',
      action: 'copy.manifest.read',
      access: 'authenticated',
      params: projectParams.extend({ version: z.coerce.number().int().positive() }),
      response: CopyManifestSchema,
      async handler({ principal, params, audit }) {
        audit.object = `copy:${params.projectId}/v${params.version}`;
        await requireDataAccess(store, principal!, params.projectId, clock.now());
        const copy = (await listCopies(store, params.projectId)).find((c) => c.copyVersion === params.version);
        if (!copy) throw new NotFoundError(`no copy version ${params.version} of ${params.projectId}`, { reason: 'no_such_copy' });
        if (copy.deletedAt) throw new NotFoundError(`copy version ${params.version} was deleted at ${copy.deletedAt}`, { reason: 'copy_deleted' });
        return copy.manifest;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/close',
      tag: 'data-copies',
      summary: 'Close the project: delete its data copies and pseudonym key, with a proof of deletion (access administrator)',
      action: 'project.close',
      access: ['access_admin'],
      params: projectParams,
      body: closeInputSchema,
      status: 200,
      response: proofOfDeletionSchema,
      async handler({ principal, params, body, requestId, audit }) {
        await requireProjectVisible(store, principal!, params.projectId);
        await requireIndependent(store, principal!, { projectId: params.projectId, what: 'project closure' });
        const proof = await closeProjectData(deps, {
          projectId: params.projectId,
          actor: principal!.userId,
          role: 'access_admin',
          reason: body.reason,
          requestId,
        });
        audit.details = { proofSha256: proof.sha256, copies: proof.copies.map((c) => c.version) };
        return { status: 200, body: proof };
      },
    }),
  ];
}
