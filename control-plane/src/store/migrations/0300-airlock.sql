-- The airlock: export requests (out of a room) and import requests (into a room) share one
-- shape. Files are staged once, with their sha256, and never change; reviews, events and the
-- differencing ledger are append-only, so a request's history is kept whatever happens next.
CREATE TABLE airlock_requests (
  id text PRIMARY KEY,
  direction text NOT NULL CHECK (direction IN ('export', 'import')),
  project_id text NOT NULL REFERENCES projects(id),
  requested_by text NOT NULL REFERENCES users(id),
  purpose text NOT NULL,
  -- draft: an import still receiving files; in_review: waiting for reviewers;
  -- approved / rejected / returned: decided once the required reviews are in; withdrawn: by the requester.
  status text NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'rejected', 'returned', 'withdrawn')),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  -- A resubmission is a new request linked to the one it replaces (at most one successor).
  previous_id text UNIQUE REFERENCES airlock_requests(id),
  approvals_required integer NOT NULL CHECK (approvals_required >= 1),
  -- The effective policy the checks applied (profile, rules, source files): the check record.
  policy jsonb NOT NULL,
  checks_status text NOT NULL CHECK (checks_status IN ('pass', 'review', 'fail')),
  created_at timestamptz NOT NULL,
  submitted_at timestamptz,
  decided_at timestamptz
);
CREATE INDEX airlock_requests_project ON airlock_requests (project_id, created_at);
CREATE INDEX airlock_requests_status ON airlock_requests (direction, status, submitted_at);

CREATE TABLE airlock_files (
  request_id text NOT NULL REFERENCES airlock_requests(id),
  id text NOT NULL,
  -- Export: the path under the requester's /outputs; import: the file name it will have under /imports.
  name text NOT NULL,
  description text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content_type text NOT NULL,
  -- For tables: the source and spec the check engine recomputed the table from.
  table_request jsonb,
  checks jsonb NOT NULL,
  check_status text NOT NULL CHECK (check_status IN ('pass', 'review', 'fail')),
  -- True record counts for the differencing ledger; never shown outside the control plane.
  ledger jsonb,
  staged_at timestamptz NOT NULL,
  PRIMARY KEY (request_id, id),
  UNIQUE (request_id, name)
);
CREATE TRIGGER airlock_files_immutable BEFORE UPDATE OR DELETE ON airlock_files FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE airlock_reviews (
  request_id text NOT NULL REFERENCES airlock_requests(id),
  reviewer text NOT NULL REFERENCES users(id),
  decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'return')),
  reason text,
  over_failed_check boolean NOT NULL,
  decided_at timestamptz NOT NULL,
  PRIMARY KEY (request_id, reviewer),
  CHECK (decision = 'approve' AND NOT over_failed_check OR (reason IS NOT NULL AND length(btrim(reason)) > 0))
);
CREATE TRIGGER airlock_reviews_immutable BEFORE UPDATE OR DELETE ON airlock_reviews FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The request's history as people see it (requested, decided, withdrawn, resubmitted, downloaded).
CREATE TABLE airlock_events (
  seq bigserial PRIMARY KEY,
  request_id text NOT NULL REFERENCES airlock_requests(id),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  event text NOT NULL,
  reason text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX airlock_events_request ON airlock_events (request_id, seq);
CREATE TRIGGER airlock_events_immutable BEFORE UPDATE OR DELETE ON airlock_events FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Per project, every released table's record counts, fed to the differencing check of later tables.
CREATE TABLE release_ledger (
  project_id text NOT NULL REFERENCES projects(id),
  request_id text NOT NULL REFERENCES airlock_requests(id),
  file_id text NOT NULL,
  ledger jsonb NOT NULL,
  released_at timestamptz NOT NULL,
  PRIMARY KEY (request_id, file_id)
);
CREATE INDEX release_ledger_project ON release_ledger (project_id, released_at);
CREATE TRIGGER release_ledger_immutable BEFORE UPDATE OR DELETE ON release_ledger FOR EACH ROW EXECUTE FUNCTION refuse_change();
