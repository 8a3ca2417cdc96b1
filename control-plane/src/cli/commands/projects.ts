import type { Project, ProjectDetail } from '../../projects/index.ts';
import { requirePositional, type CommandGroup } from '../command.ts';

type P = Project;

export const commands: CommandGroup = {
  list: {
    summary: 'Projects I can see',
    usage: 'tre projects list',
    async run(ctx) {
      const rows = await (await ctx.api()).request<P[]>('GET', '/api/projects');
      return { data: rows, text: rows.map((p) => `${p.id}  ${p.status.padEnd(8)} ${p.title}`).join('\n') || '(no projects)' };
    },
  },
  show: {
    summary: 'A project with members and permit',
    usage: 'tre projects show PROJECT',
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'PROJECT');
      return { data: await (await ctx.api()).request<ProjectDetail>('GET', `/api/projects/${encodeURIComponent(id)}`) };
    },
  },
  'add-member': {
    summary: 'Add a member to a project (project lead)',
    usage: 'tre projects add-member PROJECT --user NAME --role lead|researcher',
    options: { user: { type: 'string' }, role: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'PROJECT');
      return {
        data: await (await ctx.api()).request<ProjectDetail>('POST', `/api/projects/${encodeURIComponent(id)}/members`, {
          userId: args.values.user,
          role: args.values.role,
        }),
      };
    },
  },
};
