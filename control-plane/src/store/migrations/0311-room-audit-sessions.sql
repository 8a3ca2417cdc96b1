-- Room sessions as the audit log records them (`room.session.open` / `room.session.close`): a
-- member's use of a room through the proxy, as rows, so every control plane sees the same open
-- sessions and a control plane that dies leaves rows another can close. (Not `room_sessions`:
-- those are the room host's cookie sessions, 0202.) A row exists while its session is open: the
-- close deletes it in the transaction that audits the close, so two closers record one close.
CREATE TABLE room_audit_sessions (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  room_id text NOT NULL,
  project_id text NOT NULL,
  opened_at timestamptz NOT NULL,
  -- Written in batches by the control planes serving it, not per request.
  last_seen timestamptz NOT NULL,
  -- The control plane (`proxy_replicas`) that last wrote `last_seen`.
  replica text NOT NULL,
  -- One open session per member and room, whichever control planes serve them.
  UNIQUE (user_id, room_id)
);
CREATE INDEX room_audit_sessions_room ON room_audit_sessions (room_id);
CREATE INDEX room_audit_sessions_replica ON room_audit_sessions (replica);

-- Each serving control plane's heartbeat: a session whose control plane stopped beating is an orphan.
CREATE TABLE proxy_replicas (
  id text PRIMARY KEY,
  seen_at timestamptz NOT NULL
);
