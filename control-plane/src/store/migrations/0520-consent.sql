-- Consent management (issue 15 item 5). A project on the legal basis `consent` names what
-- participants consent to (text and version), carried into every permit version. Persons are kept
-- only as lookup keys (HMAC, as users.person_lookup); a consent in force also holds the identity
-- number sealed under the master key, because an extract must include exactly those persons.
ALTER TABLE projects ADD COLUMN consent_text text, ADD COLUMN consent_version text;
ALTER TABLE permits ADD COLUMN consent_text text, ADD COLUMN consent_version text;

-- The persons of a consent project's cohort, asked for their consent; computed once per permit
-- version by the copy reconciler (consent_rounds marks a version done). Only an asked person can consent.
CREATE TABLE consent_requests (
  project_id text NOT NULL REFERENCES projects(id),
  person_lookup text NOT NULL,
  permit_version integer NOT NULL,
  requested_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, person_lookup)
);
CREATE INDEX consent_requests_person ON consent_requests (person_lookup);

CREATE TABLE consent_rounds (
  project_id text NOT NULL REFERENCES projects(id),
  permit_version integer NOT NULL,
  persons integer NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (project_id, permit_version)
);

-- Consents in force, and every giving and withdrawal ever made (append-only).
CREATE TABLE consents (
  project_id text NOT NULL REFERENCES projects(id),
  person_lookup text NOT NULL,
  person_sealed text NOT NULL,
  consent_version text NOT NULL,
  since timestamptz NOT NULL,
  PRIMARY KEY (project_id, person_lookup)
);

CREATE TABLE consent_events (
  id bigserial PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects(id),
  person_lookup text NOT NULL,
  action text NOT NULL CHECK (action IN ('give', 'withdraw')),
  consent_version text NOT NULL,
  at timestamptz NOT NULL,
  by_user text NOT NULL
);
CREATE INDEX consent_events_person ON consent_events (person_lookup, at);
CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The consents in force that each copy version of a consent project was made under (its basis),
-- so the reconciler sees a withdrawal (a basis person no longer consenting) or new consents.
CREATE TABLE data_copy_consents (
  project_id text NOT NULL,
  copy_version integer NOT NULL,
  person_lookup text NOT NULL,
  PRIMARY KEY (project_id, copy_version, person_lookup),
  FOREIGN KEY (project_id, copy_version) REFERENCES data_copies(project_id, copy_version)
);

-- The reconciler reads one copy's persons each pass for a consent project (is anyone in it no longer consenting?).
CREATE INDEX data_copy_persons_copy ON data_copy_persons (project_id, copy_version);
