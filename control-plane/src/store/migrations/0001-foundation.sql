-- Identity: one person, one identity. Roles are global; project roles live in project_members.
CREATE TABLE users (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9._-]{1,62}$'),
  display_name text NOT NULL,
  email text,
  password_hash text,
  totp_secret_sealed text,
  oidc_issuer text,
  oidc_subject text,
  -- For citizens: HMAC of the national identity number under a platform key (never the number itself).
  person_lookup text UNIQUE,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE user_roles (
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('researcher', 'project_lead', 'access_admin', 'auditor', 'platform_admin', 'citizen')),
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, role)
);

-- Browser sessions and API tokens are stored as SHA-256 of the secret only.
CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  auth_method text NOT NULL,
  client_address text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  username text NOT NULL,
  client_address text,
  success boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_user_time ON login_attempts (username, at);
CREATE INDEX login_attempts_client_time ON login_attempts (client_address, at);

-- Secrets the platform keeps (pseudonym keys, signing keys, OIDC client secrets), sealed under the master key.
CREATE TABLE kept_secrets (
  name text PRIMARY KEY,
  sealed text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Short-lived state of an OpenID Connect login in flight (state, nonce, PKCE verifier).
CREATE TABLE oidc_logins (
  state text PRIMARY KEY,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  return_to text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
  id text PRIMARY KEY,
  title text NOT NULL,
  purpose text NOT NULL,
  data_controllers text[] NOT NULL,
  legal_basis text NOT NULL,
  ethics_ref text,
  period_from date NOT NULL,
  period_to date NOT NULL,
  status text NOT NULL CHECK (status IN ('applied', 'active', 'rejected', 'closed')),
  created_by text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  CHECK (period_from <= period_to)
);

CREATE TABLE project_members (
  project_id text NOT NULL REFERENCES projects(id),
  user_id text NOT NULL REFERENCES users(id),
  role text NOT NULL CHECK (role IN ('lead', 'researcher')),
  added_by text NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE applications (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects(id),
  kind text NOT NULL CHECK (kind IN ('new', 'amendment')),
  case_type text NOT NULL CHECK (case_type IN ('one_off', 'rolling', 'new_period', 'extra_order', 'project_change')),
  body jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
  submitted_by text NOT NULL REFERENCES users(id),
  submitted_at timestamptz NOT NULL DEFAULT now(),
  decided_by text REFERENCES users(id),
  decided_at timestamptz,
  decision_reason text
);
CREATE INDEX applications_project ON applications (project_id);

-- A permit version is immutable once issued; amendments insert a new version.
CREATE TABLE permits (
  id text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  project_id text NOT NULL REFERENCES projects(id),
  application_id text REFERENCES applications(id),
  case_type text NOT NULL,
  datasets jsonb NOT NULL,
  period_from date NOT NULL,
  period_to date NOT NULL,
  cohort jsonb NOT NULL,
  linkage_allowed boolean NOT NULL,
  authorised_persons text[] NOT NULL,
  legal_basis text NOT NULL,
  opt_out_honoured boolean NOT NULL,
  expires_at timestamptz NOT NULL,
  issued_by text NOT NULL REFERENCES users(id),
  issued_at timestamptz NOT NULL DEFAULT now(),
  reason text NOT NULL,
  PRIMARY KEY (id, version),
  UNIQUE (project_id, version)
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER permits_immutable BEFORE UPDATE OR DELETE ON permits FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The audit log: append-only, hash-chained (see audit/hash.ts). No role edits or deletes entries.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  time timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  object text NOT NULL,
  project_id text,
  outcome text NOT NULL CHECK (outcome IN ('initiated', 'success', 'denied', 'failure')),
  reason text,
  request_id text,
  client_address text,
  details jsonb NOT NULL DEFAULT '{}',
  time_text text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_project ON audit_log (project_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_time ON audit_log (time);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
