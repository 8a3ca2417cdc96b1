-- The extract in flight (or the last one) per project, written by the control plane doing it, so
-- that every instance behind a load balancer shows the same progress. Describes work, not state:
-- the copy itself is in data_copies.
CREATE TABLE copy_progress (
  project_id text PRIMARY KEY REFERENCES projects(id),
  permit_version integer NOT NULL,
  copy_version integer NOT NULL,
  state text NOT NULL CHECK (state IN ('extracting', 'done', 'failed')),
  stage text NOT NULL,
  done bigint NOT NULL,
  total bigint NOT NULL,
  error text,
  at timestamptz NOT NULL
);
