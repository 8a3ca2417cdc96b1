-- Settings the platform keeps across restarts and configurations (e.g. audit retention, which can only be raised).
CREATE TABLE platform_settings (
  name text PRIMARY KEY,
  value jsonb NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
