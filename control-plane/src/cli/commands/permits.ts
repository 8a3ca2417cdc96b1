import { readFile } from 'node:fs/promises';
import type { Permit } from '../../projects/index.ts';
import { CliError, requireOpt, requirePositional, stringOpt, type CommandGroup } from '../command.ts';

export const commands: CommandGroup = {
  show: {
    summary: 'A permit (latest version) or, with --project, every version of a project permit',
    usage: 'tre permits show PERMIT [--version N] | tre permits show --project PROJECT',
    options: { version: { type: 'string' }, project: { type: 'string' } },
    async run(ctx, args) {
      const api = await ctx.api();
      const project = stringOpt(args, 'project');
      if (project) return { data: await api.request<Permit[]>('GET', `/api/projects/${encodeURIComponent(project)}/permits`) };
      const id = requirePositional(args, 0, 'PERMIT');
      const version = stringOpt(args, 'version');
      return { data: await api.request<Permit>('GET', `/api/permits/${encodeURIComponent(id)}${version ? `?version=${encodeURIComponent(version)}` : ''}`) };
    },
  },
  issue: {
    summary: 'Issue the permit from an approved application (access administrator)',
    usage: 'tre permits issue --application APPLICATION --expires ISO-DATE-TIME [--reason TEXT]',
    options: { application: { type: 'string' }, expires: { type: 'string' }, reason: { type: 'string' } },
    async run(ctx, args) {
      const reason = stringOpt(args, 'reason');
      const p = await (await ctx.api()).request<Permit>('POST', '/api/permits', {
        applicationId: requireOpt(args, 'application'),
        expiresAt: requireOpt(args, 'expires'),
        ...(reason ? { reason } : {}),
      });
      return { data: p, text: `issued ${p.id} version ${p.version} for ${p.projectId}, expires ${p.expiresAt}` };
    },
  },
  amend: {
    summary: 'Amend a project permit: a new version (access administrator)',
    usage: 'tre permits amend PROJECT --case-type new_period|extra_order|project_change --reason TEXT [--file CHANGES.json] [--expires T]',
    options: { 'case-type': { type: 'string' }, reason: { type: 'string' }, file: { type: 'string' }, expires: { type: 'string' } },
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      let changes: Record<string, unknown> = {};
      const file = stringOpt(args, 'file');
      if (file) {
        try {
          changes = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
        } catch (err) {
          throw new CliError(`cannot read ${file} as JSON: ${(err as Error).message}`, 2);
        }
      }
      const expires = stringOpt(args, 'expires');
      const p = await (await ctx.api()).request<Permit>('POST', `/api/projects/${encodeURIComponent(project)}/permit/amendments`, {
        ...changes,
        caseType: requireOpt(args, 'case-type'),
        reason: requireOpt(args, 'reason'),
        ...(expires ? { expiresAt: expires } : {}),
      });
      return { data: p, text: `${p.id} is now version ${p.version}, expires ${p.expiresAt}` };
    },
  },
};
