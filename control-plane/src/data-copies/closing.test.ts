import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEntryInput, type AuditService, manualClock } from '../platform/index.ts';
import { DEMO_DATASETS } from '../catalog/index.ts';
import { deleteProjectCopies, proofIsIntact } from './closing.ts';
import { createExtract } from './extract.ts';
import { generateRegisters } from './generator.ts';
import { keyFingerprint, newPseudonymKey } from './pseudonym.ts';

let root: string;
const clock = manualClock('2026-06-30T12:00:00Z');

/** An audit service that keeps entries in order (an injected fake, as the real one needs the store). */
function recordingAudit(): AuditService & { entries: AuditEntryInput[] } {
  const entries: AuditEntryInput[] = [];
  return {
    entries,
    async record(e) {
      entries.push(e);
      return { seq: entries.length, hash: String(entries.length) };
    },
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'closing-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('closing a project', () => {
  it('deletes every copy version and records a proof with the deleted files hashes', async () => {
    const gen = await generateRegisters({ rows: 1000, seed: 3, outDir: join(root, 'src'), datasets: ['prescriptions'] });
    const sources = gen.files.map((f) => ({ dataset: f.dataset, version: 'v1', path: f.path, sha256: f.sha256 }));
    const key = newPseudonymKey();
    const copiesDir = join(root, 'copies');
    const made = [];
    for (const copyVersion of [1, 2]) {
      made.push(
        await createExtract(
          { clock, copiesDir },
          {
            scope: {
              projectId: 'p-close',
              permitId: 'pmt_c',
              permitVersion: copyVersion,
              legalBasis: { code: 'consent', honoursOptOut: true },
              period: { from: '2010-01-01', to: '2024-12-31' },
              linkage: true,
              datasets: [{ dataset: 'prescriptions', variables: ['atc_code'] }],
            },
            catalogue: DEMO_DATASETS,
            sources,
            key,
            optedOut: [],
            copyVersion,
          },
        ),
      );
    }
    const audit = recordingAudit();
    const proof = await deleteProjectCopies(
      { copiesDir, clock, audit },
      { projectId: 'p-close', actor: 'u-admin', role: 'access_admin', reason: 'project closed', keyFingerprint: keyFingerprint(key) },
    );
    expect(await stat(join(copiesDir, 'p-close')).catch(() => null)).toBeNull();
    expect(proof).toMatchObject({
      kind: 'analyserom.proof-of-deletion',
      projectId: 'p-close',
      deletedAt: '2026-06-30T12:00:00.000Z',
      deletedBy: { actor: 'u-admin', role: 'access_admin' },
      pseudonymKey: { fingerprint: keyFingerprint(key), deleted: true },
    });
    expect(proof.copies.map((c) => c.version)).toEqual(['v1', 'v2']);
    for (const [i, copy] of proof.copies.entries()) {
      const data = copy.files.filter((f) => f.name !== 'manifest.json').map(({ name, sha256, bytes }) => ({ name, sha256, bytes }));
      expect(data).toEqual(made[i]!.manifest.files.map(({ name, sha256, bytes }) => ({ name, sha256, bytes })).sort((a, b) => a.name.localeCompare(b.name)));
      expect(copy.files.map((f) => f.name)).toContain('manifest.json');
    }
    expect(proofIsIntact(proof)).toBe(true);
    expect(proofIsIntact({ ...proof, reason: 'something else' })).toBe(false);
    expect(audit.entries.map((e) => [e.action, e.outcome, e.object])).toEqual([
      ['data_copy.delete', 'initiated', 'project:p-close'],
      ['data_copy.delete', 'success', 'project:p-close'],
    ]);
    expect(audit.entries[1]?.details).toEqual({ proofSha256: proof.sha256, copies: ['v1', 'v2'], files: 6 });

    const again = await deleteProjectCopies(
      { copiesDir, clock, audit },
      { projectId: 'p-close', actor: 'system', role: 'system', reason: 'retry', keyFingerprint: null },
    );
    expect(again.copies).toEqual([]);
    await expect(
      deleteProjectCopies({ copiesDir, clock, audit }, { projectId: '../src', actor: 'system', role: 'system', reason: 'x', keyFingerprint: null }),
    ).rejects.toMatchObject({ reason: 'invalid_project_id' });
    expect((await stat(join(root, 'src'))).isDirectory()).toBe(true);
  });
});
