/**
 * Opt-out (reservasjon): a citizen registers or withdraws it; extracts made afterwards exclude
 * opted-out persons where the permit's legal basis honours opt-out. Every change is kept.
 */
import { ConflictError } from '../errors/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { openPerson } from './persons.ts';
import type { OptOutStatus } from './schemas.ts';

export async function optOutStatus(q: Queryable, lookup: string): Promise<OptOutStatus> {
  const [current] = await q.query<{ since: string }>('SELECT since FROM opt_outs WHERE person_lookup = $1', [lookup]);
  const history = await q.query<{ action: 'register' | 'withdraw'; at: string }>(
    'SELECT action, at FROM opt_out_events WHERE person_lookup = $1 ORDER BY at, id',
    [lookup],
  );
  return { optedOut: Boolean(current), since: current?.since ?? null, history };
}

/** Sets the opt-out; setting what already holds changes nothing and records nothing new. */
export async function setOptOut(q: Queryable, userId: string, optedOut: boolean, now: Date): Promise<OptOutStatus> {
  const [user] = await q.query<{ person_lookup: string | null; person_sealed: string | null }>('SELECT person_lookup, person_sealed FROM users WHERE id = $1', [
    userId,
  ]);
  if (!user?.person_lookup || !user.person_sealed)
    throw new ConflictError('this account is not linked to a person in the registers', { reason: 'not_a_linked_citizen' });
  const lookup = user.person_lookup;
  const before = await optOutStatus(q, lookup);
  if (before.optedOut === optedOut) return before;
  if (optedOut) await q.query('INSERT INTO opt_outs (person_lookup, person_sealed, since) VALUES ($1, $2, $3)', [lookup, user.person_sealed, now]);
  else await q.query('DELETE FROM opt_outs WHERE person_lookup = $1', [lookup]);
  await q.query('INSERT INTO opt_out_events (person_lookup, action, at, by_user) VALUES ($1, $2, $3, $4)', [
    lookup,
    optedOut ? 'register' : 'withdraw',
    now,
    userId,
  ]);
  return optOutStatus(q, lookup);
}

/** The identity numbers of everyone opted out now, for an extract to exclude. Never leaves the control plane. */
export async function optedOutNationalIds(q: Queryable, box: SecretBox): Promise<string[]> {
  const rows = await q.query<{ person_sealed: string }>('SELECT person_sealed FROM opt_outs');
  return rows.map((r) => openPerson(box, r.person_sealed));
}
