import type { IssuedToken } from '../../identity/index.ts';
import { makeClient, storeLogin } from '../api-client.ts';
import { requireOpt, stringOpt, type CommandGroup } from '../command.ts';
import { trimTrailingSlashes } from '../../platform/index.ts';

export const commands: CommandGroup = {
  '': {
    summary: 'Log in and store an API token (TRE_URL / TRE_TOKEN override it)',
    usage: 'tre login --url URL --user NAME --password PW [--totp CODE]',
    options: { url: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, totp: { type: 'string' } },
    async run(ctx, args) {
      const url = trimTrailingSlashes(stringOpt(args, 'url') ?? ctx.env.TRE_URL ?? 'http://127.0.0.1:8080');
      const user = requireOpt(args, 'user');
      const password = requireOpt(args, 'password');
      const totp = stringOpt(args, 'totp');
      const res = await makeClient(url, undefined).request<IssuedToken>('POST', '/api/auth/token', {
        username: user,
        password,
        name: 'tre cli',
        ...(totp ? { totp } : {}),
      });
      await storeLogin(ctx.env, { url, token: res.token, user });
      return { data: { token: res.token }, text: `logged in as ${user} at ${url} (token expires ${res.expiresAt})` };
    },
  },
};
