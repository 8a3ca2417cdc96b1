-- Delivering notifications: to open pages at once (NOTIFY on channel `tre_notifications`, payload
-- `<user_id>:<id>`, delivered at commit to every control plane, whichever one wrote the row), and
-- by e-mail where SMTP is configured (notifications/mailer.ts): each failed attempt is counted
-- and the next one waits (`email_next_at`, backing off); after the last one `email_error` keeps why.
ALTER TABLE notifications
  ADD COLUMN email_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN email_next_at timestamptz;

CREATE FUNCTION tre_notify_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tre_notifications', NEW.user_id || ':' || NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER notifications_notify AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION tre_notify_notification();

-- Read on one page (or one control plane): the user's other pages update their unread count.
-- Payload `<user_id>:read`; one per transaction, however many rows it marked (NOTIFY folds the same payload).
CREATE FUNCTION tre_notify_notification_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tre_notifications', NEW.user_id || ':read');
  RETURN NULL;
END $$;

CREATE TRIGGER notifications_notify_read AFTER UPDATE OF read_at ON notifications
  FOR EACH ROW WHEN (OLD.read_at IS NULL AND NEW.read_at IS NOT NULL)
  EXECUTE FUNCTION tre_notify_notification_read();
