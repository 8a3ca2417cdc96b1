-- Rooms on their own origins. A hand-off code is issued by the platform to a room's owner and
-- redeemed once, within a minute, on the room's host; redeeming it opens a room session, whose
-- cookie is the room host's only cookie credential. Only SHA-256 of either secret is stored.
-- `platform_session` / `platform_token` is the hash of the platform session or API token the code
-- was asked with: a room session ends with it (logout, revocation, expiry).
CREATE TABLE room_handoffs (
  code_hash text PRIMARY KEY,
  room_id text NOT NULL,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  platform_session text,
  platform_token text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE TABLE room_sessions (
  id_hash text PRIMARY KEY,
  room_id text NOT NULL,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  platform_session text,
  platform_token text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX room_sessions_room ON room_sessions (room_id);
