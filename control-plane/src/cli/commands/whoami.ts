import type { Me } from '../../identity/index.ts';
import type { CommandGroup } from '../command.ts';

export const commands: CommandGroup = {
  '': {
    summary: 'Who am I: user, roles, projects',
    usage: 'tre whoami',
    async run(ctx) {
      const me = await (await ctx.api()).request<Me>('GET', '/api/me');
      const { csrfToken: _csrf, ...data } = me;
      return {
        data,
        text: [`${me.id} (${me.displayName}) roles: ${me.roles.join(', ')}`, ...me.memberships.map((m) => `  ${m.role} of ${m.title}`)].join('\n'),
      };
    },
  },
};
