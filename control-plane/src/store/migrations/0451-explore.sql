-- The explorer's query log (explore/budget.ts): one row per query a user ran, which is what the
-- daily budget counts. The query and its protected answer are in the audit log as well; this
-- table is only the budget's ledger, so it holds no answer.
CREATE TABLE explore_queries (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  asked_at timestamptz NOT NULL,
  query jsonb NOT NULL,
  cells integer NOT NULL CHECK (cells >= 0)
);
CREATE INDEX explore_queries_user_day ON explore_queries (user_id, asked_at);
