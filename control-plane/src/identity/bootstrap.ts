import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { createUser } from './accounts.ts';

/**
 * On a store with no users (first start outside demo mode), creates the platform admin `admin`
 * with a random password and a TOTP seed, returned once for the operator to keep. Demo seeding
 * runs after this and finds users, so a demo store never gets one.
 */
export async function ensureFirstAdmin(q: Queryable, box: SecretBox, demo: boolean): Promise<{ password: string; totpUri: string } | null> {
  if (demo) return null;
  await q.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
  const any = await q.query('SELECT 1 FROM users LIMIT 1');
  if (any[0]) return null;
  const password = randomBytes(18).toString('base64url');
  const { totpUri } = await createUser(q, box, { id: 'admin', displayName: 'Platform administrator', roles: ['platform_admin'], password }, 'first-start');
  return { password, totpUri: totpUri! };
}
