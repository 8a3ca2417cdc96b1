-- The case flow (projects/case-flow.ts): pre-screening (`submitted`) before the substantive
-- assessment (`in_assessment`), a request for information that pauses the case
-- (`awaiting_applicant`, back to `resume_status` when answered), a case handler, a due date that
-- moves by the paused time, and the decision's legal references.
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check
  CHECK (status IN ('submitted', 'in_assessment', 'awaiting_applicant', 'approved', 'rejected', 'withdrawn'));
ALTER TABLE applications
  ADD COLUMN assigned_to text REFERENCES users(id),
  ADD COLUMN due_at timestamptz,
  ADD COLUMN paused_ms bigint NOT NULL DEFAULT 0 CHECK (paused_ms >= 0),
  ADD COLUMN paused_since timestamptz,
  ADD COLUMN resume_status text CHECK (resume_status IN ('submitted', 'in_assessment')),
  ADD COLUMN legal_references jsonb NOT NULL DEFAULT '[]';
-- Applications made before this migration: the default deadline of 60 days.
UPDATE applications SET due_at = submitted_at + interval '60 days';
ALTER TABLE applications ALTER COLUMN due_at SET NOT NULL;
CREATE INDEX applications_due ON applications (due_at) WHERE status IN ('submitted', 'in_assessment', 'awaiting_applicant');

-- Attachments of a case (ethics approval, protocol, DPIA, ...): the bytes in the row, typed by
-- sniffing them, hashed, never changed or deleted. One row is written whole in one transaction,
-- so an upload that fails leaves nothing.
CREATE TABLE case_attachments (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  application_id text NOT NULL REFERENCES applications(id),
  type text NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea NOT NULL,
  uploaded_by text NOT NULL REFERENCES users(id),
  uploaded_at timestamptz NOT NULL
);
CREATE INDEX case_attachments_application ON case_attachments (application_id, seq);
CREATE TRIGGER case_attachments_immutable BEFORE UPDATE OR DELETE ON case_attachments FOR EACH ROW EXECUTE FUNCTION refuse_change();
