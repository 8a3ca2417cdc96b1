/**
 * Searching the audit log by words: every word must occur, case-insensitively, somewhere in an
 * entry's actor, action, object, project, reason or details. The text searched is one SQL
 * expression, `WORDS_TEXT`, the same one migration `0550-audit-words.sql` indexes with a trigram
 * GIN index where PostgreSQL has `pg_trgm` (so `ILIKE '%word%'` is an index scan, as Azure TRE's
 * and OpenSAFELY's log search over indexed text is); where it has not, the search still answers,
 * bounded by `SEARCH_TIMEOUT_MS` per statement (`searchBounded`), and a search that takes longer
 * is refused as too broad (400 `search_too_broad`, naming the field `q`) rather than left to run.
 * Words are bounded in number and length by the query schema.
 */
import { z } from 'zod';
import { InputError } from '../errors/index.ts';
import type { Queryable, Store } from '../store/index.ts';

/** Must stay character for character the expression of the index in `0550-audit-words.sql`. */
export const WORDS_TEXT = `(actor || ' ' || action || ' ' || object || ' ' || coalesce(project_id, '') || ' ' || coalesce(reason, '') || ' ' || details::text)`;

export const MAX_WORDS = 6;
export const SEARCH_TIMEOUT_MS = 5_000;

export const wordsSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => s.split(/\s+/).length <= MAX_WORDS, `at most ${MAX_WORDS} words`)
  .describe('words that must all occur in the entry (actor, action, object, project, reason or details), case-insensitive');

export function wordsOf(q: string): string[] {
  return q.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS);
}

/** One `ILIKE` condition per word, its `%`, `_` and `\` taken literally. */
export function wordConditions(q: string, params: unknown[]): string[] {
  return wordsOf(q).map((w) => `${WORDS_TEXT} ILIKE $${params.push(`%${w.replace(/[\\%_]/g, '\\$&')}%`)}`);
}

/** Runs `fn` in a transaction whose statements stop after `SEARCH_TIMEOUT_MS`; a stopped search is a 400 on `q`. */
export async function searchBounded<T>(store: Store, fn: (q: Queryable) => Promise<T>, timeoutMs = SEARCH_TIMEOUT_MS): Promise<T> {
  try {
    return await store.tx(async (q) => {
      await q.query(`SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`);
      return fn(q);
    });
  } catch (err) {
    if ((err as { code?: string }).code === '57014') {
      throw new InputError(`the search took longer than ${timeoutMs} ms: add words, an actor, a project or a period`, {
        reason: 'search_too_broad',
        details: { field: 'q', limit: timeoutMs },
      });
    }
    throw err;
  }
}
