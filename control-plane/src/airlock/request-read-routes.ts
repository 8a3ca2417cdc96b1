/**
 * The read side of the airlock, the same for both directions: a project's requests, the review
 * queue across projects, and one request in full. Only paths, audit actions and wording differ.
 */
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/index.ts';
import { requireProjectVisible } from '../projects/index.ts';
import type { AirlockDeps } from './export-requests.ts';
import { requestDetailSchema, requestStatusSchema, requestSummariesSchema } from './schemas.ts';
import { listRequests } from './store.ts';
import { requestDetail, requestSummaries } from './views.ts';

const projectId = z.string().min(1).max(100);

export interface ReadRouteText {
  queue: string;
  detail: string;
}

export function requestReadRoutes(deps: AirlockDeps, direction: 'export' | 'import', idSchema: z.ZodString, text: ReadRouteText): RouteDef[] {
  const { store } = deps;
  const plural = `${direction}s`;
  const idKey = `${direction}Id`;
  return [
    defineRoute({
      method: 'get',
      path: `/api/projects/:projectId/${plural}`,
      tag: plural,
      action: `${direction}.list`,
      access: 'authenticated',
      summary: `A project's ${direction} requests`,
      params: z.object({ projectId }),
      query: z.object({ status: requestStatusSchema.optional() }),
      response: requestSummariesSchema,
      async handler({ principal, params, query }) {
        await requireProjectVisible(store, principal!, params.projectId);
        return requestSummaries(store, principal!, await listRequests(store, { direction, projectId: params.projectId, status: query.status }));
      },
    }),
    defineRoute({
      method: 'get',
      path: `/api/${plural}`,
      tag: plural,
      action: `${direction}.queue`,
      access: ['access_admin', 'auditor'],
      summary: text.queue,
      query: z.object({ status: requestStatusSchema.default('in_review') }),
      response: requestSummariesSchema,
      async handler({ principal, query }) {
        return requestSummaries(store, principal!, await listRequests(store, { direction, status: query.status }));
      },
    }),
    defineRoute({
      method: 'get',
      path: `/api/${plural}/:${idKey}`,
      tag: plural,
      action: `${direction}.read`,
      access: 'authenticated',
      summary: text.detail,
      params: z.object({ [idKey]: idSchema }) as z.ZodType<Record<string, string>>,
      response: requestDetailSchema,
      async handler({ principal, params, audit }) {
        const detail = await requestDetail(store, principal!, params[idKey]!, direction);
        audit.projectId = detail.projectId;
        return detail;
      },
    }),
  ];
}
