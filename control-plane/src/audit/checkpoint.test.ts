import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointBody, describePublicKey, generateCheckpointKey, parsePublicKey, signCheckpoint, verifyCheckpoint, type Checkpoint } from './checkpoint.ts';

const key = generateCheckpointKey();
const other = generateCheckpointKey();
const cp: Checkpoint = {
  origin: 'analyserom.test/audit',
  treeSize: 1234,
  rootHash: 'ab'.repeat(32),
  time: '2026-11-23T05:00:00.000Z',
};

describe('signed checkpoints', () => {
  it('signs the C2SP checkpoint body and verifies with the public key in every printed form', () => {
    const note = signCheckpoint(cp, key.privateKeyPem);
    expect(note.startsWith(`${checkpointBody(cp)}\n\u2014 analyserom.test/audit `)).toBe(true);
    expect(checkpointBody(cp)).toBe(`analyserom.test/audit\n1234\n${Buffer.from(cp.rootHash, 'hex').toString('base64')}\ntime 2026-11-23T05:00:00.000Z\n`);
    const forms = describePublicKey(createPublicKey(key.publicKeyPem), 'analyserom.test/audit');
    for (const form of [forms.pem, forms.base64, forms.verifierKey, key.publicKeyPem]) {
      expect(verifyCheckpoint(note, form)).toEqual({ ok: true, checkpoint: cp, keyName: 'analyserom.test/audit' });
    }
    expect(verifyCheckpoint(note, parsePublicKey(forms.base64)).ok).toBe(true);
  });

  it('rejects a checkpoint signed by another key', () => {
    const note = signCheckpoint(cp, other.privateKeyPem);
    expect(verifyCheckpoint(note, key.publicKeyPem)).toEqual({
      ok: false,
      failure: 'bad-signature',
      message: 'no signature by the given public key',
    });
  });

  it('rejects a checkpoint whose size, root or time was edited after signing', () => {
    const note = signCheckpoint(cp, key.privateKeyPem);
    const b64 = Buffer.from(cp.rootHash, 'hex').toString('base64');
    const edits = [
      note.replace('\n1234\n', '\n1233\n'),
      note.replace(b64, Buffer.from('cd'.repeat(32), 'hex').toString('base64')),
      note.replace('05:00:00.000Z', '06:00:00.000Z'),
    ];
    for (const forged of edits) {
      expect(forged).not.toBe(note);
      expect(verifyCheckpoint(forged, key.publicKeyPem)).toMatchObject({ ok: false, failure: 'bad-signature' });
    }
  });

  it('calls a note without a body, signature block or time line malformed', () => {
    const note = signCheckpoint(cp, key.privateKeyPem);
    expect(verifyCheckpoint('hello\n', key.publicKeyPem)).toMatchObject({ ok: false, failure: 'malformed' });
    expect(verifyCheckpoint(note.replace(/time .*\n/, ''), key.publicKeyPem)).toMatchObject({ failure: 'malformed' });
    expect(verifyCheckpoint(note.replace('\u2014', '-'), key.publicKeyPem)).toMatchObject({ failure: 'malformed' });
    expect(verifyCheckpoint(note.replace('\n1234\n', '\n01234\n'), key.publicKeyPem)).toMatchObject({ failure: 'malformed' });
  });

  it('refuses keys that are not Ed25519 and text that is not a key', () => {
    expect(() => parsePublicKey('not a key!')).toThrow(RangeError);
    expect(() => parsePublicKey(Buffer.alloc(31).toString('base64'))).toThrow();
  });
});
