-- The audit log's Merkle tree (see audit/merkle.ts, audit/merkle-tree.ts) and its signed checkpoints.

-- Hashes of perfect subtrees: leaves [idx * 2^level, (idx + 1) * 2^level), leaf i being audit_log.seq = i.
-- Derived from audit_log and never changed: rows are only ever added, so proofs cost O(log n) reads.
CREATE TABLE audit_merkle_subtrees (
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);
CREATE TRIGGER audit_merkle_subtrees_immutable BEFORE UPDATE OR DELETE ON audit_merkle_subtrees
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Signed checkpoints as published: the note (audit/checkpoint.ts) is the record; the other columns index it.
CREATE TABLE audit_checkpoints (
  tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  time timestamptz NOT NULL,
  note text NOT NULL
);
CREATE INDEX audit_checkpoints_time ON audit_checkpoints (time);
CREATE TRIGGER audit_checkpoints_immutable BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
