import { configFromEnv, loadConfig, startPlatform } from '../../server/index.ts';
import { DEMO_USERS } from '../../demo/index.ts';
import { dropRoot } from '../../privileges/index.ts';
import type { CommandGroup } from '../command.ts';
import { treCommand } from '../tre-command.ts';

export const commands: CommandGroup = {
  '': {
    summary: 'Run the control plane (UI and API); --demo seeds demo users, project and data',
    usage: 'tre start [--host 127.0.0.1] [--port 8080] [--data-dir ./var] [--demo] [--tls-cert FILE --tls-key FILE]',
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    },
    async run(ctx, args) {
      const v = args.values;
      const config = loadConfig(configFromEnv(ctx.env), {
        host: v.host as string | undefined,
        port: v.port as string | undefined as unknown as number | undefined,
        dataDir: v['data-dir'] as string | undefined,
        demo: v.demo === true ? true : undefined,
        tlsCert: v['tls-cert'] as string | undefined,
        tlsKey: v['tls-key'] as string | undefined,
      });
      // Started as root: do what needs root, then serve as the service account (privileges/index.ts).
      const dropped = await dropRoot(config);
      if (dropped) {
        if (dropped.cgroupRoot) config.rooms.cgroupRoot = dropped.cgroupRoot;
        ctx.info(
          `started as root: serving as ${dropped.account.name} (uid ${dropped.account.uid}, gid ${dropped.account.gid}); room limits: ${dropped.cgroupRoot ? `cgroup v2 under ${dropped.cgroupRoot}` : 'rlimits (no cgroup v2 here)'}`,
        );
        if (dropped.earlierRooms)
          ctx.info(`stopped ${dropped.earlierRooms} room sandbox processes left by a control plane that ran as root; their members start them again`);
      }
      const platform = await startPlatform(config);
      const stop = (signal: string) => {
        ctx.info(`${signal}: stopping (finishing requests in flight)`);
        platform.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      const lines = [`Analyserom is running at ${platform.url}`];
      if (config.demo) {
        lines.push(
          'WARNING: demo mode: second factors are waived and every demo user has the same password. Never use demo mode with real data.',
          `Log in at ${platform.url} as one of: ${DEMO_USERS.map((u) => u.id).join(', ')}`,
          `Password: ${ctx.env.TRE_DEMO_PASSWORD ? '(the value of TRE_DEMO_PASSWORD)' : 'demo'}`,
          `CLI: ${treCommand(ctx.env)} login --url ${platform.url} --user researcher --password ${ctx.env.TRE_DEMO_PASSWORD ? '$TRE_DEMO_PASSWORD' : 'demo'}`,
        );
      }
      ctx.info(lines.join('\n'));
      // Keep running: the listener holds the event loop open until a signal stops it.
      await new Promise(() => undefined);
      return { data: null };
    },
  },
};
