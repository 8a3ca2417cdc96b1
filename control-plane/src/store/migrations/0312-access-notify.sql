-- Every control plane caches proxy access decisions (proxy/access.ts) and open room sessions in
-- memory; these triggers tell all of them, through NOTIFY on channel `tre_access` (delivered at
-- commit), when a write changes what those were made from, whichever code path wrote it.
-- Payloads: `room:<id>`, `project:<id>`, `user:<id>`, `session:<room_audit_sessions.id>`.
CREATE FUNCTION tre_notify_access() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN v := to_jsonb(OLD); ELSE v := to_jsonb(NEW); END IF;
  PERFORM pg_notify('tre_access', TG_ARGV[0] || ':' || (v ->> TG_ARGV[1]));
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> TG_ARGV[1]) IS DISTINCT FROM (v ->> TG_ARGV[1]) THEN
    PERFORM pg_notify('tre_access', TG_ARGV[0] || ':' || (to_jsonb(OLD) ->> TG_ARGV[1]));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER project_members_notify_access AFTER INSERT OR UPDATE OR DELETE ON project_members
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('project', 'project_id');
CREATE TRIGGER permits_notify_access AFTER INSERT OR UPDATE OR DELETE ON permits
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('project', 'project_id');
CREATE TRIGGER projects_notify_access AFTER UPDATE OF status ON projects
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('project', 'id');
-- A room's row changes often (activity, usage); only what a decision reads is notified.
CREATE TRIGGER rooms_notify_access AFTER INSERT OR DELETE ON rooms
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('room', 'id');
CREATE TRIGGER rooms_notify_access_update AFTER UPDATE ON rooms
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.wanted IS DISTINCT FROM NEW.wanted
    OR OLD.endpoint IS DISTINCT FROM NEW.endpoint OR OLD.owner_id IS DISTINCT FROM NEW.owner_id
    OR OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.jupyter_token_sealed IS DISTINCT FROM NEW.jupyter_token_sealed)
  EXECUTE FUNCTION tre_notify_access('room', 'id');
-- A credential ended (logout, revocation) or an account disabled: that user's decisions go.
CREATE TRIGGER sessions_notify_access AFTER UPDATE OF revoked_at, expires_at OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('user', 'user_id');
CREATE TRIGGER api_tokens_notify_access AFTER UPDATE OF revoked_at, expires_at OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('user', 'user_id');
CREATE TRIGGER room_sessions_notify_access AFTER UPDATE OF revoked_at, expires_at OR DELETE ON room_sessions
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('user', 'user_id');
CREATE TRIGGER users_notify_access AFTER UPDATE OF disabled ON users
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('user', 'id');
-- A room session closed (by whichever control plane): every one forgets it.
CREATE TRIGGER room_audit_sessions_notify_close AFTER DELETE ON room_audit_sessions
  FOR EACH ROW EXECUTE FUNCTION tre_notify_access('session', 'id');
