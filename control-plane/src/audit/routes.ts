/**
 * The auditors' API. Auditors read everything and change nothing: no route here changes the log,
 * and every query an auditor makes is itself recorded by the route wrapper.
 */
import { z } from 'zod';
import { bytes, defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { exportLine } from './export-verify.ts';
import { activityCounts, auditFilterSchema, CSV_HEADER, csvLine, ENTRY_COLUMNS, pageSchema, projectHistory, queryEntries, whereOf } from './query.ts';
import { activityCountsSchema, auditPageSchema, projectHistorySchema } from './schemas.ts';
import type { AuditEntry } from '../platform/index.ts';

const EXPORT_PAGE = 5_000;

export function auditQueryRoutes(deps: CoreDeps): RouteDef[] {
  const { store } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit/entries',
      tag: 'audit',
      summary: 'Search the audit log (paged by seq)',
      action: 'audit.query',
      access: ['auditor'],
      query: auditFilterSchema.extend(pageSchema.shape),
      response: auditPageSchema,
      async handler({ query, audit }) {
        const { after, limit, ...filter } = query;
        audit.details = { filter };
        return queryEntries(store, filter, { after, limit });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/stats',
      tag: 'audit',
      summary: 'Counts over time per action and per project',
      action: 'audit.stats',
      access: ['auditor'],
      query: auditFilterSchema.extend({ bucket: z.enum(['hour', 'day']).default('day') }),
      response: activityCountsSchema,
      async handler({ query }) {
        const { bucket, ...filter } = query;
        return activityCounts(store, filter, bucket);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/people/:userId',
      tag: 'audit',
      summary: "One person's whole trail (paged)",
      action: 'audit.trail',
      access: ['auditor'],
      params: z.object({ userId: z.string().min(1).max(100) }),
      query: pageSchema,
      response: auditPageSchema,
      async handler({ params, query, audit }) {
        audit.object = `user:${params.userId}`;
        return queryEntries(store, { actor: params.userId }, query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/projects/:projectId',
      tag: 'audit',
      summary: "One project's whole history, grouped",
      action: 'audit.project-history',
      access: ['auditor'],
      params: z.object({ projectId: z.string().min(1).max(100) }),
      response: projectHistorySchema,
      async handler({ params }) {
        return projectHistory(store, params.projectId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/export',
      tag: 'audit',
      summary: 'Export entries with their hashes as JSON Lines or CSV',
      action: 'audit.export',
      access: ['auditor'],
      query: auditFilterSchema.pick({ from: true, to: true }).extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') }),
      response: bytes(['application/x-ndjson', 'text/csv'], 'The entries with their hashes, one per line, in the order of the log'),
      async handler({ query, audit, res, commitSuccess }) {
        audit.details = { format: query.format, from: query.from ?? null, to: query.to ?? null };
        await commitSuccess();
        res.status(200).type(query.format === 'csv' ? 'text/csv' : 'application/x-ndjson');
        res.setHeader('Content-Disposition', `attachment; filename="audit.${query.format}"`);
        if (query.format === 'csv') res.write(`${CSV_HEADER.join(',')}\n`);
        let after = -1;
        for (;;) {
          const params: unknown[] = [];
          const where = whereOf({ from: query.from, to: query.to }, params);
          const rows = await store.query<AuditEntry>(
            `SELECT ${ENTRY_COLUMNS} FROM audit_log ${where ? `${where} AND` : 'WHERE'} seq > $${params.push(after)} ORDER BY seq LIMIT ${EXPORT_PAGE}`,
            params,
          );
          if (rows.length === 0) break;
          const chunk = rows.map((e) => (query.format === 'csv' ? csvLine(CSV_HEADER.map((k) => e[k])) : exportLine(e))).join('\n');
          if (!res.write(`${chunk}\n`)) await new Promise((r) => res.once('drain', r));
          after = rows[rows.length - 1]!.seq;
          if (rows.length < EXPORT_PAGE) break;
        }
        res.end();
        return { sent: true };
      },
    }),
  ];
}
