/**
 * The one typed configuration. Every key is described; secrets are redacted by `redactConfig`.
 * Sources, later winning: defaults, environment (`TRE_*`, `DATABASE_URL`), command-line flags.
 *
 * This folder owns the platform-wide keys and the loading. A bounded context with settings of its
 * own owns them as a section (`ConfigSection`: schema, environment variables, description; e.g.
 * `rooms/options.ts`); the server hands the sections to `configLoader` (`server/config.ts`), so
 * config/ imports no context and every key is still checked, described and defaulted at load.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { trimTrailingSlashes } from '../platform/index.ts';

export const platformConfigSchema = z.object({
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
  sessionTtlMinutes: z.coerce
    .number()
    .int()
    .positive()
    .describe('Browser session lifetime')
    .default(8 * 60),
  tokenTtlDays: z.coerce.number().int().positive().describe('Default API token lifetime').default(30),
  loginMaxFailures: z.coerce.number().int().positive().describe('Failed logins per user within loginWindowMinutes before refusal').default(5),
  loginWindowMinutes: z.coerce.number().int().positive().describe('Window for counting failed logins').default(15),
  oidcIssuer: z.string().url().optional().describe('OpenID Connect issuer URL; enables OIDC login'),
  oidcClientId: z.string().optional().describe('OIDC client id'),
  oidcClientSecret: z.string().optional().describe('OIDC client secret (secret; kept encrypted in the store)'),
  auditCheckpointSeconds: z.coerce.number().int().min(1).describe('How often a signed checkpoint of the audit log is published').default(60),
  auditLogOrigin: z
    .string()
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .describe('Names this audit log in its checkpoints')
    .default('analyserom/audit'),
  auditRetentionDays: z.coerce
    .number()
    .int()
    .min(365, 'audit logs are kept at least a year')
    .describe('Audit retention in days; can only be raised')
    .default(3650),
  runAs: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a system user name')
    .describe('System user the control plane serves as when started as root (made when missing): privileges/index.ts')
    .default('analyserom'),
  requestTimeoutMs: z.coerce
    .number()
    .int()
    .positive()
    .describe('Time a request may take to arrive whole, headers and body; register deliveries use bodyIdleTimeoutMs instead')
    .default(300_000),
  bodyIdleTimeoutMs: z.coerce.number().int().positive().describe("Longest pause in a register delivery's body before the connection is cut").default(60_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).describe('Least severe log level printed').default('info'),
  smtpUrl: z
    .url({ protocol: /^smtps?$/, error: 'an smtp:// or smtps:// URL' })
    .optional()
    .describe('SMTP server notifications are e-mailed through (smtp://user:pass@host:587, smtps:// for TLS at connect); none sent when absent (secret)'),
  smtpFrom: z.email().optional().describe('Sender address of notification e-mails; needed with smtpUrl'),
});

export type PlatformConfig = z.infer<typeof platformConfigSchema>;
export type PlatformConfigInput = z.input<typeof platformConfigSchema>;

/**
 * The config as a bounded context is handed it: the platform-wide keys, typed, and the sections,
 * which a context reads by parsing its own with its own schema (they were checked at load).
 */
export type Config = PlatformConfig & { readonly [section: string]: unknown };

/** A context's section of the config: its schema (every key described), its variables → keys. */
export interface ConfigSection<S extends z.ZodObject = z.ZodObject> {
  schema: S;
  env: Readonly<Record<string, string>>;
  description: string;
}

type Sections = Record<string, ConfigSection>;
/** The whole config, sections typed, for the composition root that knows them. */
export type ConfigOf<S extends Sections> = PlatformConfig & { [K in keyof S]: z.infer<S[K]['schema']> };
export type ConfigInputOf<S extends Sections> = PlatformConfigInput & { [K in keyof S]?: z.input<S[K]['schema']> };

const SECRET_KEYS = new Set(['demoPassword', 'databaseUrl', 'masterKey', 'oidcClientSecret', 'smtpUrl']);

/** The keys of a section that the environment sets, by the section's variable → key map. */
function sectionFromEnv(env: NodeJS.ProcessEnv, names: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, key] of Object.entries(names)) if (env[name]) out[key] = env[name];
  return Object.keys(out).length ? out : undefined;
}

/** Reads the platform's `TRE_*` variables (TRE_PORT, TRE_DATA_DIR, ...) and DATABASE_URL. */
function platformFromEnv(env: NodeJS.ProcessEnv): PlatformConfigInput {
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
    smtpUrl: pick('TRE_SMTP_URL'),
    smtpFrom: pick('TRE_SMTP_FROM'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as PlatformConfigInput;
}

/**
 * Loading for the platform-wide keys plus `sections`: `schema` (every key, for docs and tests),
 * `fromEnv` (the platform's variables and each section's), `load` (layers, later winning).
 */
export function configLoader<S extends Sections>(sections: S) {
  const schema = platformConfigSchema.extend(
    Object.fromEntries(Object.entries(sections).map(([name, s]) => [name, s.schema.describe(s.description).prefault({})])),
  );
  return {
    schema,
    fromEnv(env: NodeJS.ProcessEnv): ConfigInputOf<S> {
      const out: Record<string, unknown> = { ...platformFromEnv(env) };
      for (const [name, s] of Object.entries(sections)) {
        const section = sectionFromEnv(env, s.env);
        if (section) out[name] = section;
      }
      return out as ConfigInputOf<S>;
    },
    load(...layers: ConfigInputOf<S>[]): ConfigOf<S> {
      const merged: Record<string, unknown> = {};
      for (const layer of layers) {
        for (const [k, v] of Object.entries(layer)) {
          if (v === undefined) continue;
          // Sections merge key by key: a later layer setting one room key keeps the others.
          merged[k] = Object.hasOwn(sections, k) ? { ...(merged[k] as object | undefined), ...(v as object) } : v;
        }
      }
      const parsed = schema.safeParse(merged);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Error(`invalid configuration: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
      }
      const cfg = parsed.data as ConfigOf<S>;
      cfg.dataDir = resolve(cfg.dataDir);
      if (Boolean(cfg.tlsCert) !== Boolean(cfg.tlsKey)) throw new Error('invalid configuration: tlsCert and tlsKey must be given together');
      if (cfg.smtpUrl && !cfg.smtpFrom) throw new Error('invalid configuration: smtpFrom: a sender address is needed with smtpUrl');
      return cfg;
    },
  };
}

export function redactConfig(cfg: Config): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, SECRET_KEYS.has(k) && v !== undefined ? '[redacted]' : v]));
}

export function publicUrl(cfg: PlatformConfig, actualPort: number): string {
  if (cfg.publicUrl) return trimTrailingSlashes(cfg.publicUrl);
  const scheme = cfg.tlsCert ? 'https' : 'http';
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return `${scheme}://${host}:${actualPort}`;
}
