import type { ParseArgsConfig } from 'node:util';

/** Parsed options of one command: `--name value` flags and positionals. */
export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface CommandContext {
  /** True when `--json` was given: the command's `data` is printed as one JSON document. */
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** Progress and messages for people; written to stderr so stdout stays parseable. */
  info(text: string): void;
  /** An HTTP client for the control plane's API, from `TRE_URL`/`TRE_TOKEN` or the stored login. */
  api(): Promise<ApiClient>;
}

export interface ApiClient {
  readonly url: string;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Raw response for downloads and streams; throws CliError on a non-2xx status. */
  fetch(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

export interface CommandResult {
  /** What `--json` prints. */
  data: unknown;
  /** What a person reads without `--json`; defaults to pretty-printed `data`. */
  text?: string;
  exitCode?: number;
  /** The command wrote its output itself (a stream): nothing more is printed. */
  raw?: boolean;
}

export interface Command {
  summary: string;
  /** e.g. `tre projects show PROJECT` */
  usage: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext, args: CommandArgs): Promise<CommandResult>;
}

/** A command group, e.g. `projects` with `list` and `show`. A group with a `''` command runs on its own (`tre start`). */
export type CommandGroup = Record<string, Command>;

/** An error meant for the person at the terminal: printed without a stack, exit code 1 (2 for usage). */
export class CliError extends Error {
  readonly exitCode: number;
  readonly details: unknown;
  constructor(message: string, exitCode = 1, details?: unknown) {
    super(message);
    this.exitCode = exitCode;
    this.details = details;
  }
}

export function stringOpt(args: CommandArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireOpt(args: CommandArgs, name: string): string {
  const v = stringOpt(args, name);
  if (v === undefined || v === '') throw new CliError(`missing required option --${name}`, 2);
  return v;
}

export function requirePositional(args: CommandArgs, index: number, name: string): string {
  const v = args.positionals[index];
  if (v === undefined) throw new CliError(`missing argument ${name}`, 2);
  return v;
}
