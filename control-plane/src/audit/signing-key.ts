import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { type SecretBox, keptSecret } from '../secrets/index.ts';
import type { Queryable } from '../store/index.ts';
import { generateCheckpointKey } from './checkpoint.ts';

/** The checkpoint signing key: Ed25519, made on first start, kept sealed under the master key. */
export async function checkpointSigningKey(q: Queryable, box: SecretBox): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const pem = await keptSecret(q, box, 'audit-checkpoint-key', () => Buffer.from(generateCheckpointKey().privateKeyPem));
  const privateKey = createPrivateKey(pem.toString());
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
