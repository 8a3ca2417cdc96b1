/**
 * Settings of the data-copies module: the `copies` section of the one typed config
 * (`copiesConfigSection`, handed to `config/` by the server), from these environment variables. None is secret.
 *
 *   TRE_COPY_GRACE_DAYS       a project whose permit expired this many days ago is closed and its copies
 *                             and pseudonym key deleted by the reconcile loop (default 30)
 *   TRE_COPY_RECONCILE_MS     interval between reconcile passes (default 5000)
 *   TRE_COPY_RETRY_MS         after a failed extract, wait this long before trying the same permit version again (default 60000)
 *   TRE_COPY_CONSENT_JOIN_MS  new consents to a consent project join its copy in a new version once its newest copy is
 *                             this old (default 86400000, a day; a withdrawal makes a new version at the next pass)
 *   TRE_COPY_DEMO_ROWS        rows of the demo event registers made at first demo start (default 20000: 2,000 persons)
 *   TRE_COPY_DEMO_SEED        seed of the demo registers (default 20260101)
 */
import { z } from 'zod';
import type { ConfigSection } from '../config/index.ts';
import { InputError } from '../errors/index.ts';

export const CopiesOptionsSchema = z.object({
  graceDays: z.coerce.number().min(0).describe('Days after a permit expired before its project is closed and its copies and key deleted').default(30),
  reconcileMs: z.coerce.number().int().min(10).describe('Interval between reconcile passes').default(5000),
  retryMs: z.coerce.number().int().min(0).describe('Wait before extracting the same permit version again after a failure').default(60_000),
  consentJoinMs: z.coerce
    .number()
    .int()
    .min(0)
    .describe('Age of the newest copy of a consent project before new consents join it in a new version')
    .default(86_400_000),
  demoRows: z.coerce.number().int().min(1000).max(10_000_000).describe('Rows of the demo event registers made at first demo start').default(20_000),
  demoSeed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .describe('Seed of the demo registers')
    .default(20260101),
});
export type CopiesOptions = z.infer<typeof CopiesOptionsSchema>;
export type CopiesOptionsInput = z.input<typeof CopiesOptionsSchema>;

/** Environment variable → key of the `copies` config section. */
export const COPIES_ENV: Record<string, keyof CopiesOptions> = {
  TRE_COPY_GRACE_DAYS: 'graceDays',
  TRE_COPY_RECONCILE_MS: 'reconcileMs',
  TRE_COPY_RETRY_MS: 'retryMs',
  TRE_COPY_CONSENT_JOIN_MS: 'consentJoinMs',
  TRE_COPY_DEMO_ROWS: 'demoRows',
  TRE_COPY_DEMO_SEED: 'demoSeed',
};

/** The `copies` section of the one config. */
export const copiesConfigSection = {
  schema: CopiesOptionsSchema,
  env: COPIES_ENV,
  description: 'Data copies (TRE_COPY_*: data-copies/reconcile-options.ts)',
} satisfies ConfigSection<typeof CopiesOptionsSchema>;

/** The `copies` config section, then `overrides` (tests). */
export function copiesOptions(section: unknown, overrides: CopiesOptionsInput = {}): CopiesOptions {
  const defined = Object.fromEntries(
    Object.entries({ ...(typeof section === 'object' ? section : {}), ...overrides }).filter(([, v]) => v !== undefined && v !== ''),
  );
  const r = CopiesOptionsSchema.safeParse(defined);
  if (!r.success) throw new InputError(`invalid data-copies settings: ${z.prettifyError(r.error)}`, { reason: 'invalid_config' });
  return r.data;
}
