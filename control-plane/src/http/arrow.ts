/**
 * Tabular results over the API as Apache Arrow (IPC stream) when the client asks for it with
 * `Accept: application/vnd.apache.arrow.stream`; JSON otherwise. Analysts' tools (pyarrow,
 * R arrow, DuckDB) read the stream directly, with types intact.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { HttpResult, RouteContext } from './route.ts';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';

type Column = (string | null)[] | (number | null)[] | Float64Array | Int32Array;

export function wantsArrow(ctx: Pick<RouteContext<unknown, unknown, unknown>, 'req'>): boolean {
  return ctx.req.accepts(['application/json', ARROW_STREAM]) === ARROW_STREAM;
}

/** Sends the columns as one Arrow record batch, after committing the audit entry. */
export async function sendArrow(
  ctx: Pick<RouteContext<unknown, unknown, unknown>, 'res' | 'commitSuccess'>,
  columns: Record<string, Column>,
): Promise<HttpResult> {
  const table = tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]);
  const bytes = tableToIPC(table, 'stream');
  await ctx.commitSuccess();
  ctx.res
    .status(200)
    .type(ARROW_STREAM)
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { sent: true };
}
