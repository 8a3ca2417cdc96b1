/**
 * Secrets the platform keeps (pseudonym keys, signing keys, TOTP seeds, OIDC client secrets)
 * are sealed with AES-256-GCM under the master key before they reach the store. The master
 * key comes from the environment or a file; the embedded default generates one (mode 0600)
 * in the data directory, which is never visible inside a room.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Queryable } from '../store/index.ts';

export interface SecretBox {
  seal(plaintext: Buffer | string, context: string): string;
  open(sealed: string, context: string): Buffer;
}

function parseKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`master key from ${source} must be 32 bytes in base64 (got ${key.length})`);
  return key;
}

export function loadMasterKey(opts: { masterKey?: string | undefined; masterKeyFile?: string | undefined; dataDir: string }): Buffer {
  if (opts.masterKey) return parseKey(opts.masterKey, 'TRE_MASTER_KEY');
  const file = opts.masterKeyFile ?? join(opts.dataDir, 'secrets', 'master.key');
  if (!existsSync(file)) {
    if (opts.masterKeyFile) throw new Error(`master key file ${file} does not exist`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return parseKey(readFileSync(file, 'utf8'), file);
}

/** `context` is bound as associated data: a value sealed for one purpose cannot be opened as another. */
export function createSecretBox(masterKey: Buffer): SecretBox {
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    open(sealed, context) {
      const [v, iv, body, tag] = sealed.split('.');
      if (v !== 'v1' || !iv || body === undefined || !tag) throw new Error('sealed secret has an unknown format');
      const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    },
  };
}

/** A named secret kept in the store, created on first use by `make`. */
export async function keptSecret(q: Queryable, box: SecretBox, name: string, make: () => Buffer): Promise<Buffer> {
  const rows = await q.query<{ sealed: string }>('SELECT sealed FROM kept_secrets WHERE name = $1', [name]);
  if (rows[0]) return box.open(rows[0].sealed, `kept:${name}`);
  const value = make();
  await q.query('INSERT INTO kept_secrets (name, sealed) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, box.seal(value, `kept:${name}`)]);
  const again = await q.query<{ sealed: string }>('SELECT sealed FROM kept_secrets WHERE name = $1', [name]);
  return box.open(again[0]!.sealed, `kept:${name}`);
}

export async function deleteKeptSecret(q: Queryable, name: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM kept_secrets WHERE name = $1 RETURNING name', [name]);
  return rows.length > 0;
}
