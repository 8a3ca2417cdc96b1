/**
 * The auditors' API. Auditors read everything and change nothing: no route here changes the log,
 * and every query an auditor makes is itself recorded by the route wrapper.
 */
import { z } from 'zod';
import { bytes, defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { exportLine } from './export-verify.ts';
import {
  activityCounts,
  type AuditFilter,
  auditFilterSchema,
  CSV_HEADER,
  csvLine,
  ENTRY_COLUMNS,
  pageSchema,
  projectHistory,
  queryEntries,
  whereOf,
} from './query.ts';
import { activityCountsSchema, auditPageSchema, auditProjectsSchema, projectHistorySchema } from './schemas.ts';
import type { AuditEntry } from '../platform/index.ts';
import { searchBounded } from './words.ts';

const EXPORT_PAGE = 5_000;

export function auditQueryRoutes(deps: CoreDeps): RouteDef[] {
  const { store } = deps;
  /** One page of an export, in the log's order, under the search's time bound. */
  const exportPage = (filter: AuditFilter, after: number) =>
    searchBounded(store, (q) => {
      const params: unknown[] = [];
      const where = whereOf(filter, params);
      return q.query<AuditEntry>(
        `SELECT ${ENTRY_COLUMNS} FROM audit_log ${where ? `${where} AND` : 'WHERE'} seq > $${params.push(after)} ORDER BY seq LIMIT ${EXPORT_PAGE}`,
        params,
      );
    });
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
        return searchBounded(store, (q) => queryEntries(q, filter, { after, limit }));
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
        return searchBounded(store, (q) => activityCounts(q, filter, bucket));
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
      path: '/api/audit/projects',
      tag: 'audit',
      summary: 'Every project by id and title, so an auditor picks a project by its title',
      action: 'audit.projects',
      access: ['auditor'],
      response: auditProjectsSchema,
      async handler() {
        return store.query<{ id: string; title: string }>('SELECT id, title FROM projects ORDER BY title, id');
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
      summary: 'Export the entries the filters select (the same filters as the search), with their hashes, as JSON Lines or CSV',
      action: 'audit.export',
      access: ['auditor'],
      query: auditFilterSchema.extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') }),
      response: bytes(['application/x-ndjson', 'text/csv'], 'The entries with their hashes, one per line, in the order of the log'),
      async handler({ query, audit, res, commitSuccess }) {
        const { format, ...filter } = query;
        // What was exported is part of the record: the filters, whole.
        audit.details = { format, filter };
        // The first page runs before the answer is committed, so a search too broad is still a 400.
        const first = await exportPage(filter, -1);
        await commitSuccess();
        res.status(200).type(format === 'csv' ? 'text/csv' : 'application/x-ndjson');
        res.setHeader('Content-Disposition', `attachment; filename="audit.${format}"`);
        if (format === 'csv') res.write(`${CSV_HEADER.join(',')}\n`);
        let rows = first;
        for (;;) {
          if (rows.length === 0) break;
          const chunk = rows.map((e) => (format === 'csv' ? csvLine(CSV_HEADER.map((k) => e[k])) : exportLine(e))).join('\n');
          if (!res.write(`${chunk}\n`)) await new Promise((r) => res.once('drain', r));
          if (rows.length < EXPORT_PAGE) break;
          try {
            rows = await exportPage(filter, rows[rows.length - 1]!.seq);
          } catch {
            // Past the status line no error can be answered: a cut connection, never a file that looks whole.
            res.destroy();
            return { sent: true };
          }
        }
        res.end();
        return { sent: true };
      },
    }),
  ];
}
