/**
 * The catalogue in the store (tables of migration 0100-catalog.sql). Every row read back is
 * parsed with the catalogue schemas, so a hand-edited row cannot smuggle in an invalid variable.
 */
import { ConflictError, NotFoundError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import { CodeListSchema, DatasetSchema, type Catalogue, type CodeList, type Dataset, type DatasetVersion } from './model.ts';

/** Inserts or updates the datasets and code lists (their descriptions); versions are untouched. */
export async function saveCatalogue(q: Queryable, catalogue: Catalogue, now: Date): Promise<void> {
  for (const l of catalogue.codeLists) {
    const c = CodeListSchema.parse(l);
    await q.query(
      `INSERT INTO catalog_code_lists (id, name, version, source, codes, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = $2, version = $3, source = $4, codes = $5, updated_at = $6`,
      [c.id, c.name, c.version, c.source, JSON.stringify(c.codes), now],
    );
  }
  for (const d of catalogue.datasets) {
    const ds = DatasetSchema.parse(d);
    await q.query(
      `INSERT INTO catalog_datasets (name, title, description, data_controller, update_frequency, keywords, access_conditions, identifier,
         person_variable, period_variable, variables, updated_at, coverage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (name) DO UPDATE SET title = $2, description = $3, data_controller = $4, update_frequency = $5, keywords = $6,
         access_conditions = $7, identifier = $8, person_variable = $9, period_variable = $10, variables = $11, updated_at = $12, coverage = $13`,
      [
        ds.name,
        ds.title,
        ds.description,
        ds.dataController,
        ds.updateFrequency,
        JSON.stringify(ds.keywords),
        ds.accessConditions,
        ds.identifier,
        ds.personVariable,
        ds.periodVariable,
        JSON.stringify(ds.variables),
        now,
        ds.coverage === null ? null : JSON.stringify(ds.coverage),
      ],
    );
  }
}

interface VersionRow {
  dataset: string;
  version: string;
  receivedAt: Date | string;
  rowCount: string | number;
  sha256: string;
  path: string;
  periodFrom: string | null;
  periodTo: string | null;
}

const toVersion = (r: VersionRow): DatasetVersion => ({
  version: r.version,
  receivedAt: new Date(r.receivedAt).toISOString(),
  rowCount: Number(r.rowCount),
  sha256: r.sha256,
  path: r.path,
  period: r.periodFrom && r.periodTo ? { from: r.periodFrom, to: r.periodTo } : null,
});

const VERSION_COLUMNS = `dataset, version, received_at AS "receivedAt", row_count AS "rowCount", sha256, path,
  to_char(period_from, 'YYYY-MM-DD') AS "periodFrom", to_char(period_to, 'YYYY-MM-DD') AS "periodTo"`;

/** The whole catalogue with each dataset's versions, oldest first. */
export async function loadCatalogue(q: Queryable): Promise<Catalogue> {
  const lists = await q.query<{ id: string; name: string; version: string; source: string; codes: unknown }>(
    'SELECT id, name, version, source, codes FROM catalog_code_lists ORDER BY id',
  );
  const rows = await q.query<Record<string, unknown>>(
    `SELECT name, title, description, data_controller AS "dataController", update_frequency AS "updateFrequency", keywords,
       access_conditions AS "accessConditions", identifier, person_variable AS "personVariable", period_variable AS "periodVariable", variables,
       coverage
     FROM catalog_datasets ORDER BY name`,
  );
  const versions = await q.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM catalog_dataset_versions ORDER BY received_at, version`);
  return {
    codeLists: lists.map((l) => CodeListSchema.parse(l)),
    datasets: rows.map((r) => DatasetSchema.parse({ ...r, versions: versions.filter((v) => v.dataset === r.name).map(toVersion) })),
  };
}

export async function getDataset(q: Queryable, name: string): Promise<Dataset> {
  const ds = (await loadCatalogue(q)).datasets.find((d) => d.name === name);
  if (!ds) throw new NotFoundError(`no dataset '${name}' in the catalogue`, { reason: 'unknown_dataset' });
  return ds;
}

export async function getCodeList(q: Queryable, id: string): Promise<CodeList> {
  const rows = await q.query('SELECT id, name, version, source, codes FROM catalog_code_lists WHERE id = $1', [id]);
  if (!rows[0]) throw new NotFoundError(`no code list '${id}'`, { reason: 'unknown_code_list' });
  return CodeListSchema.parse(rows[0]);
}

/**
 * Records a version that passed intake (`intakeDelivery`'s result), with the period its period
 * variable spans as intake measured it (absent: not measured). A version exists once.
 */
export async function recordDatasetVersion(
  q: Queryable,
  v: {
    dataset: string;
    version: string;
    receivedAt: string;
    receivedBy: string;
    rowCount: number;
    sha256: string;
    deliveredSha256: string;
    path: string;
    period?: { from: string; to: string } | null;
  },
): Promise<DatasetVersion> {
  const period = v.period ?? null;
  try {
    await q.query(
      `INSERT INTO catalog_dataset_versions (dataset, version, received_at, received_by, row_count, sha256, delivered_sha256, path, period_from, period_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [v.dataset, v.version, v.receivedAt, v.receivedBy, v.rowCount, v.sha256, v.deliveredSha256, v.path, period?.from ?? null, period?.to ?? null],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new ConflictError(`${v.dataset} version ${v.version} exists; versions are immutable`, { reason: 'version_exists' });
    }
    throw err;
  }
  return { version: v.version, receivedAt: v.receivedAt, rowCount: v.rowCount, sha256: v.sha256, path: v.path, period };
}

/** The newest version of a dataset, or NotFound when none passed intake yet. */
export async function latestVersion(q: Queryable, dataset: string): Promise<DatasetVersion> {
  const rows = await q.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM catalog_dataset_versions
     WHERE dataset = $1 ORDER BY received_at DESC, version DESC LIMIT 1`,
    [dataset],
  );
  if (!rows[0]) throw new NotFoundError(`dataset ${dataset} has no stored version`, { reason: 'no_version' });
  return toVersion(rows[0]);
}
