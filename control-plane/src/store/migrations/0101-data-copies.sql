-- Approved data copies (one row per copy version) and, for citizens' insight, which persons went
-- into which copy. Persons are kept only as lookup keys (HMAC of the identity number under a
-- platform key, as users.person_lookup), never as identity numbers, and never reach a room.
CREATE TABLE data_copies (
  project_id text NOT NULL REFERENCES projects(id),
  copy_version integer NOT NULL CHECK (copy_version > 0),
  permit_id text NOT NULL,
  permit_version integer NOT NULL,
  manifest jsonb NOT NULL,
  person_count integer NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  deleted_at timestamptz,
  deletion_proof jsonb,
  PRIMARY KEY (project_id, copy_version)
);

CREATE TABLE data_copy_persons (
  person_lookup text NOT NULL,
  project_id text NOT NULL,
  copy_version integer NOT NULL,
  PRIMARY KEY (person_lookup, project_id, copy_version),
  FOREIGN KEY (project_id, copy_version) REFERENCES data_copies(project_id, copy_version)
);
