import type { CreatedUser, TotpReset, User } from '../../identity/index.ts';
import { CliError, requireOpt, requirePositional, stringOpt, type CommandGroup } from '../command.ts';

type U = User;

const roleList = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : undefined;

export const commands: CommandGroup = {
  list: {
    summary: 'All users (platform admin)',
    usage: 'tre users list',
    async run(ctx) {
      const rows = await (await ctx.api()).request<U[]>('GET', '/api/users');
      return { data: rows, text: rows.map((u) => `${u.id.padEnd(14)} ${u.disabled ? 'DISABLED ' : ''}${u.roles.join(',')}  ${u.displayName}`).join('\n') };
    },
  },
  show: {
    summary: 'One user (platform admin)',
    usage: 'tre users show USER',
    async run(ctx, args) {
      return { data: await (await ctx.api()).request<User>('GET', `/api/users/${encodeURIComponent(requirePositional(args, 0, 'USER'))}`) };
    },
  },
  create: {
    summary: 'Create a user; privileged roles print a TOTP enrolment URI once (platform admin)',
    usage: 'tre users create USER --name NAME --roles r1,r2 [--password PW] [--email E] [--oidc-subject SUB]',
    options: {
      name: { type: 'string' },
      roles: { type: 'string' },
      password: { type: 'string' },
      email: { type: 'string' },
      'oidc-subject': { type: 'string' },
    },
    async run(ctx, args) {
      const body = {
        id: requirePositional(args, 0, 'USER'),
        displayName: requireOpt(args, 'name'),
        roles: roleList(requireOpt(args, 'roles')),
        password: stringOpt(args, 'password'),
        email: stringOpt(args, 'email'),
        oidcSubject: stringOpt(args, 'oidc-subject'),
      };
      const res = await (await ctx.api()).request<CreatedUser>('POST', '/api/users', body);
      return { data: res, text: `created ${res.user.id}${res.totpUri ? `\nTOTP enrolment (shown once): ${res.totpUri}` : ''}` };
    },
  },
  update: {
    summary: 'Change roles, name or password, or disable/enable a user (platform admin)',
    usage: 'tre users update USER [--roles r1,r2] [--name NAME] [--password PW] [--disable|--enable]',
    options: { roles: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, disable: { type: 'boolean' }, enable: { type: 'boolean' } },
    async run(ctx, args) {
      if (args.values.disable && args.values.enable) throw new CliError('give at most one of --disable and --enable', 2);
      const body = {
        roles: roleList(stringOpt(args, 'roles')),
        displayName: stringOpt(args, 'name'),
        password: stringOpt(args, 'password'),
        disabled: args.values.disable ? true : args.values.enable ? false : undefined,
      };
      return { data: await (await ctx.api()).request<User>('PATCH', `/api/users/${encodeURIComponent(requirePositional(args, 0, 'USER'))}`, body) };
    },
  },
  'reset-totp': {
    summary: 'Enrol or reset a user second factor; prints the otpauth URI once (platform admin)',
    usage: 'tre users reset-totp USER',
    async run(ctx, args) {
      const res = await (await ctx.api()).request<TotpReset>('POST', `/api/users/${encodeURIComponent(requirePositional(args, 0, 'USER'))}/totp`);
      return { data: res, text: res.totpUri };
    },
  },
};
