-- A citizen's national identity number, sealed under the master key (users.person_lookup holds its HMAC).
ALTER TABLE users ADD COLUMN person_sealed text;

-- Opt-outs (reservasjon) in force, and every registration and withdrawal ever made.
CREATE TABLE opt_outs (
  person_lookup text PRIMARY KEY,
  person_sealed text NOT NULL,
  since timestamptz NOT NULL
);

CREATE TABLE opt_out_events (
  id bigserial PRIMARY KEY,
  person_lookup text NOT NULL,
  action text NOT NULL CHECK (action IN ('register', 'withdraw')),
  at timestamptz NOT NULL,
  by_user text NOT NULL
);
CREATE INDEX opt_out_events_person ON opt_out_events (person_lookup, at);
CREATE TRIGGER opt_out_events_append_only BEFORE UPDATE OR DELETE ON opt_out_events FOR EACH ROW EXECUTE FUNCTION refuse_change();
