/**
 * The one typed configuration. Every key is described; secrets are redacted by `redactConfig`.
 * Sources, later winning: defaults, environment (`TRE_*`, `DATABASE_URL`), command-line flags.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { COPIES_ENV, CopiesOptionsSchema } from '../data-copies/index.ts';
import { ROOMS_ENV, roomsOptionsSchema } from '../rooms/index.ts';
import { trimTrailingSlashes } from '../platform/index.ts';

export const configSchema = z.object({
  host: z.string().describe('Address to listen on; loopback by default').default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).describe('TCP port of UI and API').default(8080),
  dataDir: z.string().describe('Directory for the embedded store, keys, data copies and rooms').default('./var'),
  demo: z.boolean().describe('Seed demo users, project and data; waives the second factor').default(false),
  demoPassword: z.string().min(1).describe('Password of every demo user (secret)').default('demo'),
  databaseUrl: z.string().url().optional().describe('postgres:// URL of an external PostgreSQL; embedded when absent (secret)'),
  masterKey: z.string().optional().describe('Base64 32-byte key that encrypts kept secrets; else masterKeyFile (secret)'),
  masterKeyFile: z.string().optional().describe('File holding the master key; generated in dataDir when neither is given'),
  tlsCert: z.string().optional().describe('PEM certificate file: serve HTTPS when given with tlsKey'),
  tlsKey: z.string().optional().describe('PEM private key file for tlsCert (secret path)'),
  publicUrl: z.string().url().optional().describe('URL people reach the platform at; derived from host and port when absent'),
  sessionTtlMinutes: z.coerce.number().int().positive().describe('Browser session lifetime').default(8 * 60),
  tokenTtlDays: z.coerce.number().int().positive().describe('Default API token lifetime').default(30),
  loginMaxFailures: z.coerce.number().int().positive().describe('Failed logins per user within loginWindowMinutes before refusal').default(5),
  loginWindowMinutes: z.coerce.number().int().positive().describe('Window for counting failed logins').default(15),
  oidcIssuer: z.string().url().optional().describe('OpenID Connect issuer URL; enables OIDC login'),
  oidcClientId: z.string().optional().describe('OIDC client id'),
  oidcClientSecret: z.string().optional().describe('OIDC client secret (secret; kept encrypted in the store)'),
  auditCheckpointSeconds: z.coerce.number().int().min(1).describe('How often a signed checkpoint of the audit log is published').default(60),
  auditLogOrigin: z.string().regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').describe('Names this audit log in its checkpoints').default('analyserom/audit'),
  auditRetentionDays: z.coerce.number().int().min(365, 'audit logs are kept at least a year').describe('Audit retention in days; can only be raised').default(3650),
  runAs: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a system user name').describe('System user the control plane serves as when started as root (made when missing): privileges/index.ts').default('analyserom'),
  requestTimeoutMs: z.coerce.number().int().positive().describe('Time a request may take to arrive whole, headers and body; register deliveries use bodyIdleTimeoutMs instead').default(300_000),
  bodyIdleTimeoutMs: z.coerce.number().int().positive().describe('Longest pause in a register delivery\'s body before the connection is cut').default(60_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).describe('Least severe log level printed').default('info'),
  rooms: roomsOptionsSchema.describe('Rooms and the room proxy (TRE_ROOM_*, TRE_PROXY_*: rooms/options.ts)').prefault({}),
  copies: CopiesOptionsSchema.describe('Data copies (TRE_COPY_*: data-copies/reconcile-options.ts)').prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

const SECRET_KEYS = new Set(['demoPassword', 'databaseUrl', 'masterKey', 'oidcClientSecret']);

/** The keys of a section that the environment sets, by the section's variable → key map. */
function sectionFromEnv(env: NodeJS.ProcessEnv, names: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, key] of Object.entries(names)) if (env[name]) out[key] = env[name];
  return Object.keys(out).length ? out : undefined;
}

/** Reads `TRE_*` variables (TRE_PORT, TRE_DATA_DIR, ..., TRE_ROOM_*, TRE_COPY_*) and DATABASE_URL. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const pick = (k: string) => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const out: Record<string, unknown> = {
    host: pick('TRE_HOST'),
    port: pick('TRE_PORT'),
    dataDir: pick('TRE_DATA_DIR'),
    demoPassword: pick('TRE_DEMO_PASSWORD'),
    databaseUrl: pick('DATABASE_URL'),
    masterKey: pick('TRE_MASTER_KEY'),
    masterKeyFile: pick('TRE_MASTER_KEY_FILE'),
    tlsCert: pick('TRE_TLS_CERT'),
    tlsKey: pick('TRE_TLS_KEY'),
    publicUrl: pick('TRE_PUBLIC_URL'),
    oidcIssuer: pick('TRE_OIDC_ISSUER'),
    oidcClientId: pick('TRE_OIDC_CLIENT_ID'),
    oidcClientSecret: pick('TRE_OIDC_CLIENT_SECRET'),
    logLevel: pick('TRE_LOG_LEVEL'),
    runAs: pick('TRE_RUN_AS'),
    requestTimeoutMs: pick('TRE_REQUEST_TIMEOUT_MS'),
    bodyIdleTimeoutMs: pick('TRE_BODY_IDLE_TIMEOUT_MS'),
    auditCheckpointSeconds: pick('TRE_AUDIT_CHECKPOINT_SECONDS'),
    auditLogOrigin: pick('TRE_AUDIT_LOG_ORIGIN'),
    auditRetentionDays: pick('TRE_AUDIT_RETENTION_DAYS'),
    rooms: sectionFromEnv(env, ROOMS_ENV),
    copies: sectionFromEnv(env, COPIES_ENV),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ConfigInput;
}

export function loadConfig(...layers: ConfigInput[]): Config {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      // Sections merge key by key: a later layer setting one room key keeps the others.
      const section = k === 'rooms' || k === 'copies';
      merged[k] = section ? { ...(merged[k] as object | undefined), ...(v as object) } : v;
    }
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  const cfg = parsed.data;
  cfg.dataDir = resolve(cfg.dataDir);
  if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey)) throw new Error('invalid configuration: tlsCert and tlsKey must be given together');
  return cfg;
}

export function redactConfig(cfg: Config): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== undefined ? '[redacted]' : v]));
}

export function publicUrl(cfg: Config, actualPort: number): string {
  if (cfg.publicUrl) return trimTrailingSlashes(cfg.publicUrl);
  const scheme = cfg.tlsCert ? 'https' : 'http';
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return `${scheme}://${host}:${actualPort}`;
}
