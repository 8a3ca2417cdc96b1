-- Separation of duties needs to know who was ever in a project, not only who is in it now: an
-- access administrator removed from a project the day before deciding its amendment is not
-- independent. Every change of project_members is written here by a trigger, so no code path
-- (nor a hand-written INSERT) can change membership without leaving its trace. Append-only.
CREATE TABLE project_member_events (
  seq bigserial PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects(id),
  user_id text NOT NULL REFERENCES users(id),
  change text NOT NULL CHECK (change IN ('joined', 'role', 'left')),
  role text NOT NULL CHECK (role IN ('lead', 'researcher')),
  by text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_member_events_member ON project_member_events (project_id, user_id);
CREATE TRIGGER project_member_events_append_only BEFORE UPDATE OR DELETE ON project_member_events FOR EACH ROW EXECUTE FUNCTION refuse_change();

INSERT INTO project_member_events (project_id, user_id, change, role, by, at)
  SELECT project_id, user_id, 'joined', role, added_by, added_at FROM project_members ORDER BY added_at;

CREATE FUNCTION record_member_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO project_member_events (project_id, user_id, change, role, by) VALUES (NEW.project_id, NEW.user_id, 'joined', NEW.role, NEW.added_by);
  ELSIF TG_OP = 'UPDATE' THEN
    IF NEW.project_id <> OLD.project_id OR NEW.user_id <> OLD.user_id THEN
      INSERT INTO project_member_events (project_id, user_id, change, role, by) VALUES (OLD.project_id, OLD.user_id, 'left', OLD.role, NULL);
      INSERT INTO project_member_events (project_id, user_id, change, role, by) VALUES (NEW.project_id, NEW.user_id, 'joined', NEW.role, NEW.added_by);
    ELSIF NEW.role <> OLD.role THEN
      INSERT INTO project_member_events (project_id, user_id, change, role, by) VALUES (NEW.project_id, NEW.user_id, 'role', NEW.role, NEW.added_by);
    END IF;
  ELSE
    INSERT INTO project_member_events (project_id, user_id, change, role, by) VALUES (OLD.project_id, OLD.user_id, 'left', OLD.role, NULL);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER project_members_history AFTER INSERT OR UPDATE OR DELETE ON project_members FOR EACH ROW EXECUTE FUNCTION record_member_change();

-- Failed logins, counted where the count is decided: one row per user name and per client
-- address, incremented by one upsert that also checks the limit, so parallel attempts serialise
-- on the row and no more than the limit are ever let through to the password check.
CREATE TABLE login_counters (
  scope text NOT NULL CHECK (scope IN ('user', 'client')),
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL CHECK (failures >= 0),
  PRIMARY KEY (scope, key)
);
-- Expired windows are deleted as logins go, so names tried once do not pile up.
CREATE INDEX login_counters_window ON login_counters (window_start);

-- The last TOTP time step accepted per user: a code counts once, and never one older than it.
ALTER TABLE users ADD COLUMN totp_last_step bigint;
