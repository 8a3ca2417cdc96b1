-- Dialogue with researchers (issue 15 item 6).
--
-- What a project tells the public: its plain-language summary (once granted) and its results
-- (once it has released something or is closed). Every edit is a new version; earlier versions
-- are kept and never changed, so the register can show what was said when.
CREATE TABLE project_publications (
  project_id text NOT NULL REFERENCES projects(id),
  kind text NOT NULL CHECK (kind IN ('summary', 'results')),
  version integer NOT NULL CHECK (version >= 1),
  body text NOT NULL,
  -- results only: where the publication is (an https URL or a DOI)
  link text,
  published_by text NOT NULL REFERENCES users(id),
  published_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, kind, version)
);
CREATE TRIGGER project_publications_immutable BEFORE UPDATE OR DELETE ON project_publications FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A citizen's question to a project. This table carries no trace of who asked: the project side
-- (the lead's routes, the CLI, notifications) reads only this table and the answers.
--   screening: waiting for an access administrator;  rejected: not forwarded (reason to the citizen);
--   forwarded: with the project's lead;  answered: the lead's answer waits for the administrator;
--   delivered: the answer reached the citizen.
CREATE TABLE citizen_questions (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects(id),
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('screening', 'rejected', 'forwarded', 'answered', 'delivered')),
  submitted_at timestamptz NOT NULL,
  screened_by text REFERENCES users(id),
  screened_at timestamptz,
  reject_reason text,
  forwarded_at timestamptz
);
CREATE INDEX citizen_questions_project ON citizen_questions (project_id, submitted_at);
CREATE INDEX citizen_questions_status ON citizen_questions (status, submitted_at);

-- Who asked: read only by the citizen's own routes (their questions, the rate limit) and to
-- notify them of the answer. Never joined into anything the project side reads.
CREATE TABLE citizen_question_askers (
  question_id text PRIMARY KEY REFERENCES citizen_questions(id),
  user_id text NOT NULL REFERENCES users(id)
);
CREATE INDEX citizen_question_askers_user ON citizen_question_askers (user_id);
CREATE TRIGGER citizen_question_askers_immutable BEFORE UPDATE OR DELETE ON citizen_question_askers FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The lead's answers, one row per attempt: the administrator delivers it to the citizen or returns
-- it to the lead with a reason (it names a person, say); a returned answer stays on record.
CREATE TABLE citizen_question_answers (
  question_id text NOT NULL REFERENCES citizen_questions(id),
  version integer NOT NULL CHECK (version >= 1),
  body text NOT NULL,
  answered_by text NOT NULL REFERENCES users(id),
  answered_at timestamptz NOT NULL,
  PRIMARY KEY (question_id, version)
);
CREATE TRIGGER citizen_question_answers_immutable BEFORE UPDATE OR DELETE ON citizen_question_answers FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE citizen_answer_screenings (
  question_id text NOT NULL,
  version integer NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('delivered', 'returned')),
  reason text,
  screened_by text NOT NULL REFERENCES users(id),
  screened_at timestamptz NOT NULL,
  PRIMARY KEY (question_id, version),
  FOREIGN KEY (question_id, version) REFERENCES citizen_question_answers (question_id, version)
);
CREATE TRIGGER citizen_answer_screenings_immutable BEFORE UPDATE OR DELETE ON citizen_answer_screenings FOR EACH ROW EXECUTE FUNCTION refuse_change();
