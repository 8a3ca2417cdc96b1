-- The history of an application's case, one row per step, never updated or deleted: submission,
-- pre-screening, assignment, messages, requests for information and their answers (which pause
-- the case), attachments, the decision and the permit issued from it. Case metrics read their
-- lead times and paused time from here (paused = from each `info_requested` to the
-- `info_provided` that answers it).
CREATE TABLE case_events (
  id bigserial PRIMARY KEY,
  application_id text NOT NULL REFERENCES applications(id),
  kind text NOT NULL,
  actor text NOT NULL,
  at timestamptz NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_application ON case_events (application_id, at, id);
-- Applications made before this migration: their submission and decision as events.
INSERT INTO case_events (application_id, kind, actor, at, details)
  SELECT id, 'submitted', submitted_by, submitted_at, '{}' FROM applications;
INSERT INTO case_events (application_id, kind, actor, at, details)
  SELECT id, 'decided', decided_by, decided_at, jsonb_build_object('decision', status) FROM applications WHERE decided_at IS NOT NULL;
INSERT INTO case_events (application_id, kind, actor, at, details)
  SELECT application_id, 'permit_issued', issued_by, issued_at, jsonb_build_object('permit', id, 'version', version) FROM permits WHERE application_id IS NOT NULL;
