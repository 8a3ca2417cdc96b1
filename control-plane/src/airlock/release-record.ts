/**
 * Release records: for an approved export, a Five Safes RO-Crate in a BagIt bag (the released files
 * as staged, `results.json` of their checks, the crate metadata with every check, review and the
 * sign-off), its sha-512 digest entered in the audit log, and the entry's inclusion proof against a
 * signed checkpoint, so that anyone holding the log's public key verifies it offline
 * (`release-record-verify.ts`, `tre exports verify-record`).
 *
 * The digest is entered when the record is first built (the first `GET .../record`), once per
 * export: an `export.record` entry (actor `system`) naming the export, the digest, the data copy
 * the room had mounted and the permit version in force. Building is serialised per export by a transaction-scoped advisory
 * lock, and every later build must give the same digest: the bag is made only of rows that do not
 * change after approval, of the staged bytes, re-hashed against their recorded sha256, and of what
 * the entry states. A different digest means something changed after the release was recorded;
 * nothing is answered then (`record_changed`).
 *
 * Who may have it: the requester or the project's lead while they may download the files (the bag
 * holds them), the access administrators who reviewed the export, and auditors.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { EntryProofs } from '../audit/index.ts';
import { listCopies } from '../data-copies/index.ts';
import { ConflictError, NotAllowedError } from '../errors/index.ts';
import type { AuditService, Clock, Logger, PlatformPaths, Principal } from '../platform/index.ts';
import { memberRole, permitVersions, requireDataAccess } from '../projects/index.ts';
import type { Store } from '../store/index.ts';
import { acroResults } from './acro-results.ts';
import { AUDIT_RECORD_FILE, type Bag, buildBag, RECORD_ACTION } from './release-record-bag.ts';
import { crateMetadata, type CrateCopy, type CratePermit } from './release-record-crate.ts';
import { writeTar } from './release-record-tar.ts';
import { readVerified } from './staging.ts';
import { getRequest, listFiles, listReviews, type AirlockFile, type AirlockRequest } from './store.ts';

const RESULTS = 'results.json';
const METADATA = 'ro-crate-metadata.json';

export interface ReleaseRecordDeps {
  store: Store;
  logger: Logger;
  paths: PlatformPaths;
  audit: AuditService;
  proofs: EntryProofs;
  clock: Clock;
}

export interface ReleaseRecord {
  request: AirlockRequest;
  digest: string;
  auditSeq: number;
  /** The bag as one ustar archive, `<exportId>/...`. */
  archive: Buffer;
}

/** `outputs/<file id>/<base name>`: unique by the id, and a name that survives any archive tool. */
function payloadName(f: AirlockFile): string {
  const base =
    (f.name.split('/').at(-1) ?? f.id)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(-60) || f.id;
  return `outputs/${f.id}/${base}`;
}

/**
 * The bag holds the released files, so a member gets it as they would get the files
 * (`release.ts`: the requester or the lead, with data access under a permit in force); the
 * export's reviewers, who judged those files, and auditors, who verify releases for others, get
 * it as oversight.
 */
async function requireMayRead(deps: ReleaseRecordDeps, principal: Principal, req: AirlockRequest, now: Date): Promise<void> {
  const role = await memberRole(deps.store, req.projectId, principal.userId);
  if (role) {
    if (req.requestedBy !== principal.userId && role !== 'lead') {
      throw new NotAllowedError("only the requester or the project lead may have an export's record, as its files", { reason: 'not_requester_or_lead' });
    }
    await requireDataAccess(deps.store, principal, req.projectId, now);
    return;
  }
  if (principal.roles.includes('auditor')) return;
  if (principal.roles.includes('access_admin')) {
    const reviewed = (await listReviews(deps.store, req.id)).some((r) => r.reviewer === principal.userId);
    if (reviewed) return;
    throw new NotAllowedError("only the export's reviewers, the project's members and auditors may have its record", { reason: 'not_a_reviewer' });
  }
  throw new NotAllowedError('you are not a member of this project', { reason: 'not_a_member' });
}

/**
 * What a record's audit entry states beyond its digest, decided when the record is first built so
 * that rows appearing later with an earlier time (another replica's clock, an amendment in the
 * same millisecond) cannot change it: the copy the room had mounted and the permit version in force.
 */
const PinnedSchema = z.object({
  mountedCopy: z.number().int().positive().nullable(),
  permit: z.object({ id: z.string(), version: z.number().int().positive() }).nullable(),
});
type Pinned = z.infer<typeof PinnedSchema>;

/** The permit version in force when the request was made, or the one `pinned` names. */
async function permitOf(store: Store, req: AirlockRequest, pinned: Pinned | undefined): Promise<CratePermit | null> {
  const versions = await permitVersions(store, req.projectId);
  const p = pinned
    ? versions.find((v) => v.id === pinned.permit?.id && v.version === pinned.permit.version)
    : versions.filter((v) => Date.parse(v.issuedAt) <= Date.parse(req.createdAt)).at(-1);
  return p ? { id: p.id, version: p.version, issuedAt: p.issuedAt, expiresAt: p.expiresAt, legalBasis: p.legalBasis } : null;
}

/**
 * The data copy versions the outputs came from: the one the room had mounted at `/data` when the
 * request was made (the newest copy then, not deleted by then), and each one a checked table was
 * computed from. With `pinned`, the mounted copy is the one the record's entry states.
 */
async function copiesOf(store: Store, req: AirlockRequest, files: readonly AirlockFile[], pinned: Pinned | undefined): Promise<CrateCopy[]> {
  const at = Date.parse(req.createdAt);
  const all = await listCopies(store, req.projectId);
  const mounted =
    pinned === undefined
      ? all.filter((c) => Date.parse(c.createdAt) <= at && (c.deletedAt === null || Date.parse(c.deletedAt) > at)).at(-1)
      : all.find((c) => c.copyVersion === pinned.mountedCopy);
  const checked = new Map<number, string[]>();
  for (const f of files) {
    const source = f.checks.table?.source;
    if (source?.kind === 'copy') checked.set(source.version, [...(checked.get(source.version) ?? []), f.id]);
  }
  const versions = [...new Set([...(mounted ? [mounted.copyVersion] : []), ...checked.keys()])].sort((a, b) => a - b);
  return versions.map((version) => {
    const c = all.find((x) => x.copyVersion === version);
    return {
      version,
      createdAt: c?.createdAt ?? null,
      permit: c ? { id: c.permitId, version: c.permitVersion } : null,
      mounted: version === mounted?.copyVersion,
      checkedFiles: checked.get(version) ?? [],
    };
  });
}

/** The bag of an approved export, its digest and what it pinned; no side effects. */
async function buildRecordBag(deps: ReleaseRecordDeps, req: AirlockRequest, pinned: Pinned | undefined): Promise<{ bag: Bag; pinned: Pinned }> {
  const [files, reviews] = await Promise.all([listFiles(deps.store, req.id), listReviews(deps.store, req.id)]);
  const payload = new Map<string, Buffer>();
  for (const f of files) {
    const bytes = await readVerified(join(deps.paths.airlock(req.id), f.id), f.sha256).catch(() => null);
    if (!bytes) {
      deps.logger.error('staged export file does not match its hash', { exportId: req.id, fileId: f.id, sha256: f.sha256 });
      throw new ConflictError('a staged file no longer matches the hash recorded at request time; no record is made', {
        reason: 'hash_mismatch',
        details: { file: f.id },
      });
    }
    payload.set(payloadName(f), bytes);
  }
  const copies = await copiesOf(deps.store, req, files, pinned);
  const permit = await permitOf(deps.store, req, pinned);
  payload.set(RESULTS, Buffer.from(`${JSON.stringify(acroResults(files, payloadName), null, 4)}\n`));
  payload.set(
    METADATA,
    crateMetadata({
      request: req,
      files,
      reviews,
      permit,
      copies,
      payloadName,
      resultsName: RESULTS,
    }),
  );
  const decidedAt = req.decidedAt ?? req.createdAt;
  const bag = buildBag({ exportId: req.id, payload, baggingDate: decidedAt.slice(0, 10), description: req.purpose });
  return {
    bag,
    pinned: { mountedCopy: copies.find((c) => c.mounted)?.version ?? null, permit: permit ? { id: permit.id, version: permit.version } : null },
  };
}

/**
 * The record's bag and the seq of the audit entry naming its digest: the entry already there (the
 * bag, rebuilt with what the entry pinned, must have its digest), or entered now.
 */
async function recordedBag(deps: ReleaseRecordDeps, req: AirlockRequest, requestId: string | null): Promise<{ bag: Bag; seq: number }> {
  const object = `export:${req.id}`;
  return deps.store.tx(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${RECORD_ACTION}:${req.id}`]);
    const earlier = await deps.proofs.first(q, RECORD_ACTION, object);
    // An entry the platform wrote always parses; one that does not gives another digest below.
    const stated = earlier ? (PinnedSchema.safeParse(earlier.details).data ?? { mountedCopy: null, permit: null }) : undefined;
    const { bag, pinned } = await buildRecordBag(deps, req, stated);
    if (earlier) {
      if (earlier.details.digest !== bag.digest) {
        deps.logger.error('release record differs from the recorded digest', { exportId: req.id, seq: earlier.seq });
        throw new ConflictError('the export no longer gives the record whose digest the audit log holds; nothing is answered', {
          reason: 'record_changed',
          details: { seq: earlier.seq },
        });
      }
      return { bag, seq: earlier.seq };
    }
    const entered = await deps.audit.record({
      actor: 'system',
      role: 'system',
      action: RECORD_ACTION,
      object,
      projectId: req.projectId,
      outcome: 'success',
      reason: null,
      requestId,
      clientAddress: null,
      details: { exportId: req.id, digest: bag.digest, algorithm: 'sha-512', of: 'tagmanifest-sha512.txt', ...pinned },
    });
    return { bag, seq: entered.seq };
  });
}

export async function releaseRecord(deps: ReleaseRecordDeps, principal: Principal, exportId: string, requestId: string | null): Promise<ReleaseRecord> {
  const req = await getRequest(deps.store, exportId, 'export');
  await requireMayRead(deps, principal, req, deps.clock.now());
  if (req.status !== 'approved') {
    throw new NotAllowedError(`the export is ${req.status}, not approved; only a release has a record`, {
      reason: 'not_approved',
      details: { status: req.status },
    });
  }
  const { bag, seq: auditSeq } = await recordedBag(deps, req, requestId);
  const proof = await deps.proofs.prove(auditSeq);
  const auditRecord = { digest: { algorithm: 'sha-512', of: 'tagmanifest-sha512.txt', value: bag.digest }, ...proof };
  const mtime = Math.floor(Date.parse(req.decidedAt ?? req.createdAt) / 1000);
  const archive = writeTar(
    [...bag.entries, { name: `${req.id}/${AUDIT_RECORD_FILE}`, bytes: Buffer.from(`${JSON.stringify(auditRecord, null, 2)}\n`) }],
    mtime,
  );
  return { request: req, digest: bag.digest, auditSeq, archive };
}
