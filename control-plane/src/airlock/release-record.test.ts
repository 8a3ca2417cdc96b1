/**
 * Release records against a real control plane: the record of an approved export verifies offline
 * with the log's public key, and fails, naming the check, when any byte of a released file, a
 * review, the metadata, the digest, the proof or the signature is changed.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROSSTAB, SAFE_CSV, microdataCsv, startAirlock, type AirlockTest } from '../../../test/airlock/support.ts';
import { runTre } from '../../../test/support/tre.ts';
import { readTar, writeTar } from './release-record-tar.ts';
import { verifyReleaseRecord } from './release-record-verify.ts';

let t: AirlockTest;
let publicKey: string;
let exportId: string;
let archive: Buffer;
const dir = mkdtempSync(join(tmpdir(), 'release-record-'));

async function getRecord(id: string, as: string) {
  const res = await fetch(`${t.p.url}/api/exports/${id}/record`, { headers: { authorization: `Bearer ${await t.p.token(as)}` } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body, headers: res.headers, problem: res.status === 200 ? null : JSON.parse(body.toString()) };
}

async function requestExport(files: Array<Record<string, unknown>>) {
  const req = await t.p.call('POST', `/api/projects/${t.projectId}/exports`, { as: 'researcher', body: { purpose: 'paper tables', files } });
  expect(req.status).toBe(201);
  return req.body as { id: string; checksStatus: string };
}

async function approve(id: string, reasons: [string | undefined, string | undefined]) {
  for (const [i, admin] of ['admin1', 'admin2'].entries()) {
    const r = await t.p.call('POST', `/api/exports/${id}/reviews`, { as: admin, body: { decision: 'approve', ...(reasons[i] ? { reason: reasons[i] } : {}) } });
    expect(r.status).toBe(201);
  }
}

/** The archive's entries, edited by `edit`, written back the way the platform writes them. */
function tampered(edit: (files: Map<string, Buffer>) => void): Buffer {
  const read = readTar(archive, { maxEntries: 100 });
  if (!read.ok) throw new Error(read.message);
  const files = new Map([...read.entries].map(([k, v]) => [k, Buffer.from(v)]));
  edit(files);
  return writeTar(
    [...files].map(([name, bytes]) => ({ name, bytes })),
    0,
  );
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const at = (files: Map<string, Buffer>, rel: string) => files.get(`${exportId}/${rel}`) as Buffer;

/** Recomputes both manifests after a payload edit, as a forger would. */
function reManifest(files: Map<string, Buffer>): string {
  const payload = [...files.keys()].filter((k) => k.startsWith(`${exportId}/data/`)).sort();
  const manifest = payload.map((k) => `${sha512(files.get(k) as Buffer)}  ${k.slice(exportId.length + 1)}\n`).join('');
  files.set(`${exportId}/manifest-sha512.txt`, Buffer.from(manifest));
  const tags = ['bagit.txt', 'bag-info.txt', 'manifest-sha512.txt'].map((n) => `${sha512(at(files, n))}  ${n}\n`).join('');
  files.set(`${exportId}/tagmanifest-sha512.txt`, Buffer.from(tags));
  return sha512(Buffer.from(tags));
}

function editJson(files: Map<string, Buffer>, rel: string, edit: (v: any) => void): void {
  const v = JSON.parse(at(files, rel).toString());
  edit(v);
  files.set(`${exportId}/${rel}`, Buffer.from(`${JSON.stringify(v, null, 2)}\n`));
}

beforeAll(async () => {
  t = await startAirlock();
  // The demo copy is made in the background; the record names the copy mounted when the request was made.
  await t.p.modules.dataCopies.demoReady();
  publicKey = (await t.p.call('GET', '/api/audit/public-key', { as: 'auditor' })).body.pem;
  t.output('researcher', 'tables/by-group.csv', SAFE_CSV);
  t.output('researcher', 'micro.csv', microdataCsv());
  t.output('researcher', 'tables/region.csv', 'region,f,m\neast,3,0\nnorth,20,20\nsouth,20,20\n');
  const req = await requestExport([
    { path: 'tables/by-group.csv', description: 'counts by group' },
    { path: 'tables/region.csv', description: 'region by sex', table: { source: { output: 'micro.csv' }, spec: CROSSTAB } },
  ]);
  exportId = req.id;
  expect(req.checksStatus).toBe('fail');
  await approve(exportId, ['the small cell is a published total', 'agreed: published elsewhere']);
  const got = await getRecord(exportId, 'researcher');
  expect(got.status).toBe(200);
  archive = got.body;
}, 120_000);

afterAll(async () => {
  await t?.p.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('release records', () => {
  it('an approved export has a record that verifies offline with the public key', () => {
    const r = verifyReleaseRecord(archive, publicKey);
    expect(r).toMatchObject({ ok: true, exportId, failure: null });
    expect(r.files).toEqual(['outputs/f1/by-group.csv', 'outputs/f2/region.csv', 'results.json', 'ro-crate-metadata.json']);
    const read = readTar(archive, { maxEntries: 100 });
    if (!read.ok) throw new Error(read.message);
    expect(read.entries.get(`${exportId}/data/outputs/f1/by-group.csv`)?.toString()).toBe(SAFE_CSV);
    expect(read.entries.get(`${exportId}/bagit.txt`)?.toString()).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  });

  it('the crate holds the run, a check per file and rule set, each review with its reason, the sign-off and the permit version', async () => {
    const permitId = (await t.p.call('GET', `/api/projects/${t.projectId}`, { as: 'lead' })).body.permit.id;
    const read = readTar(archive, { maxEntries: 100 });
    if (!read.ok) throw new Error(read.message);
    const crate = JSON.parse(read.entries.get(`${exportId}/data/ro-crate-metadata.json`)!.toString());
    const byId = new Map(crate['@graph'].map((e: any) => [e['@id'], e]));
    expect(crate['@context']).toBe('https://w3id.org/ro/crate/1.2/context');
    expect(byId.get('./')).toMatchObject({
      conformsTo: { '@id': 'https://w3id.org/5s-crate/0.4' },
      identifier: exportId,
      description: 'paper tables',
      license: { '@id': '#release-terms' },
    });
    expect(byId.get('#release-terms')).toMatchObject({
      description: `Released from the project room under data permit ${permitId}, version 1, whose terms govern its use.`,
    });
    expect(byId.get('#run')).toMatchObject({
      '@type': 'CreateAction',
      agent: { '@id': '#person-researcher' },
      object: [{ '@id': '#data-copy-v1' }],
      result: [{ '@id': 'outputs/f1/by-group.csv' }, { '@id': 'outputs/f2/region.csv' }],
    });
    expect(byId.get('#data-copy-v1')).toMatchObject({
      '@type': 'Dataset',
      version: 1,
      description: 'mounted read-only at /data in the project room when the export was requested',
      isBasedOn: { '@id': `#permit-${permitId}-v1` },
    });
    expect(byId.get('#check-f1-content')).toMatchObject({ '@type': 'AssessAction', result: 'pass' });
    expect(byId.get('#check-f2-table')).toMatchObject({
      '@type': 'AssessAction',
      result: 'fail',
      description: 'cells named by each rule: zeros 1, missing 1, threshold 2, suppressed 2',
    });
    const reviews = crate['@graph'].filter((e: any) => String(e['@id']).startsWith('#review-'));
    expect(reviews.map((r: any) => [r.agent['@id'], r.result, r.description])).toEqual([
      ['#person-admin1', 'approve', 'the small cell is a published total'],
      ['#person-admin2', 'approve', 'agreed: published elsewhere'],
    ]);
    const signoff = byId.get('#signoff') as any;
    expect(signoff).toMatchObject({ additionalType: { '@id': 'https://w3id.org/shp#SignOff' }, result: 'approved' });
    expect(signoff.instrument).toEqual({ '@id': `#permit-${permitId}-v1` });
    expect(byId.get(signoff.instrument['@id'])).toMatchObject({ '@type': 'CreativeWork', identifier: permitId, version: 1 });
  });

  it('results.json is ACRO 1.0 schema: a table output with its sdc cells and a custom output', () => {
    const read = readTar(archive, { maxEntries: 100 });
    if (!read.ok) throw new Error(read.message);
    const results = JSON.parse(read.entries.get(`${exportId}/data/results.json`)!.toString());
    expect(results.version).toBe('1.0.1');
    expect(Object.keys(results.results)).toEqual(['output_0', 'output_1']);
    expect(results.results.output_0).toMatchObject({ uid: 'output_0', type: 'custom', status: 'pass', files: [{ name: 'outputs/f1/by-group.csv', sdc: {} }] });
    const table = results.results.output_1;
    expect(Object.keys(table)).toEqual([
      'uid',
      'status',
      'type',
      'properties',
      'files',
      'outcome',
      'command',
      'summary',
      'timestamp',
      'comments',
      'exception',
      'fair',
    ]);
    // The default profile suppresses: east/f has 3 records, east/m none (a missing, zero cell).
    expect(table.files[0].sdc).toEqual({
      summary: {
        suppressed: true,
        MinimumThresholdCheck: 2,
        PresenceOfZeroCheck: 1,
        NKCheck: 0,
        PPercentCheck: 0,
        MinimumDoFCheck: 0,
        MissingCheck: 1,
        negative: 0,
        PresenceOfLinkedTableCheck: 0,
      },
      cells: {
        MinimumThresholdCheck: [
          [0, 0],
          [0, 1],
        ],
        PresenceOfZeroCheck: [[0, 1]],
        NKCheck: [],
        PPercentCheck: [],
        MinimumDoFCheck: [],
        MissingCheck: [[0, 1]],
        negative: [],
        PresenceOfLinkedTableCheck: [],
      },
    });
    expect(table.outcome).toEqual({
      f: { east: 'MinimumThresholdCheck; ', north: 'ok', south: 'ok' },
      m: { east: 'MinimumThresholdCheck; PresenceOfZeroCheck; MissingCheck; ', north: 'ok', south: 'ok' },
    });
    expect(table.summary).toBe('fail; MinimumThresholdCheck: 2 cells suppressed; PresenceOfZeroCheck: 1 cells suppressed; MissingCheck: 1 cells suppressed; ');
    expect(table.fair.check_status).toMatchObject({
      MinimumThresholdCheck: 'fail',
      MissingCheck: 'review',
      NKCheck: 'pass',
      PresenceOfLinkedTableCheck: 'pass',
    });
    expect(table.comments).toEqual(['region by sex']);
  });

  it('the digest is entered in the audit log once, however often the record is fetched, and the bag is the same bytes', async () => {
    const again = await getRecord(exportId, 'lead');
    expect(again.status).toBe(200);
    const one = readTar(archive, { maxEntries: 100 });
    const two = readTar(again.body, { maxEntries: 100 });
    if (!one.ok || !two.ok) throw new Error('unreadable');
    for (const [name, bytes] of one.entries) if (!name.endsWith('audit-record.json')) expect(two.entries.get(name)?.equals(bytes)).toBe(true);
    const rows = await t.p.deps.store.query<{ details: { digest: string } }>("SELECT details FROM audit_log WHERE action = 'export.record' AND object = $1", [
      `export:${exportId}`,
    ]);
    expect(rows.map((r) => r.details.digest)).toEqual([again.headers.get('x-record-sha512')]);
    const reads = await t.p.deps.store.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'export.record.read' AND object = $1 AND outcome = 'success' ORDER BY seq",
      [`export:${exportId}`],
    );
    expect(reads.map((r) => r.actor)).toEqual(['researcher', 'lead']);
  });

  it('records fetched at once for the first time enter one digest', async () => {
    const req = await requestExport([{ path: 'tables/by-group.csv', description: 'once' }]);
    await approve(req.id, [undefined, undefined]);
    const got = await Promise.all(['researcher', 'lead', 'auditor'].map((as) => getRecord(req.id, as)));
    expect(got.map((g) => g.status)).toEqual([200, 200, 200]);
    const digests = new Set(got.map((g) => g.headers.get('x-record-sha512')));
    expect(digests.size).toBe(1);
    const rows = await t.p.deps.store.query<{ actor: string; outcome: string; details: Record<string, unknown> }>(
      "SELECT actor, outcome, details FROM audit_log WHERE action = 'export.record' AND object = $1",
      [`export:${req.id}`],
    );
    expect(rows).toEqual([
      {
        actor: 'system',
        outcome: 'success',
        details: {
          exportId: req.id,
          digest: [...digests][0],
          algorithm: 'sha-512',
          of: 'tagmanifest-sha512.txt',
          mountedCopy: 1,
          permit: { id: (await t.p.call('GET', `/api/projects/${t.projectId}`, { as: 'lead' })).body.permit.id, version: 1 },
        },
      },
    ]);
  });

  it('409 and no record when a staged file no longer matches its hash', async () => {
    const req = await requestExport([{ path: 'tables/by-group.csv', description: 'tampered later' }]);
    await approve(req.id, [undefined, undefined]);
    const staged = join(t.paths.airlock(req.id), 'f1');
    chmodSync(t.paths.airlock(req.id), 0o700);
    chmodSync(staged, 0o600);
    writeFileSync(staged, 'group,count\nA,2\n');
    const got = await getRecord(req.id, 'researcher');
    expect([got.status, got.problem.reason]).toEqual([409, 'hash_mismatch']);
    const rows = await t.p.deps.store.query("SELECT seq FROM audit_log WHERE action = 'export.record' AND object = $1", [`export:${req.id}`]);
    expect(rows).toEqual([]);
  });

  it('fails bag-manifest when a byte of a released file changes', () => {
    const forged = tampered((f) => f.set(`${exportId}/data/outputs/f1/by-group.csv`, Buffer.from(SAFE_CSV.replace('120', '121'))));
    expect(verifyReleaseRecord(forged, publicKey).failure).toEqual({
      check: 'bag-manifest',
      message: 'data/outputs/f1/by-group.csv does not match its sha-512 in the manifest',
    });
  });

  it('fails when a review changes: bag-manifest, and the digest when the manifests are recomputed', () => {
    const editReview = (f: Map<string, Buffer>) =>
      editJson(f, 'data/ro-crate-metadata.json', (crate) => {
        crate['@graph'].find((e: any) => e['@id'] === '#review-1').description = 'no reason given';
      });
    expect(verifyReleaseRecord(tampered(editReview), publicKey).failure?.check).toBe('bag-manifest');
    const forged = tampered((f) => {
      editReview(f);
      reManifest(f);
    });
    expect(verifyReleaseRecord(forged, publicKey).failure?.check).toBe('digest');
  });

  it('fails when the metadata changes: bag-info.txt, results.json, an extra file', () => {
    const info = tampered((f) => f.set(`${exportId}/bag-info.txt`, Buffer.concat([at(f, 'bag-info.txt'), Buffer.from('Contact-Name: someone\n')])));
    expect(verifyReleaseRecord(info, publicKey).failure?.check).toBe('bag-tagmanifest');
    const results = tampered((f) => editJson(f, 'data/results.json', (r) => (r.results.output_1.status = 'pass')));
    expect(verifyReleaseRecord(results, publicKey).failure?.check).toBe('bag-manifest');
    const extra = tampered((f) => f.set(`${exportId}/data/outputs/f3.csv`, Buffer.from('a,b\n')));
    expect(verifyReleaseRecord(extra, publicKey).failure).toEqual({ check: 'bag-manifest', message: 'data/outputs/f3.csv is in the bag but in no manifest' });
  });

  it('fails when the digest changes: in the record (entry), and in the audit entry too (entry-hash)', () => {
    const forgedBag = (f: Map<string, Buffer>) => {
      f.set(`${exportId}/data/outputs/f1/by-group.csv`, Buffer.from('group,count\nA,3\n'));
      return reManifest(f);
    };
    const inRecord = tampered((f) => {
      const digest = forgedBag(f);
      editJson(f, 'audit-record.json', (r) => (r.digest.value = digest));
    });
    expect(verifyReleaseRecord(inRecord, publicKey).failure).toEqual({ check: 'entry', message: 'the audit entry names another digest than the bag has' });
    const inEntry = tampered((f) => {
      const digest = forgedBag(f);
      editJson(f, 'audit-record.json', (r) => {
        r.digest.value = digest;
        r.entry.details.digest = digest;
      });
    });
    expect(verifyReleaseRecord(inEntry, publicKey).failure?.check).toBe('entry-hash');
  });

  it('fails when the proof or the signature is wrong', () => {
    const proof = tampered((f) =>
      editJson(f, 'audit-record.json', (r) => {
        r.proof.hashes = r.proof.hashes.length
          ? [Buffer.alloc(32, 7).toString('base64'), ...r.proof.hashes.slice(1)]
          : [Buffer.alloc(32, 7).toString('base64')];
      }),
    );
    expect(verifyReleaseRecord(proof, publicKey).failure?.check).toBe('proof-invalid');
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(verifyReleaseRecord(archive, other).failure?.check).toBe('checkpoint-bad-signature');
    const note = tampered((f) =>
      editJson(f, 'audit-record.json', (r) => {
        r.checkpoint.note = r.checkpoint.note.replace(/\n(\d+)\n/, (_m: string, n: string) => `\n${Number(n) + 1}\n`);
      }),
    );
    expect(verifyReleaseRecord(note, publicKey).failure?.check).toBe('checkpoint-mismatch');
  });

  it('403 for a non-member, a member who neither asked nor leads, and an administrator who did not review; auditors may have it; 403 before approval', async () => {
    await t.p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'outsider', displayName: 'Out Sider', roles: ['researcher'], password: 'a long password 1' },
    });
    t.p.passwords.set('outsider', 'a long password 1');
    await t.p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'admin3', displayName: 'Third Admin', roles: ['access_admin'], password: 'a long password 1' },
    });
    t.p.passwords.set('admin3', 'a long password 1');
    expect((await getRecord(exportId, 'outsider')).problem).toMatchObject({ status: 403, reason: 'not_a_member' });
    // The bag holds the released files: a member gets it only as they would get the files.
    await t.p.call('POST', '/api/users', {
      as: 'operator',
      body: { id: 'colleague', displayName: 'Col League', roles: ['researcher'], password: 'a long password 1' },
    });
    t.p.passwords.set('colleague', 'a long password 1');
    expect((await t.p.call('POST', `/api/projects/${t.projectId}/members`, { as: 'lead', body: { userId: 'colleague', role: 'researcher' } })).status).toBe(
      201,
    );
    expect((await getRecord(exportId, 'colleague')).problem).toMatchObject({ status: 403, reason: 'not_requester_or_lead' });
    expect((await getRecord(exportId, 'admin3')).problem).toMatchObject({ status: 403, reason: 'not_a_reviewer' });
    expect((await getRecord(exportId, 'admin1')).status).toBe(200);
    expect((await getRecord(exportId, 'auditor')).status).toBe(200);
    const pending = await requestExport([{ path: 'tables/by-group.csv', description: 'again' }]);
    const early = await getRecord(pending.id, 'researcher');
    expect([early.status, early.problem.reason]).toEqual([403, 'not_approved']);
    const denied = await t.p.deps.store.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'export.record.read' AND outcome = 'denied' ORDER BY seq",
    );
    expect(denied.map((r) => r.actor)).toEqual(['outsider', 'colleague', 'admin3', 'researcher']);
  });

  it('tre exports record downloads it and verify-record checks it offline, exit 1 naming the failed check', async () => {
    const env = { TRE_URL: t.p.url, TRE_TOKEN: await t.p.token('researcher'), TRE_CONFIG_DIR: dir };
    const out = join(dir, 'record.tar');
    const got = await runTre(['exports', 'record', exportId, '--out', out, '--json'], env);
    expect([got.code, got.stderr]).toEqual([0, `saved ${out} (${got.json?.bytes} bytes); verify it with: tre exports verify-record ${out} --public-key KEY\n`]);
    expect(got.json).toMatchObject({ export: exportId, path: out });
    const again = await runTre(['exports', 'record', exportId, '--out', out], env);
    expect([again.code, again.stderr.trim()]).toEqual([1, `tre: ${out} exists; not overwritten`]);
    const key = join(dir, 'key.pem');
    writeFileSync(key, publicKey);
    const ok = await runTre(['exports', 'verify-record', out, '--public-key', key, '--json'], { TRE_CONFIG_DIR: dir });
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ ok: true, exportId, digest: got.json.digest, failure: null });
    const forged = join(dir, 'forged.tar');
    writeFileSync(forged, tamperedFrom(readFileSync(out)));
    const bad = await runTre(['exports', 'verify-record', forged, '--public-key', key, '--json'], { TRE_CONFIG_DIR: dir });
    expect(bad.code).toBe(1);
    expect(bad.json.failure).toEqual({ check: 'bag-manifest', message: 'data/outputs/f2/region.csv does not match its sha-512 in the manifest' });
    const text = await runTre(['exports', 'verify-record', forged, '--public-key', key], { TRE_CONFIG_DIR: dir });
    expect(text.stdout.trim()).toBe('FAILED: bag-manifest: data/outputs/f2/region.csv does not match its sha-512 in the manifest');
    const usage = await runTre(['exports', 'verify-record', forged, '--public-key', 'not a key'], { TRE_CONFIG_DIR: dir });
    expect(usage.code).toBe(2);
  }, 60_000);

  it('a copy or permit version recorded later with an earlier time does not change a record: they are the ones its entry states', async () => {
    const before = await getRecord(exportId, 'researcher');
    await t.p.deps.store.query(
      `INSERT INTO data_copies (project_id, copy_version, permit_id, permit_version, manifest, person_count, created_at, created_by)
       SELECT project_id, 2, permit_id, permit_version, manifest, person_count, created_at - interval '1 second', created_by
       FROM data_copies WHERE project_id = $1 AND copy_version = 1`,
      [t.projectId],
    );
    const amended = await t.p.call('POST', `/api/projects/${t.projectId}/permit/amendments`, {
      as: 'admin1',
      body: { caseType: 'extra_order', reason: 'one more register' },
    });
    expect([amended.status, amended.body.version]).toEqual([201, 2]);
    const after = await getRecord(exportId, 'researcher');
    expect([after.status, after.headers.get('x-record-sha512')]).toEqual([200, before.headers.get('x-record-sha512')]);
  });
});

function tamperedFrom(bytes: Buffer): Buffer {
  const saved = archive;
  archive = bytes;
  try {
    return tampered((f) => f.set(`${exportId}/data/outputs/f2/region.csv`, Buffer.from('region,f,m\neast,30,0\n')));
  } finally {
    archive = saved;
  }
}
