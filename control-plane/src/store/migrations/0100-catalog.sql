-- Catalogue: datasets (registers), their variables (as one checked JSON document per dataset),
-- code lists, and the immutable versions that passed intake.
CREATE TABLE catalog_code_lists (
  id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,62}$'),
  name text NOT NULL,
  version text NOT NULL,
  source text NOT NULL,
  codes jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE catalog_datasets (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
  title text NOT NULL,
  description text NOT NULL,
  data_controller text NOT NULL,
  update_frequency text NOT NULL,
  keywords jsonb NOT NULL,
  access_conditions text,
  identifier text,
  person_variable text NOT NULL,
  period_variable text,
  variables jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE catalog_dataset_versions (
  dataset text NOT NULL REFERENCES catalog_datasets(name),
  version text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'),
  received_at timestamptz NOT NULL,
  received_by text NOT NULL,
  row_count bigint NOT NULL CHECK (row_count >= 0),
  -- Of the stored Parquet file, and of the file as delivered.
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  delivered_sha256 text NOT NULL CHECK (delivered_sha256 ~ '^[0-9a-f]{64}$'),
  path text NOT NULL,
  PRIMARY KEY (dataset, version)
);

-- A stored version is immutable: a correction is a new version.
CREATE FUNCTION catalog_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'catalog_dataset_versions rows are immutable';
END $$;
CREATE TRIGGER catalog_versions_no_update BEFORE UPDATE ON catalog_dataset_versions
  FOR EACH ROW EXECUTE FUNCTION catalog_versions_immutable();
