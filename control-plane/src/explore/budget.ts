/**
 * The explorer's query budget: queries per user per UTC day, from the policy (`explore.dailyQueries`).
 * Each query that passed the catalogue check takes one unit before it runs, in a transaction holding
 * the user's advisory lock, so two replicas cannot both hand out the last unit. Over the budget the
 * query is refused (429, `explore_budget_exhausted`); the route's audit entry records the refusal.
 */
import { RateLimitedError } from '../errors/index.ts';
import type { Queryable, Store } from '../store/index.ts';
import type { ExploreBudget } from './schemas.ts';

const dayStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
const nextDay = (now: Date) => new Date(dayStart(now).getTime() + 86_400_000).toISOString();

async function usedToday(q: Queryable, userId: string, now: Date): Promise<number> {
  const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM explore_queries WHERE user_id = $1 AND asked_at >= $2', [userId, dayStart(now)]);
  return row?.n ?? 0;
}

export async function budgetOf(store: Store, userId: string, now: Date, limit: number): Promise<ExploreBudget> {
  return { used: await usedToday(store, userId, now), limit, resetsAt: nextDay(now) };
}

/** Takes one unit of today's budget for query `id`, or refuses when none is left. */
export async function takeQuery(store: Store, input: { id: string; userId: string; now: Date; limit: number; query: unknown }): Promise<ExploreBudget> {
  return store.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`explore-budget:${input.userId}`]);
    const used = await usedToday(q, input.userId, input.now);
    if (used >= input.limit) {
      throw new RateLimitedError(`the explorer's budget of ${input.limit} queries a day is used up; it resets at ${nextDay(input.now)}`, {
        reason: 'explore_budget_exhausted',
        details: { limit: input.limit, resetsAt: nextDay(input.now) },
      });
    }
    await q.query('INSERT INTO explore_queries (id, user_id, asked_at, query, cells) VALUES ($1, $2, $3, $4, 0)', [
      input.id,
      input.userId,
      input.now,
      JSON.stringify(input.query),
    ]);
    return { used: used + 1, limit: input.limit, resetsAt: nextDay(input.now) };
  });
}

/** Notes how many cells a query answered (the ledger's only trace of its answer). */
export async function noteCells(store: Store, id: string, cells: number): Promise<void> {
  await store.query('UPDATE explore_queries SET cells = $2 WHERE id = $1', [id, cells]);
}
