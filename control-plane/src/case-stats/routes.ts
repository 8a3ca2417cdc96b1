/**
 * `GET /api/stats/cases`: the case metrics for access administrators and auditors, audited as
 * every read is. The small-count threshold is the default output policy's `tables.threshold`
 * (`policies/default.yaml`), read once at the first request: a platform without that profile
 * answers no metrics rather than unprotected ones.
 */
import { defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { loadPolicySet } from '../policies/index.ts';
import { computeCaseStats } from './compute.ts';
import { hasDueDates, readCases } from './read.ts';
import { caseStatsQuerySchema, caseStatsSchema, type CaseStats, type CaseStatsQuery } from './schemas.ts';

export interface CaseStatsOptions {
  /** The policy directory (default: the repository's `policies/`). */
  policyDir?: string;
}

type SmallCount = CaseStats['smallCount'];

const PROFILE = 'default';

async function smallCountRule(policyDir: string | undefined): Promise<SmallCount> {
  const set = await loadPolicySet(policyDir);
  const profile = set.profiles.get(PROFILE);
  if (!profile) throw new Error(`no policy profile '${PROFILE}' for the case metrics' small-count rule`);
  return { threshold: profile.tables.threshold, profile: PROFILE, source: profile.file };
}

export function caseStatsRoutes(deps: Pick<CoreDeps, 'store' | 'clock'>, opts: CaseStatsOptions = {}): RouteDef[] {
  const { store, clock } = deps;
  let rule: Promise<SmallCount> | null = null;
  async function caseStats(query: CaseStatsQuery): Promise<CaseStats> {
    rule ??= smallCountRule(opts.policyDir).catch((err: unknown) => {
      rule = null;
      throw err;
    });
    const smallCount = await rule;
    const now = clock.now();
    const { dueDates, cases } = await store.tx(async (q) => {
      // One snapshot for both queries, so a case decided between them is not counted half.
      await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const due = await hasDueDates(q);
      return { dueDates: due, cases: await readCases(q, query, due) };
    });
    return {
      generatedAt: now.toISOString(),
      from: query.from ?? null,
      to: query.to ?? null,
      smallCount,
      quantiles: {
        method: 'linear',
        description: "Median and 90th percentile by linear interpolation between order statistics (numpy's default, Hyndman & Fan type 7)",
      },
      dueDates,
      ...computeCaseStats(cases, { now, threshold: smallCount.threshold, dueDates }),
    };
  }
  return [
    defineRoute({
      method: 'get',
      path: '/api/stats/cases',
      tag: 'stats',
      summary: 'Case numbers and lead times (submitted → decided → permit → first copy, paused time apart), by case type, register and month',
      action: 'stats.cases.read',
      access: ['access_admin', 'auditor'],
      query: caseStatsQuerySchema,
      response: caseStatsSchema,
      async handler({ query, audit }) {
        audit.details = { from: query.from ?? null, to: query.to ?? null };
        return caseStats(query);
      },
    }),
  ];
}
