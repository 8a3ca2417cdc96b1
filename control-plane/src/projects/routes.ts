import { z } from 'zod';
import { noContent, defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import { requireOpenPermit, requireProjectLead, requireProjectVisible } from './access.ts';
import { caseRoutes } from './case-routes.ts';
import { casesOptions } from './case-options.ts';
import { APPLICATION_STATUSES } from './legal-bases.ts';
import { decideApplication, getApplication, issuePermit, listApplications, submitApplication } from './applications.ts';
import { amendPermit, getPermit, permitVersions } from './permits.ts';
import { requireIndependentDecidersRemain } from './independence.ts';
import { addMember, listProjects, projectDetail, publicRegister, removeMember } from './projects.ts';
import {
  applicationId,
  applicationInputSchema,
  applicationSchema,
  decisionSchema,
  memberSchema,
  permitAmendSchema,
  permitId,
  permitIssueSchema,
  permitSchema,
  projectDetailSchema,
  projectId,
  projectSchema,
  publicProjectSchema,
} from './schemas.ts';

export function projectRoutes(deps: CoreDeps): RouteDef[] {
  const { store, clock } = deps;
  const { deadlineDays } = casesOptions(deps.config.cases);
  return [
    ...caseRoutes(deps),
    defineRoute({
      method: 'get',
      path: '/api/public/projects',
      tag: 'public',
      summary: 'The public register: every current and past project with datasets, purpose, legal basis and period',
      action: 'public.projects.read',
      access: 'public',
      response: z.array(publicProjectSchema),
      async handler() {
        return publicRegister(store, clock.now());
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects',
      tag: 'projects',
      summary: 'Projects I can see',
      action: 'project.list',
      access: 'authenticated',
      response: z.array(projectSchema),
      async handler({ principal }) {
        return listProjects(store, principal!);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId',
      tag: 'projects',
      summary: 'A project with members and its permit in force',
      action: 'project.read',
      access: 'authenticated',
      params: z.object({ projectId }),
      response: projectDetailSchema,
      async handler({ principal, params, audit }) {
        const role = await requireProjectVisible(store, principal!, params.projectId);
        if (role) audit.role = role === 'lead' ? 'project_lead' : 'researcher';
        return projectDetail(store, params.projectId);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/members',
      tag: 'projects',
      summary: 'Add a member (project lead; needs a permit in force)',
      action: 'project.member.add',
      access: 'authenticated',
      params: z.object({ projectId }),
      body: memberSchema,
      response: projectDetailSchema,
      async handler({ principal, params, body, audit }) {
        audit.details = { member: body.userId, role: body.role };
        return store.tx(async (q) => {
          await requireProjectLead(q, principal!, params.projectId);
          await requireOpenPermit(q, params.projectId, clock.now());
          await requireIndependentDecidersRemain(q, params.projectId, body.userId);
          await addMember(q, params.projectId, body.userId, body.role, principal!.userId);
          return projectDetail(q, params.projectId);
        });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/projects/:projectId/members/:userId',
      tag: 'projects',
      summary: 'Remove a member (project lead)',
      action: 'project.member.remove',
      access: 'authenticated',
      params: z.object({ projectId, userId: z.string().min(1) }),
      response: noContent('The member is removed'),
      async handler({ principal, params, audit }) {
        audit.object = `project:${params.projectId}`;
        audit.details = { member: params.userId };
        await store.tx(async (q) => {
          await requireProjectLead(q, principal!, params.projectId);
          await removeMember(q, params.projectId, params.userId);
        });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/permits',
      tag: 'permits',
      summary: 'Every version of the project permit',
      action: 'permit.list',
      access: 'authenticated',
      params: z.object({ projectId }),
      response: z.array(permitSchema),
      async handler({ principal, params }) {
        await requireProjectVisible(store, principal!, params.projectId);
        return permitVersions(store, params.projectId);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/permits/:permitId',
      tag: 'permits',
      summary: 'A permit (latest version, or ?version=N)',
      action: 'permit.read',
      access: 'authenticated',
      params: z.object({ permitId }),
      response: permitSchema,
      query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      async handler({ principal, params, query, audit }) {
        const permit = await getPermit(store, params.permitId, query.version);
        audit.projectId = permit.projectId;
        await requireProjectVisible(store, principal!, permit.projectId);
        return permit;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/permits',
      tag: 'permits',
      summary: 'Issue the permit from an approved application (access administrator)',
      action: 'permit.issue',
      access: ['access_admin'],
      body: permitIssueSchema,
      response: permitSchema,
      async handler({ principal, body, audit }) {
        const permit = await store.tx((q) => issuePermit(q, principal!, body.applicationId, body.expiresAt, body.reason, clock.now()));
        Object.assign(audit, {
          object: `permit:${permit.id}`,
          projectId: permit.projectId,
          details: { version: permit.version, application: body.applicationId },
        });
        return permit;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/permit/amendments',
      tag: 'permits',
      summary: 'Amend the permit: a new version (new period, extra order, project change)',
      action: 'permit.amend',
      access: ['access_admin'],
      params: z.object({ projectId }),
      body: permitAmendSchema,
      response: permitSchema,
      async handler({ principal, params, body, audit }) {
        const permit = await store.tx((q) => amendPermit(q, principal!, params.projectId, body, clock.now()));
        Object.assign(audit, { object: `permit:${permit.id}`, details: { version: permit.version, caseType: body.caseType } });
        return permit;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications',
      tag: 'applications',
      summary: 'Applications (all for oversight roles; a lead sees their own)',
      action: 'application.list',
      access: 'authenticated',
      response: z.array(applicationSchema),
      query: z.object({ status: z.enum(APPLICATION_STATUSES).optional(), projectId: projectId.optional() }),
      async handler({ principal, query }) {
        return listApplications(store, principal!, query, clock.now());
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications',
      tag: 'applications',
      summary: 'Apply for data: a new project or an amendment',
      action: 'application.submit',
      access: ['project_lead'],
      body: applicationInputSchema,
      response: applicationSchema,
      async handler({ principal, body, audit }) {
        const app = await store.tx((q) => submitApplication(q, principal!, body, clock.now(), deadlineDays[body.caseType]));
        Object.assign(audit, { object: `application:${app.id}`, projectId: app.projectId, details: { kind: app.kind, caseType: app.caseType } });
        return app;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:applicationId',
      tag: 'applications',
      summary: 'One application',
      action: 'application.read',
      access: 'authenticated',
      params: z.object({ applicationId }),
      response: applicationSchema,
      async handler({ principal, params, audit }) {
        const app = await getApplication(store, params.applicationId, false, clock.now());
        audit.projectId = app.projectId;
        await requireProjectVisible(store, principal!, app.projectId);
        return app;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications/:applicationId/decision',
      tag: 'applications',
      summary: 'Approve or reject with a reason (access administrator, not a member)',
      action: 'application.decide',
      access: ['access_admin'],
      params: z.object({ applicationId }),
      body: decisionSchema,
      response: applicationSchema,
      status: 200,
      async handler({ principal, params, body, audit }) {
        const app = await store.tx((q) =>
          decideApplication(q, principal!, params.applicationId, body.decision, body.reason, clock.now(), body.legalReferences),
        );
        Object.assign(audit, { projectId: app.projectId, details: { decision: body.decision, reason: body.reason, legalReferences: body.legalReferences } });
        return app;
      },
    }),
  ];
}
