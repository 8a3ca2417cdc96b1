/**
 * How the platform knows a person without keeping their identity number in the clear:
 * a lookup key (HMAC-SHA-256 of the number under a platform key kept sealed in the store)
 * to find them, and the number itself sealed under the master key where an extract must
 * exclude them. Neither ever enters a room.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { InputError } from '../errors/index.ts';
import { keptSecret, type SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';

const FNR = /^\d{11}$/;

export async function personLookupKey(q: Queryable, box: SecretBox): Promise<Buffer> {
  return keptSecret(q, box, 'person-lookup-key', () => randomBytes(32));
}

export function personLookup(key: Buffer, nationalId: string): string {
  return createHmac('sha256', key).update(nationalId).digest('hex');
}

export function sealPerson(box: SecretBox, nationalId: string): string {
  return box.seal(nationalId, 'person');
}

export function openPerson(box: SecretBox, sealed: string): string {
  return box.open(sealed, 'person').toString();
}

/** Links a citizen's account to their national identity number (from the identity provider, or the demo). */
export async function linkCitizen(q: Queryable, box: SecretBox, userId: string, nationalId: string): Promise<string> {
  if (!FNR.test(nationalId)) throw new InputError('a national identity number has 11 digits', { details: { field: 'nationalId' } });
  const lookup = personLookup(await personLookupKey(q, box), nationalId);
  await q.query('UPDATE users SET person_lookup = $2, person_sealed = $3 WHERE id = $1', [userId, lookup, sealPerson(box, nationalId)]);
  return lookup;
}
