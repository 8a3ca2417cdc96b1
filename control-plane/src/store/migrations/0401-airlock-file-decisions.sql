-- Per-file decisions of a review (issue 16 item 1): each reviewer decides on each staged file,
-- with a comment; the review's decision on the request follows from them (airlock/review.ts).
-- Inserted with the review in one transaction, never changed, like the review itself.
CREATE TABLE airlock_file_reviews (
  request_id text NOT NULL,
  reviewer text NOT NULL,
  file_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'return')),
  comment text CHECK (comment IS NULL OR length(btrim(comment)) > 0),
  PRIMARY KEY (request_id, reviewer, file_id),
  FOREIGN KEY (request_id, reviewer) REFERENCES airlock_reviews (request_id, reviewer),
  FOREIGN KEY (request_id, file_id) REFERENCES airlock_files (request_id, id),
  CHECK (decision = 'approve' OR comment IS NOT NULL)
);
CREATE TRIGGER airlock_file_reviews_immutable BEFORE UPDATE OR DELETE ON airlock_file_reviews FOR EACH ROW EXECUTE FUNCTION refuse_change();
