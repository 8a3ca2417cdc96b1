-- Rooms: what SHOULD run (wanted) and what the reconcile loop last saw (state). The store is the
-- truth about wanted state; observed state is rebuilt from the drivers on every reconcile pass.
CREATE TABLE rooms (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects(id),
  owner_id text NOT NULL REFERENCES users(id),
  driver text NOT NULL CHECK (driver IN ('local', 'docker', 'kubernetes')),
  program text NOT NULL CHECK (program IN ('jupyterlab', 'stub')),
  wanted text NOT NULL CHECK (wanted IN ('running', 'stopped')),
  state text NOT NULL CHECK (state IN ('requested', 'starting', 'running', 'stopping', 'stopped', 'failed')),
  failure_reason text,
  failure_message text,
  stop_reason text,
  -- Opaque state the driver asked to persist (getState/loadState), and where the proxy reaches the room.
  driver_state jsonb,
  endpoint jsonb,
  -- Jupyter's token, sealed with the master key (context `room-token:<id>`); never shown to anyone.
  jupyter_token_sealed text NOT NULL,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  running_at timestamptz,
  stopped_at timestamptz,
  updated_at timestamptz NOT NULL,
  last_activity_at timestamptz,
  -- Usage accounting: time up to which this room's usage is recorded, and the CPU seconds seen then.
  usage_at timestamptz,
  cpu_seconds_seen double precision NOT NULL DEFAULT 0
);
-- One live room per project member.
CREATE UNIQUE INDEX rooms_one_live_per_member ON rooms (project_id, owner_id) WHERE state NOT IN ('stopped', 'failed');
CREATE INDEX rooms_live ON rooms (state) WHERE state NOT IN ('stopped', 'failed');
CREATE INDEX rooms_owner ON rooms (owner_id, created_at);

-- Usage per project and UTC day, for cost reports.
CREATE TABLE room_usage (
  project_id text NOT NULL REFERENCES projects(id),
  day date NOT NULL,
  room_seconds double precision NOT NULL DEFAULT 0,
  cpu_seconds double precision NOT NULL DEFAULT 0,
  memory_byte_seconds double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, day)
);

-- Leader election: one control plane reconciles at a time; all serve and proxy.
CREATE TABLE reconcile_leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
