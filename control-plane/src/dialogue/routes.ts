/**
 * The dialogue's routes, by who calls them: the public register's texts; the project's own
 * (members read, the lead publishes and answers); the citizen's (my projects' texts, my
 * questions); the access administrators' screening. Every change is audited by its route; the
 * project-side routes answer shapes that have no field for who asked (`schemas.ts`).
 */
import { z } from 'zod';
import { NotAllowedError } from '../errors/index.ts';
import { defineRoute, type RouteDef } from '../http/index.ts';
import type { CoreDeps } from '../module-api/index.ts';
import type { Principal } from '../platform/index.ts';
import { memberRole, projectId, requireProjectVisible } from '../projects/index.ts';
import type { Queryable } from '../store/index.ts';
import { latestPublications, publicationHistory, publish } from './publications.ts';
import { answerQuestion, askQuestion, leadQuestions, myQuestions, screenAnswer, screeningQueue, screenQuestion } from './questions.ts';
import {
  answerInputSchema,
  answerScreeningInputSchema,
  leadQuestionSchema,
  myQuestionSchema,
  projectPublicationsSchema,
  publicationHistorySchema,
  publicationSchema,
  questionId,
  questionInputSchema,
  resultsInputSchema,
  screeningInputSchema,
  screeningItemSchema,
  summaryInputSchema,
} from './schemas.ts';

async function requireLead(q: Queryable, p: Principal, project: string): Promise<void> {
  await requireProjectVisible(q, p, project);
  if ((await memberRole(q, project, p.userId)) !== 'lead') throw new NotAllowedError('only the project lead may do this', { reason: 'not_project_lead' });
}

export function dialogueRoutes(deps: CoreDeps): RouteDef[] {
  const { store, clock } = deps;
  const projectParams = z.object({ projectId });
  const publishRoute = (kind: 'summary' | 'results') =>
    defineRoute({
      method: 'post',
      path: `/api/projects/:projectId/publications/${kind}`,
      tag: 'dialogue',
      summary: kind === 'summary' ? 'Publish a new version of the plain-language summary' : 'Publish a new version of the plain-language results',
      action: `project.publication.${kind}`,
      access: ['project_lead'],
      params: projectParams,
      body: kind === 'summary' ? summaryInputSchema : resultsInputSchema,
      response: publicationSchema,
      async handler({ principal, params, body, audit }) {
        audit.details = { length: body.text.length, ...('link' in body && body.link ? { link: body.link } : {}) };
        return store.tx(async (q) => {
          await requireLead(q, principal!, params.projectId);
          return publish(q, params.projectId, kind, body, principal!.userId, clock.now());
        });
      },
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/public/publications',
      tag: 'public',
      summary: 'The plain-language summary and results of every project in the public register (EHDS art. 58)',
      action: 'public.publications.read',
      access: 'public',
      response: z.array(projectPublicationsSchema),
      async handler() {
        return latestPublications(store, null);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/publications',
      tag: 'dialogue',
      summary: "Every version of the project's summary and results, and what may be published now",
      action: 'project.publication.read',
      access: 'authenticated',
      params: projectParams,
      response: publicationHistorySchema,
      async handler({ principal, params }) {
        await requireProjectVisible(store, principal!, params.projectId);
        return publicationHistory(store, params.projectId);
      },
    }),
    publishRoute('summary'),
    publishRoute('results'),
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/questions',
      tag: 'dialogue',
      summary: "Citizens' questions forwarded to the project, without who asked",
      action: 'project.question.list',
      access: ['project_lead'],
      params: projectParams,
      response: z.array(leadQuestionSchema),
      async handler({ principal, params }) {
        await requireLead(store, principal!, params.projectId);
        return leadQuestions(store, params.projectId);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/projects/:projectId/questions/:questionId/answer',
      tag: 'dialogue',
      summary: 'Answer a forwarded question; an access administrator delivers the answer',
      action: 'project.question.answer',
      access: ['project_lead'],
      params: z.object({ projectId, questionId }),
      body: answerInputSchema,
      status: 200,
      response: leadQuestionSchema,
      async handler({ principal, params, body, audit }) {
        audit.details = { length: body.text.length };
        return store.tx(async (q) => {
          await requireLead(q, principal!, params.projectId);
          return answerQuestion(q, params.projectId, params.questionId, body.text, principal!.userId, clock.now());
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/citizen/publications',
      tag: 'citizens',
      summary: 'The summary and results of each project that used my data',
      action: 'citizen.publications.read',
      access: ['citizen'],
      response: z.array(projectPublicationsSchema),
      async handler({ principal, audit }) {
        audit.object = `user:${principal!.userId}`;
        if (!principal!.personLookup) return [];
        const used = await store.query<{ project_id: string }>('SELECT DISTINCT project_id FROM data_copy_persons WHERE person_lookup = $1', [
          principal!.personLookup,
        ]);
        return used.length
          ? latestPublications(
              store,
              used.map((r) => r.project_id),
            )
          : [];
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/citizen/questions',
      tag: 'citizens',
      summary: 'My questions to projects and their answers',
      action: 'citizen.question.list',
      access: ['citizen'],
      response: z.array(myQuestionSchema),
      async handler({ principal, audit }) {
        audit.object = `user:${principal!.userId}`;
        return myQuestions(store, principal!.userId);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/citizen/questions',
      tag: 'citizens',
      summary: 'Ask a project in the public register a question; an access administrator forwards it without my name',
      action: 'citizen.question.ask',
      access: ['citizen'],
      body: questionInputSchema,
      response: myQuestionSchema,
      async handler({ principal, body, audit }) {
        // The entry names the asker (its actor) and the project; only auditors read the log.
        audit.projectId = body.projectId;
        audit.details = { length: body.text.length };
        const asked = await store.tx((q) => askQuestion(q, principal!.userId, body, clock.now()));
        audit.object = `question:${asked.id}`;
        return asked;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/questions',
      tag: 'dialogue',
      summary: "Citizens' questions and leads' answers to screen, without who asked",
      action: 'question.queue.read',
      access: ['access_admin'],
      response: z.array(screeningItemSchema),
      async handler({ principal }) {
        return screeningQueue(store, principal!);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/questions/:questionId/screening',
      tag: 'dialogue',
      summary: "Forward a citizen's question to the project's lead, or reject it with a reason",
      action: 'question.screen',
      access: ['access_admin'],
      params: z.object({ questionId }),
      body: screeningInputSchema,
      status: 200,
      response: screeningItemSchema,
      async handler({ principal, params, body, audit }) {
        audit.details = { decision: body.decision };
        const item = await store.tx((q) => screenQuestion(q, principal!, params.questionId, body, clock.now()));
        audit.projectId = item.projectId;
        return item;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/questions/:questionId/answer-screening',
      tag: 'dialogue',
      summary: "Deliver the lead's answer to the citizen, or return it to the lead with a reason",
      action: 'question.answer.screen',
      access: ['access_admin'],
      params: z.object({ questionId }),
      body: answerScreeningInputSchema,
      status: 200,
      response: screeningItemSchema,
      async handler({ principal, params, body, audit }) {
        audit.details = { decision: body.decision };
        const item = await store.tx((q) => screenAnswer(q, principal!, params.questionId, body, clock.now()));
        audit.projectId = item.projectId;
        return item;
      },
    }),
  ];
}
