/**
 * Intake on the API: `POST /api/intake/deliveries?dataset=D&version=V&sha256=H&rows=N&name=F` with the
 * delivered file as the raw body (`content-type: application/octet-stream`; the JSON parser leaves
 * such bodies alone). The body is streamed to a spool file under `<dataDir>/intake-spool/`, never
 * held in memory, then checked and stored by `intakeDelivery` and recorded as a catalogue version.
 *
 * Who: `platform_admin`. Data controllers deliver through an operator-held account; a data-controller
 * role is future work.
 *
 * Progress: with `accept: text/event-stream` the response is a stream of server-sent events
 * (`progress` {stage, done, total}, then one `result` with the stored version or one `error` with a
 * problem body) once the upload is spooled; otherwise one JSON answer at the end. The request's own
 * audit entry (`intake.deliver`) says the upload was received; the outcome of the checks is the
 * `dataset.version.create` entry, initiated before and success or failure after.
 * An interrupted upload or a client that goes away during the checks leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { AuditService, Clock } from '../platform/index.ts';
import { loadCatalogue, recordDatasetVersion } from '../catalog/index.ts';
import { InputError } from '../errors/index.ts';
import { extendForLongBody, problemOf, assertResponse, checkResponses, defineRoute, type RouteDef } from '../http/index.ts';
import type { Store } from '../store/index.ts';
import { DeliveryManifestSchema, intakeDelivery } from './intake.ts';
import { deliveryAnswerSchema, intakeProgressSchema, type DeliveryAnswer } from './schemas.ts';

export interface IntakeRouteDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  dataDir: string;
  /** A delivery may stream past the request timeout, but not pause longer than this. */
  bodyIdleTimeoutMs?: number;
}

export const spoolDir = (dataDir: string) => join(dataDir, 'intake-spool');

/** Removes spool files a killed process left (run at start, before intake is offered). */
export async function sweepSpool(dataDir: string): Promise<void> {
  await rm(spoolDir(dataDir), { recursive: true, force: true });
}

const IntakeQuerySchema = z.object({
  dataset: DeliveryManifestSchema.shape.dataset,
  version: DeliveryManifestSchema.shape.version,
  sha256: z.string().regex(/^[0-9a-f]{64}$/i),
  rows: z.coerce.number().int().nonnegative(),
  /** The delivered file name; its extension (.csv, .parquet) decides the format. */
  name: z.string().min(1).max(255),
});

export function intakeRoutes(deps: IntakeRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/intake/deliveries',
      tag: 'intake',
      summary: 'Deliver a register file (raw body, application/octet-stream); checked, stored as Parquet, recorded as a dataset version',
      action: 'intake.deliver',
      access: ['platform_admin'],
      query: IntakeQuerySchema,
      response: deliveryAnswerSchema,
      async handler(ctx) {
        const { query, req, res, principal } = ctx;
        ctx.audit.object = `dataset:${query.dataset}@${query.version}`;
        ctx.audit.details = { name: query.name, rows: query.rows, sha256: query.sha256 };
        if (!(req.get('content-type') ?? '').startsWith('application/octet-stream')) {
          throw new InputError('send the file as the raw body with content-type application/octet-stream', { reason: 'wrong_content_type' });
        }
        // Read only now, after authentication and the role check; as long as it keeps coming.
        const bodyIn = extendForLongBody(req, deps.bodyIdleTimeoutMs ?? 60_000);
        await mkdir(spoolDir(deps.dataDir), { recursive: true, mode: 0o700 });
        const spool = join(spoolDir(deps.dataDir), `${randomUUID()}.upload`);
        const abort = new AbortController();
        res.on('close', () => {
          if (!res.writableFinished) abort.abort();
        });
        try {
          try {
            await pipeline(req, createWriteStream(spool, { mode: 0o600 }));
          } catch {
            throw new InputError('the upload was interrupted', { reason: 'upload_interrupted' });
          } finally {
            bodyIn();
          }
          const sse = (req.get('accept') ?? '').includes('text/event-stream');
          const base = {
            actor: principal!.userId,
            role: 'platform_admin',
            action: 'dataset.version.create',
            object: ctx.audit.object,
            projectId: null,
            requestId: ctx.requestId,
            clientAddress: ctx.clientAddress,
          };
          const send = (event: string, data: unknown) => {
            if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
          };
          if (sse) {
            await ctx.commitSuccess();
            res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
          }
          await deps.audit.record({ ...base, outcome: 'initiated', reason: null });
          let lastSent = 0;
          let outcome: { ok: true; result: DeliveryAnswer } | { ok: false; err: unknown };
          try {
            const catalogue = await loadCatalogue(deps.store);
            const r = await intakeDelivery(
              { dataDir: deps.dataDir, clock: deps.clock },
              {
                file: spool,
                name: query.name,
                catalogue,
                signal: abort.signal,
                manifest: { dataset: query.dataset, version: query.version, sha256: query.sha256, rowCount: query.rows },
                onProgress: (p) => {
                  const now = Date.now();
                  if (sse && (now - lastSent > 100 || p.done === p.total)) {
                    lastSent = now;
                    if (checkResponses) assertResponse('POST /api/intake/deliveries (progress)', intakeProgressSchema, p);
                    send('progress', p);
                  }
                },
              },
            );
            const version = await recordDatasetVersion(deps.store, { ...r, receivedBy: principal!.userId });
            outcome = { ok: true, result: { ...r, version: version.version, receivedBy: principal!.userId } };
            await deps.audit.record({ ...base, outcome: 'success', reason: null, details: { rows: r.rowCount, sha256: r.sha256 } });
          } catch (err) {
            outcome = { ok: false, err };
            await deps.audit.record({ ...base, outcome: 'failure', reason: (err as Error).message.slice(0, 500) });
          } finally {
            // Gone before the answer, so a client that reads the answer finds nothing left.
            await rm(spool, { force: true });
          }
          if (!sse) {
            if (!outcome.ok) throw outcome.err;
            return outcome.result;
          }
          if (outcome.ok) {
            if (checkResponses) assertResponse('POST /api/intake/deliveries (result)', deliveryAnswerSchema, outcome.result);
            send('result', outcome.result);
          } else send('error', problemOf(outcome.err, ctx.requestId));
          res.end();
          return { sent: true };
        } finally {
          await rm(spool, { force: true });
        }
      },
    }),
  ];
}
