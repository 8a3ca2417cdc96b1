import { z } from 'zod';

export const roleSchema = z.enum(['researcher', 'project_lead', 'access_admin', 'auditor', 'platform_admin', 'citizen']);
export type Role = z.infer<typeof roleSchema>;

/** Roles whose accounts must use a second factor outside demo mode. */
export const PRIVILEGED_ROLES: readonly Role[] = ['access_admin', 'auditor', 'platform_admin'];

/** Who is calling. `via` tells how they proved it (`room`: the room's own API socket vouches for its owner,
 * `rooms/channel.ts`); `csrfToken` is set for browser sessions only. */
export interface Principal {
  userId: string;
  displayName: string;
  roles: Role[];
  via: 'session' | 'token' | 'room';
  csrfToken?: string;
  /** Set for citizens: the lookup key of their person in the registers. */
  personLookup?: string | null;
}
