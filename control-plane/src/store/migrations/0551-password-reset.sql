-- A password an operator reset (or set) is known to someone other than its user: it lets the user
-- in only to choose their own, and only until it expires (identity/password-reset.ts).
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
ALTER TABLE users ADD COLUMN password_expires_at timestamptz;
