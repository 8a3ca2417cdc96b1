/**
 * `POST /api/projects/:projectId/outputs/check-<kind>` for every kind of the registry
 * (`check-kinds.ts`), audited as `output.check-<kind>` before the answer, like check-table:
 * a member of the project with data access under the permit in force asks; the answer is the
 * report with its source, spec, time, caller and policy. Inside the room (the room's channel
 * vouches for its owner) the report is shown whole; outside it every report, passing or not, is
 * answered in the kind's withheld form (its verdict and rule, no numbers: `shownOutsideRoom`).
 */
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/index.ts';
import { requireDataAccess } from '../projects/index.ts';
import { CHECK_KIND_NAMES, CHECK_KINDS } from './check-kinds.ts';
import { kindReportOutsideRoom, runKindCheck } from './check-kind-run.ts';
import type { AirlockDeps } from './export-requests.ts';
import { KindCheckRequestSchema } from './schemas.ts';

const projectId = z.string().min(1).max(100);

export function checkKindRoutes(deps: AirlockDeps): RouteDef[] {
  const { store, clock } = deps;
  return CHECK_KIND_NAMES.map((name) => {
    const kind = CHECK_KINDS[name];
    return defineRoute({
      method: 'post',
      path: `/api/projects/:projectId/outputs/check-${name}`,
      tag: 'exports',
      action: `output.check-${name}`,
      access: 'authenticated',
      summary: kind.summary,
      params: z.object({ projectId }),
      body: KindCheckRequestSchema,
      status: 200,
      response: kind.answerSchema,
      async handler({ principal, params, body, audit }) {
        const permit = await requireDataAccess(store, principal!, params.projectId, clock.now());
        const policy = deps.policies.forProject(params.projectId, permit);
        const checked = await runKindCheck({ paths: deps.paths, projectId: params.projectId, userId: principal!.userId, kind: name, request: body, policy });
        audit.details = { source: checked.source, status: checked.report.status };
        const shown = principal!.via === 'room' ? checked.report : kindReportOutsideRoom(name, checked.report, checked.source);
        const answer = {
          ...shown,
          source: checked.source,
          spec: checked.spec,
          checkedAt: clock.now().toISOString(),
          checkedFor: principal!.userId,
          policy: { profile: policy.profile, sources: policy.sources },
        };
        return { status: 200, body: answer };
      },
    });
  });
}
