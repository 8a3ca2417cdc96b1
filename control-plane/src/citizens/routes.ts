import { z } from 'zod';
import { ConflictError } from '../errors/index.ts';
import { defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { LEGAL_BASES } from '../projects/index.ts';
import { projectId } from '../projects/schemas.ts';
import { consentRequests, setConsent } from './consent.ts';
import { optOutStatus, setOptOut } from './opt-outs.ts';
import { consentRequestSchema, optOutStatusSchema, projectUseSchema, type ProjectUse } from './schemas.ts';

const lookupOf = (p: { personLookup?: string | null }) => {
  if (!p.personLookup) throw new ConflictError('this account is not linked to a person in the registers', { reason: 'not_a_linked_citizen' });
  return p.personLookup;
};

/** A citizen sees which projects received their data, and nobody else's; views and changes are audited. */
export function citizenRoutes(deps: CoreDeps): RouteDef[] {
  const { store, clock } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/citizen/usage',
      tag: 'citizens',
      summary: 'Which projects received my data, with the date of each copy',
      action: 'citizen.usage.read',
      access: ['citizen'],
      response: z.array(projectUseSchema),
      async handler({ principal, audit }) {
        const lookup = lookupOf(principal!);
        audit.object = `user:${principal!.userId}`;
        const rows = await store.query<
          Omit<ProjectUse, 'legalBasisLabel' | 'optOutHonoured' | 'dataPeriod'> & {
            optOutHonoured: boolean | null;
            dataPeriod: ProjectUse['dataPeriod'] | null;
          }
        >(
          `SELECT p.id AS "projectId", p.title, p.purpose, p.data_controllers AS "dataControllers", p.legal_basis AS "legalBasis",
                  json_build_object('from', p.period_from, 'to', p.period_to) AS period,
                  (SELECT json_build_object('from', period_from, 'to', period_to) FROM permits WHERE project_id = p.id ORDER BY version DESC LIMIT 1) AS "dataPeriod",
                  (SELECT opt_out_honoured FROM permits WHERE project_id = p.id ORDER BY version DESC LIMIT 1) AS "optOutHonoured",
                  json_agg(json_build_object('version', c.copy_version, 'madeAt', c.created_at, 'deletedAt', c.deleted_at) ORDER BY c.copy_version) AS copies
             FROM data_copy_persons cp
             JOIN data_copies c ON c.project_id = cp.project_id AND c.copy_version = cp.copy_version
             JOIN projects p ON p.id = cp.project_id
            WHERE cp.person_lookup = $1
            GROUP BY p.id ORDER BY min(c.created_at), p.id`,
          [lookup],
        );
        return rows.map((r) => ({
          ...r,
          optOutHonoured: Boolean(r.optOutHonoured),
          dataPeriod: r.dataPeriod ?? r.period,
          legalBasisLabel: LEGAL_BASES[r.legalBasis as keyof typeof LEGAL_BASES]?.label ?? r.legalBasis,
          copies: r.copies.map((c) => ({
            ...c,
            madeAt: new Date(c.madeAt).toISOString(),
            deletedAt: c.deletedAt ? new Date(c.deletedAt).toISOString() : null,
          })),
        }));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/citizen/opt-out',
      tag: 'citizens',
      summary: 'My opt-out and its history',
      action: 'citizen.opt-out.read',
      access: ['citizen'],
      response: optOutStatusSchema,
      async handler({ principal, audit }) {
        audit.object = `user:${principal!.userId}`;
        return optOutStatus(store, lookupOf(principal!));
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/citizen/opt-out',
      tag: 'citizens',
      summary: 'Register or withdraw my opt-out; future extracts honour it where the legal basis allows',
      action: 'citizen.opt-out.set',
      access: ['citizen'],
      body: z.object({ optedOut: z.boolean() }),
      response: optOutStatusSchema,
      async handler({ principal, body, audit }) {
        audit.object = `user:${principal!.userId}`;
        audit.details = { optedOut: body.optedOut };
        return store.tx((q) => setOptOut(q, principal!.userId, body.optedOut, clock.now()));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/citizen/consents',
      tag: 'citizens',
      summary: 'The consent requests of projects whose cohort I am in, my consent to each and its history',
      action: 'citizen.consent.read',
      access: ['citizen'],
      response: z.array(consentRequestSchema),
      async handler({ principal, audit }) {
        audit.object = `user:${principal!.userId}`;
        return consentRequests(store, lookupOf(principal!));
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/citizen/consents/:projectId',
      tag: 'citizens',
      summary: 'Give or withdraw my consent to a project that asked me; a withdrawal takes me out of its next copy version',
      action: 'citizen.consent.set',
      access: ['citizen'],
      params: z.object({ projectId }),
      body: z.object({ consent: z.boolean() }),
      response: consentRequestSchema,
      async handler({ principal, params, body, audit }) {
        audit.object = `user:${principal!.userId}`;
        audit.details = { projectId: params.projectId, consent: body.consent };
        return store.tx((q) => setConsent(q, principal!.userId, params.projectId, body.consent, clock.now()));
      },
    }),
  ];
}
