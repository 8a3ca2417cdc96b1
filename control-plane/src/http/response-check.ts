/**
 * The response contract, held to in tests: with `TRE_CHECK_RESPONSES=1` (set by the test
 * configuration) every JSON answer of a route with a `response` schema is parsed by it, and an
 * answer that does not parse, or carries a field the schema does not declare, fails the request
 * with a 500 naming the route and the field. Production trusts the types and skips the work.
 */
import type { z } from 'zod';

export const checkResponses = process.env.TRE_CHECK_RESPONSES === '1';

export class ResponseContractError extends Error {
  override name = 'ResponseContractError';
}

/** The first path at which `parsed` (what the schema keeps) differs from `sent`, or null. */
function firstUndeclared(sent: unknown, parsed: unknown, path: string): string | null {
  if (sent === null || typeof sent !== 'object') return null;
  if (parsed === null || typeof parsed !== 'object') return path || '(root)';
  if (Array.isArray(sent)) {
    for (let i = 0; i < sent.length; i++) {
      const d = firstUndeclared(sent[i], (parsed as unknown[])[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  for (const [k, v] of Object.entries(sent as Record<string, unknown>)) {
    if (v === undefined) continue;
    const at = path ? `${path}.${k}` : k;
    if (!(k in (parsed as Record<string, unknown>))) return at;
    const d = firstUndeclared(v, (parsed as Record<string, unknown>)[k], at);
    if (d) return d;
  }
  return null;
}

/** Throws when `body` breaks the route's response schema (only called when `checkResponses`). */
export function assertResponse(route: string, schema: z.ZodType, body: unknown): void {
  // What goes on the wire: dates become strings, undefined fields vanish.
  const sent: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const r = schema.safeParse(sent);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ResponseContractError(`response of ${route} breaks its schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const extra = firstUndeclared(sent, r.data, '');
  if (extra) throw new ResponseContractError(`response of ${route} has a field its schema does not declare: ${extra}`);
}

/** Throws when a route answers a success status other than the one it declares (only called when `checkResponses`). */
export function assertStatus(route: string, declared: readonly number[], sent: number): void {
  if (!declared.includes(sent)) throw new ResponseContractError(`response of ${route} answers ${sent}, its declaration says ${declared.join(' or ')}`);
}
