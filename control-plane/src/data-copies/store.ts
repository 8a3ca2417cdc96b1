/**
 * The register of data copies in the store (migration 0101-data-copies.sql): what each copy
 * version holds, its deletion, and which persons went into it (as platform lookup keys).
 */
import { ConflictError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import { CopyManifestSchema, type CopyManifest, type CopyRecord } from './schemas.ts';
import type { ProofOfDeletion } from './closing.ts';

export type { CopyRecord } from './schemas.ts';

/**
 * Records a new copy and its persons in one go (call inside `store.tx`). `personLookup` turns an
 * identity number into the platform lookup key (e.g. HMAC under the platform key).
 */
export async function recordCopy(
  q: Queryable,
  input: { manifest: CopyManifest; createdBy: string; persons: Iterable<string>; personLookup: (fnr: string) => string },
): Promise<{ personCount: number }> {
  const m = input.manifest;
  try {
    await q.query(
      `INSERT INTO data_copies (project_id, copy_version, permit_id, permit_version, manifest, person_count, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, 0, $6, $7)`,
      [m.projectId, m.copyVersion, m.permitId, m.permitVersion, JSON.stringify(m), m.createdAt, input.createdBy],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new ConflictError(`copy v${m.copyVersion} of ${m.projectId} is recorded`, { reason: 'copy_exists' });
    throw err;
  }
  let batch: string[] = [];
  let count = 0;
  const flush = async () => {
    if (!batch.length) return;
    await q.query(`INSERT INTO data_copy_persons (person_lookup, project_id, copy_version) SELECT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING`, [
      batch,
      m.projectId,
      m.copyVersion,
    ]);
    count += batch.length;
    batch = [];
  };
  for (const fnr of input.persons) {
    batch.push(input.personLookup(fnr));
    if (batch.length >= 10_000) await flush();
  }
  await flush();
  await q.query('UPDATE data_copies SET person_count = $3 WHERE project_id = $1 AND copy_version = $2', [m.projectId, m.copyVersion, count]);
  return { personCount: count };
}

export async function listCopies(q: Queryable, projectId: string): Promise<CopyRecord[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT project_id AS "projectId", copy_version AS "copyVersion", permit_id AS "permitId", permit_version AS "permitVersion",
       person_count AS "personCount", created_at AS "createdAt", created_by AS "createdBy", deleted_at AS "deletedAt", manifest
     FROM data_copies WHERE project_id = $1 ORDER BY copy_version`,
    [projectId],
  );
  return rows.map((r) => ({
    projectId: String(r.projectId),
    copyVersion: Number(r.copyVersion),
    permitId: String(r.permitId),
    permitVersion: Number(r.permitVersion),
    personCount: Number(r.personCount),
    createdAt: new Date(r.createdAt as string).toISOString(),
    createdBy: String(r.createdBy),
    deletedAt: r.deletedAt ? new Date(r.deletedAt as string).toISOString() : null,
    manifest: CopyManifestSchema.parse(r.manifest),
  }));
}

/** Marks every copy of the project deleted with the proof (`deleteProjectCopies`' result). */
export async function recordCopiesDeleted(q: Queryable, proof: ProofOfDeletion): Promise<void> {
  await q.query('UPDATE data_copies SET deleted_at = $2, deletion_proof = $3 WHERE project_id = $1 AND deleted_at IS NULL', [
    proof.projectId,
    proof.deletedAt,
    JSON.stringify(proof),
  ]);
}

/** Citizens' insight: the projects whose copies held this person, with when. */
export async function copiesOfPerson(
  q: Queryable,
  personLookup: string,
): Promise<{ projectId: string; copyVersions: number[]; firstCopyAt: string; deleted: boolean }[]> {
  const rows = await q.query<{ projectId: string; versions: number[]; first: Date | string; deleted: boolean }>(
    `SELECT c.project_id AS "projectId", array_agg(c.copy_version ORDER BY c.copy_version) AS versions, min(c.created_at) AS first,
       bool_and(c.deleted_at IS NOT NULL) AS deleted
     FROM data_copy_persons p JOIN data_copies c USING (project_id, copy_version)
     WHERE p.person_lookup = $1 GROUP BY c.project_id ORDER BY min(c.created_at)`,
    [personLookup],
  );
  return rows.map((r) => ({ projectId: r.projectId, copyVersions: r.versions.map(Number), firstCopyAt: new Date(r.first).toISOString(), deleted: r.deleted }));
}
