import { readFile } from 'node:fs/promises';
import type { Application } from '../../projects/index.ts';
import { CliError, requireOpt, requirePositional, stringOpt, type CommandGroup } from '../command.ts';

type A = Application;

export const commands: CommandGroup = {
  submit: {
    summary: 'Apply for data: a JSON application (new project or amendment)',
    usage: 'tre applications submit --file APPLICATION.json',
    options: { file: { type: 'string' } },
    async run(ctx, args) {
      const file = requireOpt(args, 'file');
      let body: unknown;
      try {
        body = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new CliError(`cannot read ${file} as JSON: ${(err as Error).message}`, 2);
      }
      const app = await (await ctx.api()).request<A>('POST', '/api/applications', body);
      return { data: app, text: `submitted ${app.id} for project ${app.projectId}` };
    },
  },
  list: {
    summary: 'Applications (all for administrators; a lead sees their own)',
    usage: 'tre applications list [--status submitted|approved|rejected] [--project PROJECT]',
    options: { status: { type: 'string' }, project: { type: 'string' } },
    async run(ctx, args) {
      const qs = new URLSearchParams();
      const status = stringOpt(args, 'status');
      const project = stringOpt(args, 'project');
      if (status) qs.set('status', status);
      if (project) qs.set('projectId', project);
      const rows = await (await ctx.api()).request<A[]>('GET', `/api/applications${qs.size ? `?${qs}` : ''}`);
      return {
        data: rows,
        text: rows.map((a) => `${a.id}  ${a.status.padEnd(9)} ${a.kind.padEnd(9)} ${a.projectId} by ${a.submittedBy}`).join('\n') || '(none)',
      };
    },
  },
  decide: {
    summary: 'Approve or reject an application with a reason (access administrator)',
    usage: 'tre applications decide APPLICATION --approve|--reject --reason TEXT',
    options: { approve: { type: 'boolean' }, reject: { type: 'boolean' }, reason: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'APPLICATION');
      if (Boolean(args.values.approve) === Boolean(args.values.reject)) throw new CliError('give exactly one of --approve and --reject', 2);
      const app = await (await ctx.api()).request<A>('POST', `/api/applications/${encodeURIComponent(id)}/decision`, {
        decision: args.values.approve ? 'approve' : 'reject',
        reason: requireOpt(args, 'reason'),
      });
      return { data: app, text: `${app.id} is ${app.status}` };
    },
  },
};
