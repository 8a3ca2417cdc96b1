-- What a user is told (a message on their application, a decision, a review of their export, a
-- room stopped at expiry, a new copy version, a consent request). A row is written in the same
-- transaction as the change it reports, so a notification exists exactly when its change does;
-- e-mail, where an SMTP server is configured, is sent from these rows afterwards (`emailed_at`).
-- `params` holds names and ids only, never a citizen's identity: the text is made from `kind` and
-- `params` in the reader's language.
CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  kind text NOT NULL,
  params jsonb NOT NULL DEFAULT '{}',
  link text,
  project_id text REFERENCES projects(id),
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  emailed_at timestamptz,
  email_error text
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unsent ON notifications (id) WHERE emailed_at IS NULL AND email_error IS NULL;
