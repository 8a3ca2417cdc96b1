#!/usr/bin/env node
/**
 * `tre`: the command-line tool. `tre GROUP COMMAND [options]`; every command takes `--json`.
 * Groups are the files in `commands/` (one file per group, exporting `commands: CommandGroup`),
 * found by name so that a new group needs no registry edit.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError, type Command, type CommandContext, type CommandGroup } from './command.ts';
import { createApiClient } from './api-client.ts';

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));

function groupNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadGroup(name: string): Promise<CommandGroup | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !groupNames().includes(name)) return undefined;
  const mod = (await import(`./commands/${name}.ts`)) as { commands: CommandGroup };
  return mod.commands;
}

async function usage(): Promise<string> {
  const lines = ['usage: tre GROUP COMMAND [options] [--json]', ''];
  for (const name of groupNames()) {
    const group = await loadGroup(name);
    for (const [cmd, spec] of Object.entries(group ?? {})) {
      lines.push(`  ${(cmd ? `${name} ${cmd}` : name).padEnd(26)} ${spec.summary}`);
    }
  }
  return lines.join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const print = (data: unknown, text?: string) => {
    process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text ?? JSON.stringify(data, null, 2)}\n`);
  };
  try {
    const [groupName, maybeCmd, ...rest] = args;
    if (groupName === undefined || groupName === '--help' || groupName === 'help') {
      process.stdout.write(`${await usage()}\n`);
      return groupName === undefined ? 2 : 0;
    }
    const group = await loadGroup(groupName);
    if (!group) throw new CliError(`unknown command group '${groupName}'; see 'tre help'`, 2);
    let command: Command | undefined;
    let cmdArgs: string[];
    if (maybeCmd !== undefined && !maybeCmd.startsWith('-') && group[maybeCmd]) {
      command = group[maybeCmd];
      cmdArgs = rest;
    } else {
      command = group[''];
      cmdArgs = maybeCmd === undefined ? [] : [maybeCmd, ...rest];
      if (!command) {
        const known = Object.keys(group).join(', ');
        throw new CliError(`unknown command '${groupName} ${maybeCmd ?? ''}'; known: ${known}`, 2);
      }
    }
    if (cmdArgs.includes('--help')) {
      process.stdout.write(`${command.usage}\n  ${command.summary}\n`);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: cmdArgs, options: command.options ?? {}, allowPositionals: true, strict: true });
    } catch (err) {
      throw new CliError(`${(err as Error).message}\nusage: ${command.usage}`, 2);
    }
    const ctx: CommandContext = {
      json,
      env,
      info: (text) => process.stderr.write(`${text}\n`),
      api: () => createApiClient(env),
    };
    const result = await command.run(ctx, parsed);
    if (!result.raw) print(result.data, result.text);
    return result.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CliError) {
      if (json) process.stdout.write(`${JSON.stringify({ error: { message: err.message, details: err.details ?? null } })}\n`);
      else process.stderr.write(`tre: ${err.message}\n`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    if (json) process.stdout.write(`${JSON.stringify({ error: { message } })}\n`);
    else process.stderr.write(`tre: ${message}\n`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const code = await main(process.argv.slice(2));
  // Long-running commands (tre start) keep the event loop alive themselves.
  if (code !== 0 || !process.argv.slice(2).includes('--keep-alive')) process.exitCode = code;
}
