/**
 * The explorer on the API, for any logged-in researcher or project lead, with or without a permit:
 * `POST /api/explore/count` runs a query document and answers protected cells; `GET /api/explore/rules`
 * says which protection is in force and what is left of the caller's budget.
 *
 * Order of a query: the body's schema, the catalogue check (400 naming the field), the budget (429),
 * then the run. The route's audit entry carries the query, the versions counted and the protected
 * cells it answered, and is committed before the answer leaves (`http/route.ts`).
 */
import { randomBytes } from 'node:crypto';
import { loadCatalogue } from '../catalog/index.ts';
import { NotFoundError } from '../errors/index.ts';
import { currentPermit, getPermit, requireProjectVisible } from '../projects/index.ts';
import { makeDummy } from './dummy.ts';
import { defineRoute, type RouteDef } from '../http/index.ts';
import type { Clock } from '../platform/index.ts';
import type { ExploreRules } from '../policies/index.ts';
import type { Store } from '../store/index.ts';
import { budgetOf, noteCells, takeQuery } from './budget.ts';
import type { ExploreEngine } from './engine.ts';
import { DummyAnswerSchema, DummyRequestSchema, ExploreAnswerSchema, ExploreQuerySchema, ExploreRulesAnswerSchema, type ExploreProtection } from './schemas.ts';

export interface ExploreRouteDeps {
  store: Store;
  clock: Clock;
  engine: ExploreEngine;
  rules: ExploreRules;
  /** The profile the rules come from and its file. */
  profile: string;
  sources: string[];
}

const WHO = ['researcher', 'project_lead'] as const;

const newQueryId = () =>
  `exq_${randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')}`;

export function protectionOf(deps: Pick<ExploreRouteDeps, 'rules' | 'profile' | 'sources'>): ExploreProtection {
  const { rules } = deps;
  return {
    method: rules.method,
    threshold: rules.threshold,
    maxNoise: rules.maxNoise,
    noiseVariance: rules.noiseVariance,
    perturbed: true,
    notice:
      `Figures are perturbed (cell-key method: each count is off by up to ±${rules.maxNoise}, the same every time it is asked); ` +
      `counts under ${rules.threshold} are suppressed and shown as <${rules.threshold}.`,
    profile: deps.profile,
    sources: deps.sources,
  };
}

export function exploreRoutes(deps: ExploreRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/explore/count',
      tag: 'explore',
      summary: 'Protected counts of persons and records across the registers (suppressed under the threshold, cell-key perturbed)',
      action: 'explore.count',
      access: WHO,
      body: ExploreQuerySchema,
      status: 200,
      response: ExploreAnswerSchema,
      async handler({ body, principal, audit }) {
        audit.details = { query: body };
        const { datasets: catalogue, codeLists } = await loadCatalogue(deps.store);
        const plan = deps.engine.plan(body, catalogue);
        const now = deps.clock.now();
        const queryId = newQueryId();
        audit.object = `explore-query:${queryId}`;
        const budget = await takeQuery(deps.store, { id: queryId, userId: principal!.userId, now, limit: deps.rules.dailyQueries, query: body });
        const result = await deps.engine.run(plan, body, catalogue, deps.rules, codeLists);
        await noteCells(deps.store, queryId, result.cells.length);
        audit.details = {
          queryId,
          query: body,
          versions: result.versions,
          // The answer as it left: labels, persons, records (protected), and withheld magnitudes.
          cells: result.cells.map((c) => [c.labels, c.persons, c.records, c.stats?.withheld ?? null]),
        };
        return { queryId, askedAt: now.toISOString(), query: body, ...result, protection: protectionOf(deps), budget };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/explore/dummy',
      tag: 'explore',
      summary: "Synthetic dummy data with a permit's exact files, columns and types, from protected marginals (no real person)",
      action: 'explore.dummy',
      access: WHO,
      body: DummyRequestSchema,
      status: 200,
      response: DummyAnswerSchema,
      async handler({ body, principal, audit }) {
        const permit = body.permitId ? await getPermit(deps.store, body.permitId) : await currentPermit(deps.store, body.projectId!);
        if (!permit) throw new NotFoundError(`project ${body.projectId} has no permit`, { reason: 'no_permit' });
        // The permit's members (and oversight) only: a permit's scope is not public.
        await requireProjectVisible(deps.store, principal!, permit.projectId);
        audit.projectId = permit.projectId;
        audit.object = `permit:${permit.id}`;
        const { datasets: catalogue, codeLists } = await loadCatalogue(deps.store);
        const queryId = newQueryId();
        await takeQuery(deps.store, { id: queryId, userId: principal!.userId, now: deps.clock.now(), limit: deps.rules.dailyQueries, query: body });
        const day = (d: string) => new Date(d).toISOString().slice(0, 10);
        const made = await makeDummy({
          engine: deps.engine,
          catalogue,
          codeLists,
          rules: deps.rules,
          scope: { datasets: permit.datasets, period: { from: day(permit.period.from), to: day(permit.period.to) }, cohort: permit.cohort },
          rows: body.rows,
          seed: body.seed,
        });
        audit.details = {
          queryId,
          permitVersion: permit.version,
          rows: body.rows,
          seed: body.seed,
          marginals: made.marginals,
          files: made.files.map((f) => [f.name, f.sha256]),
        };
        return {
          synthetic: true as const,
          permitId: permit.id,
          permitVersion: permit.version,
          files: made.files,
          readme: made.readme,
          protection: protectionOf(deps),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/explore/rules',
      tag: 'explore',
      summary: "The explorer's protection in force and the caller's query budget today",
      action: 'explore.rules',
      access: WHO,
      response: ExploreRulesAnswerSchema,
      async handler({ principal }) {
        return { protection: protectionOf(deps), budget: await budgetOf(deps.store, principal!.userId, deps.clock.now(), deps.rules.dailyQueries) };
      },
    }),
  ];
}
