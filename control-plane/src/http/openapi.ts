/** The OpenAPI 3.1 document, generated from the routes' zod schemas (no hand-written copy to drift). */
import { REASONS } from '../errors/index.ts';
import { z } from 'zod';
import type { RouteDef } from './route.ts';

function schemaOf(s: z.ZodType | undefined, io: 'input' | 'output'): Record<string, unknown> | undefined {
  if (!s) return undefined;
  try {
    const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return rest;
  } catch {
    return {};
  }
}

const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

export function buildOpenApi(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      const js = schemaOf(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] } | undefined;
      for (const [name, s] of Object.entries(js?.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js?.required ?? []).includes(name), schema: s });
      }
    }
    const responses: Record<string, unknown> = {
      [r.method === 'post' ? '201' : '200']: { description: 'OK', content: { 'application/json': { schema: schemaOf(r.response, 'output') ?? {} } } },
      400: { description: 'Malformed input', ...problem },
      503: { description: 'The audit log could not record the action', ...problem },
    };
    if (r.access !== 'public') Object.assign(responses, { 401: { description: 'Not logged in', ...problem }, 403: { description: 'Not allowed', ...problem } });
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.action}:${r.method}`,
      'x-audit-action': r.action,
      'x-roles': Array.isArray(r.access) ? r.access : r.access,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } } : {}),
      ...(r.access === 'public' ? { security: [] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Analyserom control plane', version, description: 'Projects, permits, data copies, rooms, the export airlock and the audit log.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token from POST /api/auth/token' },
        session: { type: 'apiKey', in: 'cookie', name: 'tre_session', description: 'Browser session; changes also need the X-CSRF-Token header' },
      },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
            reason: { type: ['string', 'null'], enum: [...REASONS, null] }, instance: { type: 'string' }, field: { type: 'string' },
          },
          required: ['title', 'status'],
        },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
