/**
 * `tre dialogue`: a project's public summary and results (the lead publishes), citizens'
 * questions as the lead sees them (id and text, never who asked) and the access administrators'
 * screening. Citizens ask in the web UI, where they are.
 */
import type { LeadQuestion, Publication, PublicationHistory, ScreeningItem } from '../../dialogue/schemas.ts';
import { CliError, requireOpt, requirePositional, stringOpt, type CommandGroup } from '../command.ts';

const e = encodeURIComponent;

export const commands: CommandGroup = {
  publish: {
    summary: "Publish a new version of the project's plain-language summary or results (project lead)",
    usage: 'tre dialogue publish PROJECT --summary|--results --text TEXT [--link DOI-OR-HTTPS]',
    options: { summary: { type: 'boolean' }, results: { type: 'boolean' }, text: { type: 'string' }, link: { type: 'string' } },
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      if (Boolean(args.values.summary) === Boolean(args.values.results)) throw new CliError('give one of --summary or --results', 2);
      const kind = args.values.summary ? 'summary' : 'results';
      const link = stringOpt(args, 'link');
      const body = { text: requireOpt(args, 'text'), ...(link ? { link } : {}) };
      const p = await (await ctx.api()).request<Publication>('POST', `/api/projects/${e(project)}/publications/${kind}`, body);
      return { data: p, text: `published ${p.kind} version ${p.version}` };
    },
  },
  publications: {
    summary: "Every version of the project's summary and results",
    usage: 'tre dialogue publications PROJECT',
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      return { data: await (await ctx.api()).request<PublicationHistory>('GET', `/api/projects/${e(project)}/publications`) };
    },
  },
  questions: {
    summary: "Citizens' questions forwarded to the project (project lead)",
    usage: 'tre dialogue questions PROJECT',
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      const rows = await (await ctx.api()).request<LeadQuestion[]>('GET', `/api/projects/${e(project)}/questions`);
      return { data: rows, text: rows.map((q) => `${q.id}  ${q.status.padEnd(9)} ${q.text}`).join('\n') || '(no questions)' };
    },
  },
  answer: {
    summary: 'Answer a forwarded question; an access administrator delivers it (project lead)',
    usage: 'tre dialogue answer PROJECT QUESTION --text TEXT',
    options: { text: { type: 'string' } },
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      const question = requirePositional(args, 1, 'QUESTION');
      const q = await (await ctx.api()).request<LeadQuestion>('POST', `/api/projects/${e(project)}/questions/${e(question)}/answer`, {
        text: requireOpt(args, 'text'),
      });
      return { data: q, text: `${q.id} ${q.status}` };
    },
  },
  queue: {
    summary: "Citizens' questions and leads' answers to screen (access administrator)",
    usage: 'tre dialogue queue',
    async run(ctx) {
      const rows = await (await ctx.api()).request<ScreeningItem[]>('GET', '/api/admin/questions');
      return { data: rows, text: rows.map((q) => `${q.id}  ${q.status.padEnd(9)} ${q.projectId}  ${q.text}`).join('\n') || '(no questions)' };
    },
  },
  screen: {
    summary: "Forward a question to the lead or reject it; deliver the lead's answer or return it (access administrator)",
    usage: 'tre dialogue screen QUESTION --decision forward|reject|deliver|return [--reason TEXT]',
    options: { decision: { type: 'string' }, reason: { type: 'string' } },
    async run(ctx, args) {
      const question = requirePositional(args, 0, 'QUESTION');
      const decision = requireOpt(args, 'decision');
      const reason = stringOpt(args, 'reason');
      const path = ['forward', 'reject'].includes(decision) ? 'screening' : ['deliver', 'return'].includes(decision) ? 'answer-screening' : null;
      if (!path) throw new CliError('--decision is forward, reject, deliver or return', 2);
      const q = await (await ctx.api()).request<ScreeningItem>('POST', `/api/admin/questions/${e(question)}/${path}`, {
        decision,
        ...(reason ? { reason } : {}),
      });
      return { data: q, text: `${q.id} ${q.status}` };
    },
  },
};
