/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (no hand-written copy to drift).
 * A schema that carries an `id` in its metadata (`.meta({ id: 'Permit' })`) becomes one reusable
 * component under `#/components/schemas`, referenced wherever it appears; a route's success answer
 * is its `response` schema with the status it really answers, or what its `RawAnswer` says.
 */
import { REASONS } from '../errors/index.ts';
import { z } from 'zod';
import { isRawAnswer } from './answers.ts';
import { successStatuses, type RouteDef } from './route.ts';

type Json = Record<string, unknown>;

/** Collects the id-bearing schemas every route refers to, once each. */
class Components {
  readonly schemas: Record<string, Json> = {};

  /** The schema as JSON Schema, its `$defs` moved into the components and its references pointed there. */
  add(s: z.ZodType | undefined, io: 'input' | 'output'): Json | undefined {
    if (!s) return undefined;
    let js: Json;
    try {
      js = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
    } catch {
      return {};
    }
    const { $schema: _drop, $defs, ...rest } = js as Json & { $defs?: Record<string, Json> };
    const names: Record<string, string> = {};
    for (const [id, def] of Object.entries($defs ?? {})) names[id] = this.place(id, def, io);
    for (const name of Object.values(names)) this.schemas[name] = this.repoint(this.schemas[name]!, names);
    return this.repoint(rest, names);
  }

  /** An input schema with defaults differs from its output; the two get their own names. */
  private place(id: string, def: Json, io: 'input' | 'output'): string {
    const name = io === 'input' && this.schemas[id] && JSON.stringify(this.schemas[id]) !== JSON.stringify(def) ? `${id}Input` : id;
    this.schemas[name] ??= def;
    return name;
  }

  private repoint(def: Json, names: Record<string, string>): Json {
    return JSON.parse(JSON.stringify(def).replace(/"#\/\$defs\/([^"]+)"/g, (_m, id: string) => `"#/components/schemas/${names[id] ?? id}"`)) as Json;
  }
}

const problem = { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

function successOf(r: RouteDef, components: Components): Record<string, unknown> {
  const statuses = successStatuses(r);
  const status = String(statuses[0]);
  if (isRawAnswer(r.response)) {
    const content = Object.fromEntries(Object.entries(r.response.content).map(([media, schema]) => [media, { schema }]));
    return {
      [status]: {
        description: r.response.description,
        ...(Object.keys(content).length ? { content } : {}),
        ...(r.response.headers ? { headers: r.response.headers } : {}),
      },
    };
  }
  const content: Record<string, unknown> = { 'application/json': { schema: components.add(r.response, 'output') ?? {} } };
  for (const [media, description] of Object.entries(r.alsoAnswers ?? {})) content[media] = { schema: { type: 'string', format: 'binary', description } };
  return Object.fromEntries(statuses.map((st) => [String(st), { description: st === 202 ? 'Accepted: the work goes on' : 'OK', content }]));
}

export function buildOpenApi(routes: readonly RouteDef[], version: string): Record<string, unknown> {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  // Two routes may share an audit action (one checkpoint read, by size or the latest); their operations still need two ids.
  const seen = new Map<string, number>();
  for (const r of routes) seen.set(`${r.action}:${r.method}`, (seen.get(`${r.action}:${r.method}`) ?? 0) + 1);
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      const js = components.add(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] } | undefined;
      for (const [name, s] of Object.entries(js?.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js?.required ?? []).includes(name), schema: s });
      }
    }
    const responses: Record<string, unknown> = {
      ...successOf(r, components),
      400: { description: 'Malformed input', ...problem },
      503: { description: 'The audit log could not record the action', ...problem },
    };
    if (r.access !== 'public') Object.assign(responses, { 401: { description: 'Not logged in', ...problem }, 403: { description: 'Not allowed', ...problem } });
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: seen.get(`${r.action}:${r.method}`) === 1 ? `${r.action}:${r.method}` : `${r.action}:${r.method}:${r.path}`,
      'x-audit-action': r.action,
      'x-roles': Array.isArray(r.access) ? r.access : r.access,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: components.add(r.body, 'input') } } } } : {}),
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
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            reason: { type: ['string', 'null'], enum: [...REASONS, null] },
            instance: { type: 'string' },
            field: { type: 'string' },
          },
          required: ['title', 'status'],
        },
        ...components.schemas,
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
