-- The notebook that produced a staged export file, as the room's helper recorded it beside the
-- output (airlock/output-origin.ts): a pointer for reviewers, taken at request time, never changed.
CREATE TABLE airlock_file_origins (
  request_id text NOT NULL,
  file_id text NOT NULL,
  notebook text NOT NULL CHECK (length(notebook) BETWEEN 1 AND 300),
  record text NOT NULL,
  PRIMARY KEY (request_id, file_id),
  FOREIGN KEY (request_id, file_id) REFERENCES airlock_files (request_id, id)
);
CREATE TRIGGER airlock_file_origins_immutable BEFORE UPDATE OR DELETE ON airlock_file_origins FOR EACH ROW EXECUTE FUNCTION refuse_change();
