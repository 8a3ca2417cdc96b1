-- Word search over the audit log (audit/words.ts): a trigram index on the text searched, so
-- `ILIKE '%word%'` uses the index. pg_trgm ships with PostgreSQL's contrib; where it cannot be
-- created (an external server without it, no right to create extensions) the search still works,
-- bounded by a statement timeout, and this migration says so instead of failing the start.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX audit_log_words ON audit_log USING gin (
    (actor || ' ' || action || ' ' || object || ' ' || coalesce(project_id, '') || ' ' || coalesce(reason, '') || ' ' || details::text) gin_trgm_ops
  );
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'audit word search runs without its trigram index: %', SQLERRM;
END $$;
